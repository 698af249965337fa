/**
 * Registration is decided by name: an agent whose NodeName is not allowed is
 * refused and never shows up, and a second agent claiming a name that is
 * already online is refused while the first keeps the node.
 *
 * Each extra agent runs in a container of its own, because an agent owns the
 * bus name org.eclipse.bluechi.Agent on its system bus and a second agent on
 * the same container could not start at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { LOOPBACK_IP, MAIN_AND_WORKER1_ONLINE, nodeTable } from '../harness/expected-output.js';
import { SystemdNode } from '../harness/systemd-container.js';
import { waitForJournalLine } from '../harness/wait.js';

/** Boots a container whose agent registers as `nodeName` with the cluster's controller. */
async function startStrayAgent(cluster: Cluster, label: string, nodeName: string): Promise<SystemdNode> {
  const node = await SystemdNode.start({ name: label });
  await node.writeFile(
    '/etc/bluechi/agent.conf.d/1.conf',
    `[bluechi-agent]\nNodeName=${nodeName}\nControllerHost=127.0.0.1\nControllerPort=${cluster.port}\nHeartbeatInterval=500\n`,
  );
  await node.run('systemctl start bluechi-agent');
  return node;
}

describe('registration refuses unknown and duplicate node names', () => {
  let cluster: Cluster;
  let intruder: SystemdNode;
  let twin: SystemdNode;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    [intruder, twin] = await Promise.all([
      startStrayAgent(cluster, 'intruder', 'intruder'),
      startStrayAgent(cluster, 'worker1-twin', 'worker1'),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled([intruder?.stop(), twin?.stop()]);
    await cluster?.stop();
  });

  it('tells the agent with an unknown name that it was refused', async () => {
    await waitForJournalLine(intruder, 'bluechi-agent', `Registration as 'intruder' refused: Unexpected node name`);
  });

  it('logs the refusal of the unknown name on the controller', async () => {
    await waitForJournalLine(
      cluster.main,
      'bluechi-controller',
      `Refused registration of node 'intruder': Unexpected node name (node=intruder peerIp=${LOOPBACK_IP} code=UNEXPECTED_NODE_NAME)`,
    );
  });

  it('never lists the unknown name', async () => {
    await waitForJournalLine(intruder, 'bluechi-agent', `Registration as 'intruder' refused: Unexpected node name`);
    expect(await cluster.ctl('status')).toEqual({
      exitCode: 0,
      stdout: MAIN_AND_WORKER1_ONLINE,
      stderr: '',
    });
    expect(await cluster.ctl('status intruder')).toEqual({ exitCode: 1, stdout: '', stderr: 'Node intruder not found\n' });
  });

  it('keeps the refused agent running and retrying', async () => {
    const lines = await waitForJournalLine(intruder, 'bluechi-agent', `Registration as 'intruder' refused: Unexpected node name`);
    expect(lines.filter((l) => l.startsWith('Connecting to controller on ws://127.0.0.1:')).length).toBeGreaterThanOrEqual(1);
    expect((await intruder.systemctl('is-active', 'bluechi-agent')).stdout).toBe('active\n');
  });

  it('tells the second agent with a taken name that the node is already connected', async () => {
    await waitForJournalLine(twin, 'bluechi-agent', `Registration as 'worker1' refused: The node is already connected`);
    await waitForJournalLine(
      cluster.main,
      'bluechi-controller',
      `Refused registration of node 'worker1': The node is already connected (node=worker1 peerIp=${LOOPBACK_IP} code=NODE_ALREADY_CONNECTED)`,
    );
  });

  it('leaves the first worker1 online and in charge of the node', async () => {
    await waitForJournalLine(twin, 'bluechi-agent', `Registration as 'worker1' refused: The node is already connected`);
    expect(await cluster.ctl('status worker1')).toEqual({
      exitCode: 0,
      stdout: nodeTable([['worker1', 'online', LOOPBACK_IP, 'now']]),
      stderr: '',
    });
    // A unit that exists only on the first worker1's container: if the twin
    // had taken over, systemd there would not know it.
    await cluster.node('worker1').writeUnit('only-here.service', '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n');
    expect(await cluster.ctl('start worker1 only-here.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit only-here.service StartUnit operation result: done\n',
      stderr: '',
    });
    expect((await cluster.node('worker1').systemctl('is-active', 'only-here.service')).stdout).toBe('active\n');
    expect((await twin.systemctl('is-active', 'only-here.service')).stdout).toBe('inactive\n');
  });
});
