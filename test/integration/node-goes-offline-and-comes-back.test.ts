/**
 * A node whose agent stops shows offline, with the time it was last seen and
 * no IP, and online again once the agent is back. An agent that hangs
 * (SIGSTOP) is cut off after the controller's heartbeat threshold and
 * reconnects by itself after SIGCONT.
 *
 * The controller sends heartbeats every 500 ms and cuts off a node silent for
 * 2000 ms. The agents beat every 500 ms too, so a healthy node never comes
 * near the threshold (with the default 2000 ms agent period it would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { LAST_SEEN_TIMESTAMP, LOOPBACK_IP, nodeTable } from '../harness/expected-output.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

/** `YYYY-MM-DD HH:MM:SS,mmm+HHMM` to epoch milliseconds. */
function parseLastSeen(text: string): number {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})([+-]\d\d)(\d\d)$/.exec(text);
  if (!m) throw new Error(`not a LAST SEEN timestamp: ${text}`);
  return Date.parse(`${m[1]}T${m[2]}.${m[3]}${m[4]}:${m[5]}`);
}

describe('a node goes offline and comes back', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      agents: ['worker1', 'worker2'],
      controllerConf: 'HeartbeatInterval=500\nNodeHeartbeatThreshold=2000',
      agentConf: { main: 'HeartbeatInterval=500', worker1: 'HeartbeatInterval=500', worker2: 'HeartbeatInterval=500' },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('shows a stopped agent offline with its last-seen time and no IP', async () => {
    const before = Date.now();
    await cluster.node('worker2').run('systemctl stop bluechi-agent');
    const after = Date.now();
    const row = await waitForNodeState(cluster, 'worker2', 'offline', { timeoutMs: 10_000 });
    expect(row.ip).toBe('');
    expect(row.lastSeen).toMatch(LAST_SEEN_TIMESTAMP);
    // Last seen = the last heartbeat (every 500 ms) before the agent went away;
    // the containers share the host's clock.
    const seen = parseLastSeen(row.lastSeen);
    expect(seen).toBeGreaterThanOrEqual(before - 2_000);
    expect(seen).toBeLessThanOrEqual(after + 1_000);

    expect(await cluster.ctl('status')).toEqual({
      exitCode: 0,
      stdout: nodeTable([
        ['main', 'online', '', 'now'],
        ['worker1', 'online', LOOPBACK_IP, 'now'],
        ['worker2', 'offline', '', row.lastSeen],
      ]),
      stderr: '',
    });
    expect(await cluster.ctl('status worker2')).toEqual({
      exitCode: 0,
      stdout: nodeTable([['worker2', 'offline', '', row.lastSeen]]),
      stderr: '',
    });
  });

  it('keeps the last-seen time while the node stays offline', async () => {
    const first = await waitForNodeState(cluster, 'worker2', 'offline', { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await waitForNodeState(cluster, 'worker2', 'offline');
    expect(second.lastSeen).toBe(first.lastSeen);
  });

  it('shows the node online again once its agent is started', async () => {
    await cluster.node('worker2').run('systemctl start bluechi-agent');
    await waitForNodeState(cluster, 'worker2', 'online', { timeoutMs: 15_000 });
    expect(await cluster.ctl('status worker2')).toEqual({
      exitCode: 0,
      stdout: nodeTable([['worker2', 'online', LOOPBACK_IP, 'now']]),
      stderr: '',
    });
  });

  it('cuts off a frozen agent after the heartbeat threshold', async () => {
    const worker1 = cluster.node('worker1');
    const pid = (await worker1.run('systemctl show -p MainPID --value bluechi-agent')).stdout.trim();
    expect(pid).toMatch(/^[1-9]\d*$/);
    const frozenAt = Date.now();
    await worker1.run(`kill -STOP ${pid}`);
    try {
      const row = await waitForNodeState(cluster, 'worker1', 'offline', { timeoutMs: 15_000, intervalMs: 100 });
      // Not before the 2000 ms threshold (less the up to 500 ms since the last beat).
      expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(1_400);
      expect(row.ip).toBe('');
      expect(row.lastSeen).toMatch(LAST_SEEN_TIMESTAMP);
      const controllerLog = await cluster.main.exec('journalctl --no-pager -o cat -u bluechi-controller');
      expect(controllerLog.stdout).toMatch(/^Did not receive a heartbeat from node 'worker1' for \d+ ms, disconnecting it/m);
      // The rest of the cluster is unaffected.
      expect((await cluster.ctl('status main')).stdout).toBe(nodeTable([['main', 'online', '', 'now']]));
      expect(await cluster.ctl('start worker1 nothing.service')).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: 'Failed to issue method call: Node is offline\n',
      });
    } finally {
      await worker1.run(`kill -CONT ${pid}`);
    }
  });

  it('reconnects a frozen agent by itself after SIGCONT', async () => {
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 15_000 });
    expect(await cluster.ctl('status worker1')).toEqual({
      exitCode: 0,
      stdout: nodeTable([['worker1', 'online', LOOPBACK_IP, 'now']]),
      stderr: '',
    });
    // The same agent process came back; systemd did not restart it.
    const worker1 = cluster.node('worker1');
    expect((await worker1.run('systemctl show -p NRestarts --value bluechi-agent')).stdout).toBe('0\n');
    const agentLog = (await worker1.run('journalctl --no-pager -o cat -u bluechi-agent')).stdout;
    expect(agentLog.match(/^Connected to controller as 'worker1'/gm)?.length).toBeGreaterThanOrEqual(2);
    // And it answers requests again.
    await waitFor('worker1 to answer list-units', async () => {
      const r = await cluster.ctl(`list-units worker1 --filter=bluechi-agent.service`);
      return r.exitCode === 0 && r.stdout.includes('| bluechi-agent.service ') && r;
    });
  });
});
