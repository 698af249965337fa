/**
 * Upstream's proxy and monitor scenarios (reference §9.2) driven over the
 * D-Bus API instead of bluechictl: Node.StartUnit/StopUnit of a requester
 * on main that needs `bluechi-proxy@worker1_TARGET.service`, followed through
 * a monitor and read back with Node.GetUnitProperty; a monitor's SubscribeList
 * over two units; a wildcard monitor over two nodes; a transient unit's
 * creation and removal.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { depOf, proxyOf, sourceUnit, targetUnit } from './support/proxy-units.js';
import {
  CONTROLLER,
  CONTROLLER_PATH,
  DbusClient,
  FROM_BLUECHI,
  MONITOR,
  NODE,
  nodePath,
  type Signal,
} from './support/dbus-client-driver.js';

const ONESHOT = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';
const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';

let cluster: Cluster;
let client: DbusClient;
const written: Array<[string, string]> = [];

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'], controllerConf: '[node main]\nAllowDependenciesOn=worker1\n' });
  client = await DbusClient.start(cluster.main, 'scenarios');
  await client.addMatch(FROM_BLUECHI);
});

afterEach(async () => {
  for (const [node, unit] of written.splice(0)) {
    await cluster.node(node).exec(`systemctl stop ${unit}; rm -f /etc/systemd/system/${unit}`);
  }
  for (const node of ['main', 'worker1']) await cluster.node(node).exec('systemctl reset-failed; systemctl daemon-reload');
});

afterAll(async () => {
  await client?.kill();
  await cluster?.stop();
});

async function writeUnit(node: string, unit: string, text: string): Promise<void> {
  await cluster.node(node).writeUnit(unit, text);
  written.push([node, unit]);
}

/** Runs StartUnit or StopUnit over D-Bus and returns the job's result. */
async function job(method: 'StartUnit' | 'StopUnit', node: string, unit: string): Promise<string> {
  const [path] = await client.ok(nodePath(node), NODE, method, 'ss', unit, 'replace');
  const removed = await client.waitSignals(`the end of ${method} ${unit} on ${node}`, (s) =>
    s.find((x) => x.member === 'JobRemoved' && x.args[1] === path),
  );
  return removed.args[4] as string;
}

/** ActiveState of a unit on a node, read over Node.GetUnitProperty. */
async function activeState(node: string, unit: string): Promise<string> {
  const [v] = await client.ok(nodePath(node), NODE, 'GetUnitProperty', 'sss', unit, UNIT_IFACE, 'ActiveState');
  return (v as { value: string }).value;
}

async function monitor(): Promise<string> {
  const [path] = (await client.ok(CONTROLLER_PATH, CONTROLLER, 'CreateMonitor', '')) as [string];
  return path;
}

type Event = { member: string; node: string; unit: string; rest: unknown[] };
const eventsOf = (signals: Signal[], path: string, from = 0): Event[] =>
  signals
    .slice(from)
    .filter((s) => s.path === path && s.member !== 'PeerRemoved')
    .map((s) => {
      const [node, unit, ...rest] = s.args as [string, string, ...unknown[]];
      return { member: s.member, node, unit, rest };
    });
/** ACTIVE states a unit went through, from UnitStateChanged. */
const activeStates = (events: Event[], node: string, unit: string) =>
  events.filter((e) => e.member === 'UnitStateChanged' && e.node === node && e.unit === unit).map((e) => e.rest[0]);

/** Waits until the monitor at `path` reported each [node, unit] reaching `state` (after signal `from`); returns its events. */
function waitStates(path: string, units: Array<[string, string]>, state: string, from = 0): Promise<Event[]> {
  return client.waitSignals(`${units.map(([n, u]) => `${u} on ${n}`).join(', ')} ${state}`, (s) => {
    const events = eventsOf(s, path, from);
    return units.every(([node, unit]) => activeStates(events, node, unit).includes(state)) && events;
  });
}

