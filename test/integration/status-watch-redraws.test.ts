/**
 * `bluechictl status -w` on real systemd, as upstream ran it (transcript
 * §6.12): the node table is cleared and drawn (ESC[2J ESC[0;0H, then the
 * table), and drawn again when a node goes offline (with the time it was last
 * seen) and comes back; the unit table is first printed without clearing and
 * redrawn, after the clear sequence, when the unit starts and stops. Every
 * table reaches the output file (or pipe) while bluechictl still runs, and a
 * table is only drawn again when it changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type BackgroundCommand } from '../harness/background.js';
import { parseNodeStatus, startCluster, type Cluster } from '../harness/cluster.js';
import { LAST_SEEN_TIMESTAMP, MAIN_AND_WORKER1_ONLINE, nodeTable, unitTableHeader, unitTableRow } from '../harness/expected-output.js';
import { parseMonitorOutput, unitCreated } from '../harness/monitor-output.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

const CLEAR = '\x1b[2J\x1b[0;0H';
const BENCH = ['bench.service'];
const unitTable = (active: string, sub: string) =>
  unitTableHeader(BENCH) + unitTableRow(BENCH, 'bench.service', ['loaded', active, sub, 'running', 'static']);
const INACTIVE = unitTable('inactive', 'dead');
const ACTIVE = unitTable('active', 'exited');
const ONLINE = MAIN_AND_WORKER1_ONLINE;

let cluster: Cluster;
const background: BackgroundCommand[] = [];

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'] });
  await cluster.node('worker1').writeUnit('bench.service', '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n');
});

afterAll(async () => {
  await Promise.allSettled(background.map((b) => b.kill()));
  await cluster?.stop();
});

async function ctlOk(args: string, stdout: string): Promise<void> {
  expect(await cluster.ctl(args)).toEqual({ exitCode: 0, stdout, stderr: '' });
}

describe('bluechictl status -w', () => {
  it('clears and redraws the node table when a worker goes offline and comes back', async () => {
    // Through a pipe, as in `bluechictl status -w | tee log`: each table must get through at once.
    const watch = await startBackground(cluster.main, 'status-w', 'bluechictl status -w', { pipe: true, timeoutS: 300 });
    background.push(watch);
    await watch.waitOut('the first table', (out) => out === CLEAR + ONLINE);
    expect(await watch.running()).toBe(true);

    await cluster.node('worker1').run('systemctl stop bluechi-agent');
    const offline = await watch.waitOut('a second table', (out) => {
      const frames = out.split(CLEAR);
      return frames.length === 3 && frames[2]!.split('\n').length === 5 && frames[2]!;
    });
    const row = parseNodeStatus(offline).find((r) => r.node === 'worker1');
    expect(row?.lastSeen).toMatch(LAST_SEEN_TIMESTAMP);
    expect(offline).toBe(
      nodeTable([
        ['main', 'online', '', 'now'],
        ['worker1', 'offline', '', row!.lastSeen],
      ]),
    );
    expect(await watch.running()).toBe(true);

    await cluster.node('worker1').run('systemctl start bluechi-agent');
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 30_000 });
    await watch.waitOut('a third table', (out) => out.split(CLEAR).length === 4);
    expect(await watch.running()).toBe(true);
    // Exactly one table per change, each after the clear sequence.
    expect(await watch.out()).toBe(CLEAR + ONLINE + CLEAR + offline + CLEAR + ONLINE);

    await watch.signal('INT');
    expect(await watch.waitExit()).toBe(0);
    expect(await watch.err()).toBe('');
    expect(await watch.out()).toBe(CLEAR + ONLINE + CLEAR + offline + CLEAR + ONLINE);
  });

  it('prints the unit table, then redraws it after the clear sequence as the unit starts and stops', async () => {
    // A monitor on the same unit shows what the watch makes systemd do.
    const monitor = await startBackground(cluster.main, 'monitor-bench', 'bluechictl monitor worker1 bench.service', { timeoutS: 300 });
    background.push(monitor);
    await waitFor('the monitor to follow bench.service', async () => {
      await cluster.ctl('status worker1 bench.service');
      return (await monitor.out()).includes(unitCreated('worker1', 'bench.service', 'real'));
    }, { intervalMs: 500 });

    const watch = await startBackground(cluster.main, 'status-unit-w', 'bluechictl status worker1 bench.service -w', { timeoutS: 300 });
    background.push(watch);
    // The first table comes without clearing the screen.
    await watch.waitOut('the first table', (out) => out === INACTIVE);
    expect(await watch.running()).toBe(true);

    await ctlOk('start worker1 bench.service', 'Unit bench.service StartUnit operation result: done\n');
    await watch.waitOut('the active table', (out) => out.split(CLEAR).at(-1) === ACTIVE);
    expect(await watch.running()).toBe(true);

    await ctlOk('stop worker1 bench.service', 'Unit bench.service StopUnit operation result: done\n');
    await watch.waitOut('the inactive table again', (out) => {
      const frames = out.split(CLEAR);
      return frames.length > 2 && frames.at(-1) === INACTIVE;
    });
    expect(await watch.running()).toBe(true);

    // Reading the stopped unit for a redraw must not keep systemd loading and
    // unloading it: between now and the next start, the unit is created at
    // most once (by that start).
    const before = parseMonitorOutput(await monitor.out()).events.length;
    await ctlOk('start worker1 bench.service', 'Unit bench.service StartUnit operation result: done\n');
    const between = await monitor.waitOut('the second start', (out) => {
      const list = parseMonitorOutput(out).events.slice(before);
      const started = list.findIndex((e) => e.kind === 'state' && e.active === 'activating');
      return started >= 0 && list.slice(0, started);
    });
    expect(between.filter((e) => e.kind === 'created').length).toBeLessThanOrEqual(1);
    await watch.waitOut('the active table again', (out) => out.split(CLEAR).at(-1) === ACTIVE);
    await ctlOk('stop worker1 bench.service', 'Unit bench.service StopUnit operation result: done\n');
    await watch.waitOut('the inactive table at the end', (out) => out.split(CLEAR).length > 4 && out.split(CLEAR).at(-1) === INACTIVE);

    await watch.signal('TERM');
    await monitor.signal('TERM');
    expect(await watch.waitExit()).toBe(0);
    expect(await monitor.waitExit()).toBe(0);
    expect(await watch.err()).toBe('');
    const frames = (await watch.out()).split(CLEAR);
    expect(frames[0]).toBe(INACTIVE);
    expect(frames.at(-1)).toBe(INACTIVE);
    expect(frames.indexOf(ACTIVE)).toBeGreaterThan(0);
    // Every table is whole (header, rule, one row), and none repeats the one before it:
    // a transition systemd passes through (activating) may be drawn too, nothing else.
    const rows = new Set([INACTIVE, ACTIVE, unitTable('activating', 'start'), unitTable('deactivating', 'stop')]);
    for (const [i, frame] of frames.entries()) {
      expect(rows.has(frame), JSON.stringify(frame)).toBe(true);
      if (i > 0) expect(frame).not.toBe(frames[i - 1]);
    }
  });

  it('shows the units again when their node comes back, though a stopped unit sends no event', async () => {
    const watch = await startBackground(cluster.main, 'status-unit-node', 'bluechictl status worker1 bench.service -w', { timeoutS: 300 });
    background.push(watch);
    await watch.waitOut('the first table', (out) => out === INACTIVE);

    await cluster.node('worker1').run('systemctl stop bluechi-agent');
    await waitForNodeState(cluster, 'worker1', 'offline');
    // While the node is away: the header alone, and the call's error on stderr, as upstream shows it.
    await watch.waitOut('the table without rows', (out) => out.split(CLEAR).at(-1) === unitTableHeader(BENCH));
    await watch.waitErr('the offline node', (err) => err.includes('Failed to issue call: Node is offline\n'));

    await cluster.node('worker1').run('systemctl start bluechi-agent');
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 30_000 });
    await watch.waitOut('the unit again', (out) => out.split(CLEAR).length > 2 && out.split(CLEAR).at(-1) === INACTIVE);
    await watch.signal('TERM');
    expect(await watch.waitExit()).toBe(0);
  });
});
