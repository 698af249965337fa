/**
 * `bluechictl monitor` on real systemd, as upstream ran it (transcript §6.6):
 * the header, a virtual `Unit created` for `*` on every node, the state
 * changes of a start and a stop in order; then what a monitor shows while a
 * worker's agent restarts (the node's units, `*` included, go offline and come
 * back) and while the controller restarts (monitor says so on stderr,
 * subscribes again and goes on reporting). `--json` prints one object per
 * line; a unit list watches those units only; SIGINT and SIGTERM end it with
 * status 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type BackgroundCommand } from '../harness/background.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import {
  monitorHeader,
  parseMonitorEvents,
  parseMonitorOutput,
  stateChanges,
  unitCreated,
  unitRemoved,
  unitStateChanged,
  type MonitorEvent,
} from '../harness/monitor-output.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

const ONESHOT = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';
const NODES = ['main', 'worker1'];
const MONITOR_PATH = /^\/org\/eclipse\/bluechi\/monitor\/\d+$/;
const RECONNECTED = /^Lost the connection to the controller, reconnecting\.\.\.\nConnected to the controller again\nMonitoring again as (\/org\/eclipse\/bluechi\/monitor\/\d+)\n$/;
/** Every controller restart a monitor lived through: one whole notice each. */
const RECONNECTS = /^(Lost the connection to the controller, reconnecting\.\.\.\nConnected to the controller again\nMonitoring again as \/org\/eclipse\/bluechi\/monitor\/\d+\n)+$/;

let cluster: Cluster;
const background: BackgroundCommand[] = [];

async function monitor(name: string, args: string, opts: { pipe?: boolean } = {}): Promise<BackgroundCommand> {
  const cmd = await startBackground(cluster.main, name, `bluechictl monitor ${args}`, { timeoutS: 600, ...opts });
  background.push(cmd);
  return cmd;
}

const events = async (m: BackgroundCommand): Promise<MonitorEvent[]> => parseMonitorOutput(await m.out()).events;

const has = (list: MonitorEvent[], want: Partial<MonitorEvent>) =>
  list.some((e) => Object.entries(want).every(([k, v]) => (e as Record<string, unknown>)[k] === v));

/**
 * A monitor prints its header before its subscription is in place. Asking for
 * a unit's status makes systemd load it (an `Unit created (reason: real)` event),
 * so polling `status` until every monitor has reported the unit tells that
 * the subscriptions are live. `seen` gets the text each monitor wrote after `from`.
 */
async function waitSubscribed(mons: Array<[BackgroundCommand, number]>, node: string, unit: string, seen: (text: string) => boolean): Promise<void> {
  await waitFor(`monitors to report ${unit} on ${node}`, async () => {
    const status = await cluster.ctl(`status ${node} ${unit}`);
    expect(status.exitCode).toBe(0);
    const outs = await Promise.all(mons.map(([m]) => m.out()));
    return outs.every((out, i) => seen(out.slice(mons[i]![1])));
  }, { timeoutMs: 30_000, intervalMs: 500 });
}

async function ctlOk(args: string, stdout: string): Promise<void> {
  expect(await cluster.ctl(args)).toEqual({ exitCode: 0, stdout, stderr: '' });
}

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'] });
  const worker1 = cluster.node('worker1');
  for (const unit of ['bench.service', 'a.service', 'b.service', 'c.service']) {
    await worker1.writeFile(`/etc/systemd/system/${unit}`, ONESHOT);
  }
  await worker1.run('systemctl daemon-reload');
});

afterAll(async () => {
  await Promise.allSettled(background.map((b) => b.kill()));
  await cluster?.stop();
});

