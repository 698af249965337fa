/**
 * `bluechi-is-online agent` on an agent node, on real systemd (upstream's
 * bluechi-is-online-agent, -agent-wait and -agent-monitor): it reads the
 * agent's own Status (org.eclipse.bluechi.Agent on the node's system bus).
 *
 *   online                          exit 0, no output
 *   agent stopped (name unowned)    exit 1, the failed read and the offline line
 *   controller stopped              exit 1, the offline line (the agent is up, but offline)
 *   --wait=MS                       0 at once when online; 0 as soon as it comes online
 *                                   mid-wait; 1 when the time is up
 *   --monitor                       runs while online, exits 1 with the offline line
 *                                   once the agent or its controller goes away
 *
 * "At once" and "as soon as" are shown by a wait far longer than the test may
 * take; nothing here measures time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type BackgroundCommand } from '../harness/background.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';

const AGENT_OFFLINE = 'org.eclipse.bluechi.Agent is offline\n';
const NOT_RUNNING = `Failed to get property: No route to host\n${AGENT_OFFLINE}`;
/** Far longer than any test may run: a command that returns did not wait it out. */
const FOREVER_MS = 3_600_000;

let cluster: Cluster;
let worker1: SystemdNode;
const background: BackgroundCommand[] = [];

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'], localAgent: null });
  worker1 = cluster.node('worker1');
});

afterAll(async () => {
  await Promise.allSettled(background.map((b) => b.kill()));
  await cluster?.stop();
});

/** Every test starts from a cluster that is up: controller and agent running, worker1 online. */
afterEach(async () => {
  await cluster.main.run('systemctl start bluechi-controller');
  await worker1.run('systemctl start bluechi-agent');
  await cluster.waitOnline();
});

async function run(node: SystemdNode, args: string) {
  return node.exec(`bluechi-is-online ${args}`);
}

/** Starts the tool in the background and returns once it watches the bus. */
async function bg(name: string, args: string): Promise<BackgroundCommand> {
  const cmd = await startBackground(worker1, name, `bluechi-is-online ${args}`, { timeoutS: 300 });
  background.push(cmd);
  await watching(worker1, `$(pgrep -P ${cmd.pid})`);
  return cmd;
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

/** Waits until the agent on worker1 reports the given Status on the bus (busctl, independent of the tool). */
function agentStatus(status: 'online' | 'offline') {
  return waitFor(`the agent on worker1 to be ${status}`, async () => {
    const r = await worker1.exec('busctl get-property org.eclipse.bluechi.Agent /org/eclipse/bluechi org.eclipse.bluechi.Agent Status');
    return r.stdout === `s "${status}"\n` || undefined;
  });
}

describe('bluechi-is-online agent', () => {
  it('exits 0 without output while the agent is online', async () => {
    expect(await run(worker1, 'agent')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('exits 1 when the agent is stopped: the name has no owner, so the read fails', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    expect(await run(worker1, 'agent')).toEqual({ exitCode: 1, stdout: '', stderr: NOT_RUNNING });
  });

  it('exits 1 when the agent runs but has lost its controller', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus('offline');
    expect(await run(worker1, 'agent')).toEqual({ exitCode: 1, stdout: '', stderr: AGENT_OFFLINE });
  });
});

describe('bluechi-is-online agent --wait', () => {
  it('returns 0 at once when the agent is online', async () => {
    expect(await run(worker1, `agent --wait=${FOREVER_MS}`)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('returns 1 with the message once the wait is over and the agent is still stopped', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    expect(await run(worker1, 'agent --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: NOT_RUNNING });
  });

  it('returns 1 once the wait is over while the agent stays offline', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus('offline');
    expect(await run(worker1, 'agent --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: AGENT_OFFLINE });
  });

  it('returns 0 as soon as a stopped agent is started and connects', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    const waiting = await bg('wait-agent-start', `agent --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await worker1.run('systemctl start bluechi-agent');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });

  it('returns 0 as soon as the agent reconnects to a controller that comes back', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus('offline');
    const waiting = await bg('wait-controller-start', `agent --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await cluster.main.run('systemctl start bluechi-controller');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });
});

describe('bluechi-is-online agent --monitor', () => {
  it('exits 1 at once when the agent is offline to begin with', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    expect(await run(worker1, 'agent --monitor')).toEqual({ exitCode: 1, stdout: '', stderr: NOT_RUNNING });
  });

  it('keeps running while the agent is online and exits 1 when the agent is stopped', async () => {
    const monitor = await bg('monitor-agent-stop', 'agent --monitor');
    // Still running after an unrelated change (another unit starts) and a fresh check.
    await worker1.run('systemctl start systemd-tmpfiles-clean.service || true');
    expect(await run(worker1, 'agent')).toMatchObject({ exitCode: 0 });
    expect(await monitor.running()).toBe(true);
    await worker1.run('systemctl stop bluechi-agent');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
    expect(await monitor.out()).toBe('');
  });

  it('exits 1 when the controller goes away and the agent goes offline', async () => {
    const monitor = await bg('monitor-controller-stop', 'agent --monitor');
    expect(await monitor.running()).toBe(true);
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
  });

  it('with --wait, waits for the agent to come online, then monitors it', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    const monitor = await bg('wait-then-monitor', `agent --wait=${FOREVER_MS} --monitor`);
    expect(await monitor.running()).toBe(true);
    await worker1.run('systemctl start bluechi-agent');
    await agentStatus('online');
    // Online now: it keeps running (monitoring) rather than returning 0.
    expect(await monitor.running()).toBe(true);
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
  });
});