describe('proxy scenarios over D-Bus', () => {
  it('proxy-service-start, then stop-requesting-with-unneeded: the target follows its requester on main', async () => {
    const proxy = proxyOf('worker1', 'dbus-target');
    await writeUnit('worker1', 'dbus-target.service', targetUnit({ stopWhenUnneeded: true }));
    await writeUnit('main', 'dbus-requester.service', sourceUnit('Requires', proxy));
    const m = await monitor();
    await client.ok(m, MONITOR, 'Subscribe', 'ss', 'worker1', 'dbus-target.service');
    await client.ok(m, MONITOR, 'Subscribe', 'ss', 'main', proxy);

    expect(await job('StartUnit', 'main', 'dbus-requester.service')).toBe('done');
    const started = await waitStates(m, [['worker1', 'dbus-target.service'], ['main', proxy]], 'active');
    expect(activeStates(started, 'main', proxy)).toEqual(['activating', 'active']);
    for (const [node, unit] of [['main', 'dbus-requester.service'], ['main', proxy], ['worker1', 'dbus-target.service'], ['worker1', depOf('dbus-target')]]) {
      expect([unit, await activeState(node!, unit!)]).toEqual([unit, 'active']);
    }

    const from = (await client.signals()).length;
    expect(await job('StopUnit', 'main', 'dbus-requester.service')).toBe('done');
    const stopped = await waitStates(m, [['worker1', 'dbus-target.service'], ['main', proxy]], 'inactive', from);
    expect(activeStates(stopped, 'main', proxy).at(-1)).toBe('inactive');
    expect(activeStates(stopped, 'worker1', 'dbus-target.service').at(-1)).toBe('inactive');
    for (const [node, unit] of [['main', proxy], ['worker1', 'dbus-target.service'], ['worker1', depOf('dbus-target')]]) {
      expect([unit, await activeState(node!, unit!)]).toEqual([unit, 'inactive']);
    }
    await client.ok(m, MONITOR, 'Close', '');
  });

  it('proxy-service-multiple-services-one-node: the target stops only after the second requester stops', async () => {
    const proxy = proxyOf('worker1', 'shared-target');
    await writeUnit('worker1', 'shared-target.service', targetUnit({ stopWhenUnneeded: true }));
    await writeUnit('main', 'first-requester.service', sourceUnit('Wants', proxy));
    await writeUnit('main', 'second-requester.service', sourceUnit('Wants', proxy));
    const m = await monitor();
    await client.ok(m, MONITOR, 'SubscribeList', 'sas', 'main', [proxy, 'first-requester.service', 'second-requester.service']);
    await client.ok(m, MONITOR, 'Subscribe', 'ss', 'worker1', 'shared-target.service');

    expect(await job('StartUnit', 'main', 'first-requester.service')).toBe('done');
    expect(await job('StartUnit', 'main', 'second-requester.service')).toBe('done');
    await waitStates(m, [['worker1', 'shared-target.service'], ['main', proxy]], 'active');

    expect(await job('StopUnit', 'main', 'first-requester.service')).toBe('done');
    expect(await activeState('main', 'first-requester.service')).toBe('inactive');
    // The proxy is still needed by the second requester, so it stays, and so does the target.
    expect(await activeState('main', proxy)).toBe('active');
    expect(await activeState('worker1', 'shared-target.service')).toBe('active');

    const before = eventsOf(await client.signals(), m).length;
    expect(await job('StopUnit', 'main', 'second-requester.service')).toBe('done');
    const events = await waitStates(m, [['worker1', 'shared-target.service'], ['main', proxy], ['main', 'second-requester.service']], 'inactive');
    // Up to the second stop, neither the proxy nor the target went inactive; after it, each did once.
    for (const [node, unit] of [['main', proxy], ['worker1', 'shared-target.service']] as const) {
      expect(activeStates(events.slice(0, before), node, unit)).not.toContain('inactive');
      expect(activeStates(events.slice(before), node, unit).filter((a) => a === 'inactive')).toEqual(['inactive']);
    }
    expect(activeStates(events, 'main', 'first-requester.service').at(-1)).toBe('inactive');
    expect(await activeState('worker1', depOf('shared-target'))).toBe('inactive');
    await client.ok(m, MONITOR, 'Close', '');
  });
});

const kinds = (events: Event[], node: string, unit: string) =>
  [...new Set(events.filter((e) => e.node === node && e.unit === unit).map((e) => e.member))].sort();

