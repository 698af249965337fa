/**
 * `bluechi-is-online node NAME` on the controller's machine, on real systemd
 * (upstream's bluechi-is-online-node, -node-wait and -node-monitor): it reads
 * the node's Status on the controller's bus name, org.eclipse.bluechi, at the
 * node's escaped object path (worker-1 -> /org/eclipse/bluechi/node/worker_2d1).
 *
 *   node online                  exit 0, no output
 *   its agent stopped            exit 1, `org.eclipse.bluechi is offline`
 *   unknown node                 exit 1, upstream's two lines (the object does not exist)
 *   controller stopped           exit 1, the failed read and the offline line
 *   --wait=MS                    0 at once when online; 0 as soon as it comes online
 *                                mid-wait; 1 when the time is up
 *   --monitor                    runs while online, exits 1 with the offline line once
 *                                the node's agent or the controller goes away
 */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitForNodeState } from '../harness/wait.js';
import { CONTROLLER_OFFLINE, FOREVER_MS, NO_ROUTE, run, useIsOnlineCluster } from './support/is-online.js';

const NO_CONTROLLER = `${NO_ROUTE}${CONTROLLER_OFFLINE}`;
const WORKER = 'worker-1';

let cluster: Cluster;
let worker: SystemdNode;

const { bg } = useIsOnlineCluster({ agents: [WORKER] }, (c) => {
  cluster = c;
  worker = cluster.node(WORKER);
});

async function stopWorkerAgent(): Promise<void> {
  await worker.run('systemctl stop bluechi-agent');
  await waitForNodeState(cluster, WORKER, 'offline');
}

describe('bluechi-is-online node', () => {
  it('exits 0 without output for online nodes, local and remote', async () => {
    expect(await run(cluster.main, `node ${WORKER}`)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await run(cluster.main, 'node main')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('exits 1 for an unknown node, as upstream', async () => {
    expect(await run(cluster.main, 'node nosuch')).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `Failed to get property: Invalid request descriptor\n${CONTROLLER_OFFLINE}`,
    });
  });

  it("exits 1 once the node's agent is stopped; the other node stays online", async () => {
    await stopWorkerAgent();
    expect(await run(cluster.main, `node ${WORKER}`)).toEqual({ exitCode: 1, stdout: '', stderr: CONTROLLER_OFFLINE });
    expect(await run(cluster.main, 'node main')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('exits 1 when the controller is not running', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await run(cluster.main, `node ${WORKER}`)).toEqual({ exitCode: 1, stdout: '', stderr: NO_CONTROLLER });
  });
});

describe('bluechi-is-online node --wait', () => {
  it('returns 0 at once when the node is online', async () => {
    expect(await run(cluster.main, `node ${WORKER} --wait=${FOREVER_MS}`)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('returns 1 with the message once the wait is over and the node is still offline', async () => {
    await stopWorkerAgent();
    expect(await run(cluster.main, `node ${WORKER} --wait=1500`)).toEqual({ exitCode: 1, stdout: '', stderr: CONTROLLER_OFFLINE });
  });

  it("returns 0 as soon as the node's agent is started and connects", async () => {
    await stopWorkerAgent();
    const waiting = await bg(cluster.main, 'node-wait-agent', `node ${WORKER} --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await worker.run('systemctl start bluechi-agent');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });

  it('returns 0 as soon as a controller that was not running starts and the node connects', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    const waiting = await bg(cluster.main, 'node-wait-controller', `node ${WORKER} --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await cluster.main.run('systemctl start bluechi-controller');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });
});

describe('bluechi-is-online node --monitor', () => {
  it('exits 1 at once when the node is offline to begin with', async () => {
    await stopWorkerAgent();
    expect(await run(cluster.main, `node ${WORKER} --monitor`)).toEqual({ exitCode: 1, stdout: '', stderr: CONTROLLER_OFFLINE });
  });

  it("keeps running while the node is online and exits 1 when its agent stops", async () => {
    const monitor = await bg(cluster.main, 'node-monitor-agent', `node ${WORKER} --monitor`);
    // Another node going away is none of its business.
    await cluster.main.run('systemctl stop bluechi-agent');
    await waitForNodeState(cluster, 'main', 'offline');
    expect(await monitor.running()).toBe(true);
    await stopWorkerAgent();
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(CONTROLLER_OFFLINE);
    expect(await monitor.out()).toBe('');
  });

  it('exits 1 when the controller stops', async () => {
    const monitor = await bg(cluster.main, 'node-monitor-controller', `node ${WORKER} --monitor`);
    expect(await monitor.running()).toBe(true);
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(CONTROLLER_OFFLINE);
  });
});
