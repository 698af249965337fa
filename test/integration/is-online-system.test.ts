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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type BackgroundCommand } from '../harness/background.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

const OFFLINE = 'org.eclipse.bluechi is offline\n';
const NO_CONTROLLER = `Failed to get property: No route to host\n${OFFLINE}`;
/** Far longer than any test may run: a command that returns did not wait it out. */
const FOREVER_MS = 3_600_000;

let cluster: Cluster;
let worker1: SystemdNode;
const background: BackgroundCommand[] = [];

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'] });
  worker1 = cluster.node('worker1');
});

afterAll(async () => {
  await Promise.allSettled(background.map((b) => b.kill()));
  await cluster?.stop();
});

afterEach(async () => {
  await cluster.main.run('systemctl start bluechi-controller');
  await Promise.all([cluster.main.run('systemctl start bluechi-agent'), worker1.run('systemctl start bluechi-agent')]);
  await cluster.waitOnline();
});

function run(args: string) {
  return cluster.main.exec(`bluechi-is-online ${args}`);
}

/**
 * Waits until the process `pid` (a shell expression) is on the system bus
 * with bluechi-is-online's two match rules in place (dbus-daemon's connection
 * statistics); it sends its read of Status right after, so whatever a test
 * does next happens to a running watch.
 */
function watching(node: SystemdNode, pid: string) {
  const script =
    `pid=${pid}; name=$(busctl list --unique --no-legend | awk -v pid="$pid" '$2 == pid {print $1; exit}'); ` +
    `[ -n "$name" ] && busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.Debug.Stats GetConnectionStats s "$name"`;
  return waitFor(`process ${pid} to watch the bus`, async () => /"MatchRules" u [2-9]/.test((await node.exec(script)).stdout) || undefined);
}

/** Starts the tool in the background on main and returns once it watches the bus. */
async function bg(name: string, args: string): Promise<BackgroundCommand> {
  const cmd = await startBackground(cluster.main, name, `bluechi-is-online ${args}`, { timeoutS: 300 });
  background.push(cmd);
  await watching(cluster.main, `$(pgrep -P ${cmd.pid})`);
  return cmd;
}

/** The controller's Status as busctl reads it (independent of the tool). */
function systemStatus(status: 'up' | 'degraded' | 'down') {
  return waitFor(`the controller to be ${status}`, async () => {
    const r = await cluster.main.exec('busctl get-property org.eclipse.bluechi /org/eclipse/bluechi org.eclipse.bluechi.Controller Status');
    return r.stdout === `s "${status}"\n` || undefined;
  });
}

async function stopWorker1(): Promise<void> {
  await worker1.run('systemctl stop bluechi-agent');
  await waitForNodeState(cluster, 'worker1', 'offline');
  await systemStatus('degraded');
}

describe('bluechi-is-online system', () => {
  it('exits 0 without output while every node is online', async () => {
    await systemStatus('up');
    expect(await run('system')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('exits 1 while one node is offline (degraded is not up)', async () => {
    await stopWorker1();
    expect(await run('system')).toEqual({ exitCode: 1, stdout: '', stderr: OFFLINE });
  });

  it('exits 1 while every node is offline (down)', async () => {
    await Promise.all([cluster.main.run('systemctl stop bluechi-agent'), worker1.run('systemctl stop bluechi-agent')]);
    await systemStatus('down');
    expect(await run('system')).toEqual({ exitCode: 1, stdout: '', stderr: OFFLINE });
  });

  it('exits 1 when the controller is not running', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await run('system')).toEqual({ exitCode: 1, stdout: '', stderr: NO_CONTROLLER });
  });
});

describe('bluechi-is-online system --wait', () => {
  it('returns 0 at once when the system is up', async () => {
    expect(await run(`system --wait=${FOREVER_MS}`)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('returns 1 with the message once the wait is over and a node is still offline', async () => {
    await stopWorker1();
    expect(await run('system --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: OFFLINE });
  });

  it('returns 1 with the failed read once the wait is over and the controller is still not running', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await run('system --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: NO_CONTROLLER });
  });

  it('returns 0 as soon as the missing node connects', async () => {
    await stopWorker1();
    const waiting = await bg('system-wait-agent', `system --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await worker1.run('systemctl start bluechi-agent');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });

  it('returns 0 as soon as the controller starts and every node connects', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    const waiting = await bg('system-wait-controller', `system --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await cluster.main.run('systemctl start bluechi-controller');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });
});

describe('bluechi-is-online system --monitor', () => {
  it('exits 1 at once when the system is not up to begin with', async () => {
    await stopWorker1();
    expect(await run('system --monitor')).toEqual({ exitCode: 1, stdout: '', stderr: OFFLINE });
  });

  it('keeps running while the system is up and exits 1 once a node goes offline', async () => {
    const monitor = await bg('system-monitor-node', 'system --monitor');
    expect(await monitor.running()).toBe(true);
    await stopWorker1();
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(OFFLINE);
    expect(await monitor.out()).toBe('');
  });

  it('exits 1 when the controller stops', async () => {
    const monitor = await bg('system-monitor-controller', 'system --monitor');
    expect(await monitor.running()).toBe(true);
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(OFFLINE);
  });
});