describe('bluechictl monitor', () => {
  let all: BackgroundCommand;
  let bench: BackgroundCommand;

  it('prints the header, then a virtual Unit created for * on every node', async () => {
    all = await monitor('all', '', { pipe: true });
    bench = await monitor('bench', 'worker1 bench.service');

    const first = await all.waitOut('a virtual Unit created for * on every node', (out) => {
      const parsed = parseMonitorOutput(out);
      return NODES.every((n) => has(parsed.events, { node: n, unit: '*', kind: 'created' })) && parsed;
    });
    expect(first.path).toMatch(MONITOR_PATH);
    expect(first.subscriptions).toEqual([['*', '*']]);
    // Before any unit event: one virtual creation of `*` per node.
    const out = await all.out();
    const head = monitorHeader(first.path, '*', ['*']);
    expect(out.startsWith(head)).toBe(true);
    const firstBlocks = out.slice(head.length, head.length + NODES.map((n) => unitCreated(n, '*', 'virtual')).join('').length);
    expect(firstBlocks.split(/(?=\[)/).sort()).toEqual(NODES.map((n) => unitCreated(n, '*', 'virtual')).sort());

    const one = await bench.waitOut('the header', (text) => text.split('\n').length > 2 && text);
    const path = /^Monitor path: (.*)\n/.exec(one)![1]!;
    expect(path).toMatch(MONITOR_PATH);
    expect(path).not.toBe(first.path);
    expect(one).toBe(monitorHeader(path, 'worker1', ['bench.service']));
    expect(await all.err()).toBe('');
    expect(await bench.err()).toBe('');
  });

  it('reports a start and a stop as activating (start), active (exited), inactive (dead)', async () => {
    await waitSubscribed([[bench, 0], [all, 0]], 'worker1', 'bench.service', (text) => text.includes(unitCreated('worker1', 'bench.service', 'real')));
    await ctlOk('start worker1 bench.service', 'Unit bench.service StartUnit operation result: done\n');
    await ctlOk('stop worker1 bench.service', 'Unit bench.service StopUnit operation result: done\n');

    const expected = ['activating (start)', 'active (exited)', 'inactive (dead)'];
    for (const m of [bench, all]) {
      await m.waitOut('the stop, and systemd unloading the stopped unit', (out) => {
        const list = parseMonitorOutput(out).events;
        const stopped = list.findIndex((e) => e.kind === 'state' && e.unit === 'bench.service' && e.active === 'inactive');
        return stopped >= 0 && list.slice(stopped).some((e) => e.kind === 'removed' && e.unit === 'bench.service' && e.reason === 'real');
      });
      expect(stateChanges(await events(m), 'worker1', 'bench.service')).toEqual(expected);
      expect(stateChanges(await events(m), 'worker1', 'bench.service', 'real')).toEqual(expected);
    }
    const out = await bench.out();
    for (const state of expected) {
      const [active, sub] = state.split(/ \(|\)/) as [string, string];
      expect(out).toContain(unitStateChanged('worker1', 'bench.service', 'real', active, sub));
    }
    // Property changes: the interface, then the first string property only.
    expect(out).toContain('[worker1] bench.service\n\tUnit properties changed (Interface: org.freedesktop.systemd1.Unit)\n\tActiveState: activating\n');
    expect(out).toContain('[worker1] bench.service\n\tUnit properties changed (Interface: org.freedesktop.systemd1.Service)\n\tStatusText: \n');
    // The unit monitor reports that unit only; the wildcard one sees others too.
    expect((await events(bench)).every((e) => e.node === 'worker1' && e.unit === 'bench.service')).toBe(true);
    expect(new Set((await events(all)).map((e) => e.unit)).size).toBeGreaterThan(2);
  });

  it('shows the units of a restarting agent go offline and come back', async () => {
    await ctlOk('start worker1 bench.service', 'Unit bench.service StartUnit operation result: done\n');
    await bench.waitOut('the start', (out) => stateChanges(parseMonitorOutput(out).events, 'worker1', 'bench.service').at(-1) === 'active (exited)');
    const allFrom = (await events(all)).length;
    const benchFrom = (await events(bench)).length;

    await cluster.node('worker1').run('systemctl restart bluechi-agent');
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 30_000 });

    const star = await all.waitOut('* on worker1 gone and back', (out) => {
      const list = parseMonitorOutput(out).events.slice(allFrom).filter((e) => e.node === 'worker1' && e.unit === '*');
      return list.length >= 3 && list;
    });
    expect(star).toEqual([
      { node: 'worker1', unit: '*', kind: 'state', reason: 'virtual', active: 'inactive', sub: 'agent-offline' },
      { node: 'worker1', unit: '*', kind: 'removed', reason: 'virtual' },
      { node: 'worker1', unit: '*', kind: 'created', reason: 'virtual' },
    ]);
    const allText = await all.out();
    const offline = allText.indexOf(unitStateChanged('worker1', '*', 'virtual', 'inactive', 'agent-offline'));
    const removed = allText.indexOf(unitRemoved('worker1', '*', 'virtual'), offline);
    const created = allText.indexOf(unitCreated('worker1', '*', 'virtual'), removed);
    expect([offline >= 0, removed > offline, created > removed]).toEqual([true, true, true]);

    // A running unit: offline and removed, then created again with its current state.
    const unit = await bench.waitOut('bench.service gone and back', (out) => {
      // Only the virtual events: late property changes of the start may still come in.
      const list = parseMonitorOutput(out).events.slice(benchFrom).filter((e) => e.kind !== 'properties' && e.reason === 'virtual');
      return list.length >= 4 && list;
    });
    expect(unit).toEqual([
      { node: 'worker1', unit: 'bench.service', kind: 'state', reason: 'virtual', active: 'inactive', sub: 'agent-offline' },
      { node: 'worker1', unit: 'bench.service', kind: 'removed', reason: 'virtual' },
      { node: 'worker1', unit: 'bench.service', kind: 'created', reason: 'virtual' },
      { node: 'worker1', unit: 'bench.service', kind: 'state', reason: 'virtual', active: 'active', sub: 'exited' },
    ]);
    expect(await all.err()).toBe('');
    expect(await bench.err()).toBe('');

    await ctlOk('stop worker1 bench.service', 'Unit bench.service StopUnit operation result: done\n');
    await bench.waitOut('the stopped unit unloaded', (out) => parseMonitorOutput(out).events.at(-1)?.kind === 'removed');
  });

  it('reconnects after a controller restart, says so on stderr and reports later starts', async () => {
    const allFrom = (await all.out()).length;
    const benchFrom = (await bench.out()).length;
    await cluster.main.run('systemctl restart bluechi-controller');

    const paths: string[] = [];
    for (const m of [all, bench]) {
      const err = await m.waitErr('the reconnect', (text) => RECONNECTED.exec(text));
      paths.push(err[1]!);
    }
    expect(paths[0]).not.toBe(paths[1]);
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 30_000 });

    // Subscribed again: every node's `*` is created again, and no second header.
    await all.waitOut('* created again on every node', (out) => NODES.every((n) => out.slice(allFrom).includes(unitCreated(n, '*', 'virtual'))));
    expect((await all.out()).slice(allFrom)).not.toContain('Monitor path:');

    await waitSubscribed([[bench, benchFrom], [all, allFrom]], 'worker1', 'bench.service', (text) => text.includes(unitCreated('worker1', 'bench.service', 'real')));
    await ctlOk('start worker1 bench.service', 'Unit bench.service StartUnit operation result: done\n');
    for (const m of [bench, all]) {
      const after = await m.waitOut('the start after the restart', (out) => {
        const states = stateChanges(parseMonitorEvents(out.slice(m === all ? allFrom : benchFrom)), 'worker1', 'bench.service');
        return states.includes('active (exited)') && states;
      });
      expect(after).toEqual(['activating (start)', 'active (exited)']);
    }
    await ctlOk('stop worker1 bench.service', 'Unit bench.service StopUnit operation result: done\n');
    await bench.waitOut('the stop after the restart', (out) => stateChanges(parseMonitorOutput(out).events, 'worker1', 'bench.service').at(-1) === 'inactive (dead)');
  });

  it('reports a unit stopped while the controller was down as out of reach, and not back', async () => {
    await ctlOk('start worker1 c.service', 'Unit c.service StartUnit operation result: done\n');
    const watcher = await monitor('c-only', 'worker1 c.service');
    await watcher.waitOut('the current state of c.service', (out) => stateChanges(parseMonitorOutput(out).events, 'worker1', 'c.service').at(-1) === 'active (exited)');
    const from = (await events(watcher)).length;

    await cluster.main.run('systemctl stop bluechi-controller');
    await watcher.waitErr('the lost controller', (text) => text.includes('Lost the connection to the controller'));
    // Meanwhile, on the node itself: stopped, so systemd unloads it.
    await cluster.node('worker1').run('systemctl stop c.service');
    await cluster.main.run('systemctl start bluechi-controller');
    await watcher.waitErr('the reconnect', (text) => RECONNECTED.exec(text));
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 30_000 });

    // The lost controller is reported as for a node that disconnects; nothing brings c.service back.
    const after = await watcher.waitOut('c.service out of reach', (out) => {
      const list = parseMonitorOutput(out).events.slice(from).filter((e) => e.kind !== 'properties');
      return list.length >= 2 && list;
    });
    expect(after.slice(0, 2)).toEqual([
      { node: 'worker1', unit: 'c.service', kind: 'state', reason: 'virtual', active: 'inactive', sub: 'agent-offline' },
      { node: 'worker1', unit: 'c.service', kind: 'removed', reason: 'virtual' },
    ]);
    expect(after.filter((e) => e.kind === 'created')).toEqual([]);
    expect((await cluster.node('worker1').systemctl('is-active', 'c.service')).stdout).toBe('inactive\n');
    await watcher.kill();
  });

  it('ends with status 0 on SIGINT and on SIGTERM, with whole events only', async () => {
    expect(await all.running()).toBe(true);
    expect(await bench.running()).toBe(true);
    await all.signal('INT');
    await bench.signal('TERM');
    expect(await all.waitExit()).toBe(0);
    expect(await bench.waitExit()).toBe(0);
    for (const m of [all, bench]) {
      const out = await m.out();
      expect(out.endsWith('\n')).toBe(true);
      expect(() => parseMonitorOutput(out)).not.toThrow();
      expect(await m.err()).toMatch(RECONNECTS);
    }
  });
});

