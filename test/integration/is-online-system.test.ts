/**
 * `bluechi-is-online system` on the controller's machine, on real systemd
 * (upstream's bluechi-is-online-system, -system-wait and -system-monitor): it
 * reads the controller's Status on org.eclipse.bluechi; only `up` (every
 * configured node online) counts as online, `degraded` and `down` do not.
 *
 *   all nodes online             exit 0, no output
 *   one agent stopped (degraded) exit 1, `org.eclipse.bluechi is offline`
 *   controller stopped           exit 1, the failed read and the offline line
 *   --wait=MS                    0 at once when up; 0 as soon as it is up mid-wait;
 *                                1 when the time is up
 *   --monitor                    runs while up, exits 1 with the offline line once a
 *                                node or the controller goes away
 */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitForNodeState } from '../harness/wait.js';
import { CONTROLLER_OFFLINE, controllerStatus, FOREVER_MS, NO_ROUTE, run, useIsOnlineCluster } from './support/is-online.js';

const NO_CONTROLLER = `${NO_ROUTE}${CONTROLLER_OFFLINE}`;

let cluster: Cluster;
let worker1: SystemdNode;

const { bg } = useIsOnlineCluster({ agents: ['worker1'] }, (c) => {
  cluster = c;
  worker1 = cluster.node('worker1');
});

async function stopWorker1(): Promise<void> {
  await worker1.run('systemctl stop bluechi-agent');
  await waitForNodeState(cluster, 'worker1', 'offline');
  await controllerStatus(cluster.main, 'degraded');
}

describe('bluechi-is-online system', () => {
  it('exits 0 without output while every node is online', async () => {
    await controllerStatus(cluster.main, 'up');
    expect(await run(cluster.main, 'system')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('exits 1 while one node is offline (degraded is not up)', async () => {
    await stopWorker1();
    expect(await run(cluster.main, 'system')).toEqual({ exitCode: 1, stdout: '', stderr: CONTROLLER_OFFLINE });
  });

  it('exits 1 while every node is offline (down)', async () => {
    await Promise.all([cluster.main.run('systemctl stop bluechi-agent'), worker1.run('systemctl stop bluechi-agent')]);
    await controllerStatus(cluster.main, 'down');
    expect(await run(cluster.main, 'system')).toEqual({ exitCode: 1, stdout: '', stderr: CONTROLLER_OFFLINE });
  });

  it('exits 1 when the controller is not running', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await run(cluster.main, 'system')).toEqual({ exitCode: 1, stdout: '', stderr: NO_CONTROLLER });
  });
});

describe('bluechi-is-online system --wait', () => {
  it('returns 0 at once when the system is up', async () => {
    expect(await run(cluster.main, `system --wait=${FOREVER_MS}`)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('returns 1 with the message once the wait is over and a node is still offline', async () => {
    await stopWorker1();
    expect(await run(cluster.main, 'system --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: CONTROLLER_OFFLINE });
  });

  it('returns 1 with the failed read once the wait is over and the controller is still not running', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await run(cluster.main, 'system --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: NO_CONTROLLER });
  });

  it('returns 0 as soon as the missing node connects', async () => {
    await stopWorker1();
    const waiting = await bg(cluster.main, 'system-wait-agent', `system --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await worker1.run('systemctl start bluechi-agent');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });

  it('returns 0 as soon as the controller starts and every node connects', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    const waiting = await bg(cluster.main, 'system-wait-controller', `system --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await cluster.main.run('systemctl start bluechi-controller');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });
});

describe('bluechi-is-online system --monitor', () => {
  it('exits 1 at once when the system is not up to begin with', async () => {
    await stopWorker1();
    expect(await run(cluster.main, 'system --monitor')).toEqual({ exitCode: 1, stdout: '', stderr: CONTROLLER_OFFLINE });
  });

  it('keeps running while the system is up and exits 1 once a node goes offline', async () => {
    const monitor = await bg(cluster.main, 'system-monitor-node', 'system --monitor');
    expect(await monitor.running()).toBe(true);
    await stopWorker1();
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(CONTROLLER_OFFLINE);
    expect(await monitor.out()).toBe('');
  });

  it('exits 1 when the controller stops', async () => {
    const monitor = await bg(cluster.main, 'system-monitor-controller', 'system --monitor');
    expect(await monitor.running()).toBe(true);
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(CONTROLLER_OFFLINE);
  });
});
