/**
 * The cluster harness: configuration drop-ins land where the daemons read
 * them, and a started cluster reports every node online.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodeStatus, startCluster, type Cluster } from '../harness/cluster.js';

describe('cluster harness, configured but not started', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      agents: ['worker1'],
      start: false,
      controllerConf: 'LogLevel=DEBUG',
      agentConf: { worker1: 'HeartbeatInterval=500' },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives the controller its own port and the allowed node names', async () => {
    const conf = await cluster.main.exec('cat /etc/bluechi/controller.conf.d/1.conf');
    expect(conf.stdout).toBe(
      `[bluechi-controller]\nControllerPort=${cluster.port}\nAllowedNodeNames=main,worker1\nLogLevel=DEBUG\n`,
    );
  });

  it('points the local agent at the Unix socket', async () => {
    const conf = await cluster.node('main').exec('cat /etc/bluechi/agent.conf.d/1.conf');
    expect(conf.stdout).toBe('[bluechi-agent]\nNodeName=main\nControllerAddress=unix:path=/run/bluechi/bluechi.sock\n');
  });

  it('points remote agents at 127.0.0.1 and the port', async () => {
    const conf = await cluster.node('worker1').exec('cat /etc/bluechi/agent.conf.d/1.conf');
    expect(conf.stdout).toBe(
      `[bluechi-agent]\nNodeName=worker1\nControllerHost=127.0.0.1\nControllerPort=${cluster.port}\nHeartbeatInterval=500\n`,
    );
  });

  it('runs each node in its own container', () => {
    expect(cluster.node('worker1').id).not.toBe(cluster.main.id);
    expect(cluster.nodeNames).toEqual(['main', 'worker1']);
  });
});

describe('cluster harness, started', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1', 'worker2'] });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('shows every node online in bluechictl status', async () => {
    const status = await cluster.ctl('status');
    expect(status.exitCode).toBe(0);
    const nodes = parseNodeStatus(status.stdout);
    expect(nodes.map((n) => [n.node, n.state])).toEqual([
      ['main', 'online'],
      ['worker1', 'online'],
      ['worker2', 'online'],
    ]);
  });
});