describe('monitor scenarios over D-Bus', () => {
  it('monitor-multiple-nodes-and-units: SubscribeList on worker1 gets both units there, nothing of the same units on main', async () => {
    for (const node of ['main', 'worker1']) {
      for (const unit of ['listed1.service', 'listed2.service']) await writeUnit(node, unit, ONESHOT);
    }
    await writeUnit('main', 'main-barrier.service', ONESHOT);
    const m = await monitor();
    await client.ok(m, MONITOR, 'SubscribeList', 'sas', 'worker1', ['listed1.service', 'listed2.service']);
    // Events of main arrive in order: once the barrier's are in, earlier ones of main would be too.
    await client.ok(m, MONITOR, 'Subscribe', 'ss', 'main', 'main-barrier.service');

    for (const node of ['main', 'worker1']) {
      for (const unit of ['listed1.service', 'listed2.service']) {
        expect(await job('StartUnit', node, unit)).toBe('done');
        expect(await job('StopUnit', node, unit)).toBe('done');
      }
    }
    expect(await job('StartUnit', 'main', 'main-barrier.service')).toBe('done');
    const events = await client.waitSignals('both units stopped on worker1, the barrier active on main', (s) => {
      const ev = eventsOf(s, m);
      const done = ['listed1.service', 'listed2.service'].every((u) => activeStates(ev, 'worker1', u).includes('inactive'));
      return done && activeStates(ev, 'main', 'main-barrier.service').includes('active') && ev;
    });
    for (const unit of ['listed1.service', 'listed2.service']) {
      expect(activeStates(events, 'worker1', unit)).toEqual(['activating', 'active', 'inactive']);
      expect(events.filter((e) => e.node === 'main' && e.unit === unit)).toEqual([]);
    }
    await client.ok(m, MONITOR, 'Close', '');
  });

  it('monitor-wildcard-unit-changes: * on * gets all four kinds of event for a unit on each of two nodes', async () => {
    for (const node of ['main', 'worker1']) await writeUnit(node, 'wild.service', ONESHOT);
    const m = await monitor();
    await client.ok(m, MONITOR, 'Subscribe', 'ss', '*', '*');
    for (const node of ['main', 'worker1']) {
      expect(await job('StartUnit', node, 'wild.service')).toBe('done');
      expect(await job('StopUnit', node, 'wild.service')).toBe('done');
    }
    const all = ['UnitNew', 'UnitPropertiesChanged', 'UnitRemoved', 'UnitStateChanged'];
    const events = await client.waitSignals('wild.service unloaded on both nodes', (s) => {
      const ev = eventsOf(s, m);
      return ['main', 'worker1'].every((n) => kinds(ev, n, 'wild.service').length === 4) && ev;
    });
    for (const node of ['main', 'worker1']) {
      expect(kinds(events, node, 'wild.service')).toEqual(all);
      expect(activeStates(events, node, 'wild.service')).toEqual(['activating', 'active', 'inactive']);
    }
    await client.ok(m, MONITOR, 'Close', '');
  });

  it('bluechi-controller-start-transient-unit: StartTransientUnit yields UnitNew, then UnitRemoved once it ran', async () => {
    const unit = 'dbus-transient.service';
    const m = await monitor();
    await client.ok(m, MONITOR, 'Subscribe', 'ss', 'worker1', unit);
    const execStart = { $variant: ['a(sasb)', [['/usr/bin/sleep', ['/usr/bin/sleep', '1'], false]]] };
    const [jobPath] = await client.ok(nodePath('worker1'), NODE, 'StartTransientUnit', 'ssa(sv)a(sa(sv))', unit, 'replace', [['ExecStart', execStart]], []);
    expect(jobPath).toMatch(/^\/org\/freedesktop\/systemd1\/job\/\d+$/);

    const events = await client.waitSignals(`${unit} removed`, (s) => {
      const ev = eventsOf(s, m);
      return ev.some((e) => e.member === 'UnitRemoved') && ev;
    });
    expect(events[0]).toEqual({ member: 'UnitNew', node: 'worker1', unit, rest: ['real'] });
    expect(events.at(-1)).toEqual({ member: 'UnitRemoved', node: 'worker1', unit, rest: ['real'] });
    expect(activeStates(events, 'worker1', unit)).toEqual(['active', 'inactive']);
    await client.ok(m, MONITOR, 'Close', '');
  });
});