describe('bluechictl monitor NODE UNIT,UNIT', () => {
  it('reports the listed units only, as text and as one JSON object per line', async () => {
    const text = await monitor('ab', 'worker1 a.service,b.service');
    const json = await monitor('ab-json', 'worker1 a.service,b.service --json');

    const header = await text.waitOut('the header', (out) => out.split('\n').length > 3 && out);
    const path = /^Monitor path: (.*)\n/.exec(header)![1]!;
    expect(header).toBe(monitorHeader(path, 'worker1', ['a.service', 'b.service']));
    const subscribed = await json.waitOut('the subscriptions', (out) => out.split('\n').length > 2 && out);
    const [s1, s2] = subscribed.split('\n').map((l) => (l === '' ? undefined : JSON.parse(l)));
    expect(s1).toEqual({ event: 'Subscribed', monitor: expect.stringMatching(MONITOR_PATH), node: 'worker1', unit: 'a.service' });
    expect(s2).toEqual({ event: 'Subscribed', monitor: s1.monitor, node: 'worker1', unit: 'b.service' });
    expect(s1.monitor).not.toBe(path);

    await waitSubscribed([[text, 0], [json, 0]], 'worker1', 'a.service', (out) => out.includes(unitCreated('worker1', 'a.service', 'real')) || out.includes('"event":"UnitNew","node":"worker1","unit":"a.service"'));
    // c.service goes first: events of one node arrive in order, so once b's
    // are in, c's would be too.
    for (const [verb, unit] of [['start', 'a'], ['start', 'c'], ['stop', 'c'], ['start', 'b'], ['stop', 'b'], ['stop', 'a']] as const) {
      const method = verb === 'start' ? 'StartUnit' : 'StopUnit';
      await ctlOk(`${verb} worker1 ${unit}.service`, `Unit ${unit}.service ${method} operation result: done\n`);
    }
    const expected = ['activating (start)', 'active (exited)', 'inactive (dead)'];
    const lines = await json.waitOut('a.service stopped', (out) => {
      const objs = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      const states = objs.filter((o) => o.event === 'UnitStateChanged' && o.unit === 'a.service').map((o) => `${o.activeState} (${o.subState})`);
      return states.length >= 3 && objs;
    });
    const states = (unit: string) =>
      lines.filter((o) => o.event === 'UnitStateChanged' && o.unit === unit).map((o) => `${o.activeState} (${o.subState})`);
    expect(states('a.service')).toEqual(expected);
    expect(states('b.service')).toEqual(expected);
    for (const o of lines.slice(2)) {
      expect(['a.service', 'b.service']).toContain(o.unit);
      expect(o.node).toBe('worker1');
      expect(['UnitNew', 'UnitRemoved', 'UnitStateChanged', 'UnitPropertiesChanged']).toContain(o.event);
      if (o.event === 'UnitStateChanged') expect(Object.keys(o).sort()).toEqual(['activeState', 'event', 'node', 'reason', 'subState', 'unit']);
      if (o.event === 'UnitNew' || o.event === 'UnitRemoved') expect(Object.keys(o).sort()).toEqual(['event', 'node', 'reason', 'unit']);
      if (o.event === 'UnitPropertiesChanged') {
        expect(Object.keys(o).sort()).toEqual(['event', 'interface', 'node', 'properties', 'unit']);
        expect(typeof o.properties).toBe('object');
      }
    }
    // The JSON form carries every changed property, not only the first string one.
    const unitProps = lines.find((o) => o.event === 'UnitPropertiesChanged' && o.interface === 'org.freedesktop.systemd1.Unit' && o.unit === 'b.service');
    expect(unitProps?.properties).toMatchObject({ ActiveState: expect.any(String), SubState: expect.any(String) });

    await text.waitOut('a.service stopped', (out) => stateChanges(parseMonitorOutput(out).events, 'worker1', 'a.service').length >= 3);
    const textEvents = await events(text);
    expect(stateChanges(textEvents, 'worker1', 'a.service')).toEqual(expected);
    expect(stateChanges(textEvents, 'worker1', 'b.service')).toEqual(expected);
    expect(new Set(textEvents.map((e) => `${e.node} ${e.unit}`))).toEqual(new Set(['worker1 a.service', 'worker1 b.service']));

    await text.signal('TERM');
    await json.signal('INT');
    expect(await text.waitExit()).toBe(0);
    expect(await json.waitExit()).toBe(0);
    expect(await text.err()).toBe('');
    expect(await json.err()).toBe('');
  });
});
