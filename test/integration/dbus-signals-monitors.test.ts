/**
 * Monitors over D-Bus (reference §2.4, §6), seen by real bus clients on the
 * controller's machine: ids, the unit events of a subscription in order and
 * unicast to the owner, SubscribeList, Unsubscribe, the virtual `*` events of
 * a wildcard subscription while an agent restarts, Close, peers (AddPeer,
 * RemovePeer, PeerRemoved) and a monitor closing when its owner leaves the bus.
 *
 * Absence is shown by order: the bus delivers one sender's messages to a
 * receiver in the order they were sent, and one node's unit events reach the
 * controller in order, so once an event sent later has arrived, an event that
 * was due earlier would have arrived too.
 */
import { describe, expect, it } from 'vitest';
import { CONTROLLER, CONTROLLER_PATH, MONITOR, type DbusClient } from './support/dbus-client-driver.js';
import { STATES, eventsOf, job, statesOf, unitEvents, useMonitorCluster, waitUnloaded } from './support/monitor-signals.js';

const env = useMonitorCluster(['a', 'b', 'c', 'd', 'barrier'].map((u) => `${u}.service`));
const client = env.client;

describe('a monitor and its subscriptions', () => {
  let owner: DbusClient;
  let monitor: string;
  let first: number;

  it('is numbered from 1 on a fresh controller, its subscriptions from 2', async () => {
    owner = await client('owner');
    [monitor] = (await owner.ok(CONTROLLER_PATH, CONTROLLER, 'CreateMonitor', '')) as [string];
    expect(monitor).toBe('/org/eclipse/bluechi/monitor/1');
    [first] = (await owner.ok(monitor, MONITOR, 'Subscribe', 'ss', 'worker1', 'a.service')) as [number];
    expect(first).toBe(2);
    // The barrier unit tells, by order, that earlier events of worker1 have all arrived.
    expect(await owner.ok(monitor, MONITOR, 'Subscribe', 'ss', 'worker1', 'barrier.service')).toEqual([3]);
  });

  it("reports a unit's start and stop as UnitNew, its state and property changes, then UnitRemoved, to the owner only", async () => {
    await job(owner, 'StartUnit', 'a.service');
    await job(owner, 'StopUnit', 'a.service');
    const events = unitEvents(await waitUnloaded(owner, monitor, 'a.service'), 'a.service');

    expect(events[0]).toEqual(['UnitNew', 'worker1', 'a.service', 'real']);
    expect(events.at(-1)).toEqual(['UnitRemoved', 'worker1', 'a.service', 'real']);
    expect(statesOf(events, 'a.service')).toEqual(STATES);
    expect(events.filter((e) => e[0] === 'UnitStateChanged').map((e) => e[5])).toEqual(['real', 'real', 'real']);
    const unitProps = events.filter((e) => e[0] === 'UnitPropertiesChanged' && e[3] === 'org.freedesktop.systemd1.Unit');
    expect(unitProps.length).toBeGreaterThan(0);
    expect(unitProps.map((e) => (e[4] as Record<string, unknown>).ActiveState)).toContainEqual({ signature: 's', value: 'active' });
    // 64-bit properties keep their type: systemd's realtime of entering `active`, in µs.
    const entered = unitProps.map((e) => (e[4] as Record<string, { signature: string; value: string }>).ActiveEnterTimestamp).find((v) => v && v.value !== '0');
    expect(entered?.signature).toBe('t');
    expect(BigInt(entered!.value)).toBeGreaterThan(BigInt(Date.parse('2020-01-01')) * 1000n);
    expect(events.filter((e) => e[0] === 'UnitPropertiesChanged').every((e) => e.length === 5 && typeof e[3] === 'string')).toBe(true);
    // Unicast, from the monitor's object.
    for (const s of (await owner.signals()).filter((x) => x.path === monitor)) {
      expect(s).toMatchObject({ interface: MONITOR, destination: owner.uniqueName });
    }
  });

  it('SubscribeList delivers the events of the listed units only', async () => {
    const [id] = (await owner.ok(monitor, MONITOR, 'SubscribeList', 'sas', 'worker1', ['b.service', 'c.service'])) as [number];
    expect(id).toBe(4);
    await job(owner, 'StartUnit', 'd.service');
    await job(owner, 'StartUnit', 'b.service');
    await job(owner, 'StopUnit', 'b.service');
    await job(owner, 'StopUnit', 'd.service');
    await job(owner, 'StartUnit', 'barrier.service');
    const events = await owner.waitSignals('barrier.service active', (s) => {
      const ev = eventsOf(s, monitor);
      return statesOf(ev, 'barrier.service').some(([a]) => a === 'active') && ev;
    });
    expect(statesOf(events, 'b.service')).toEqual(STATES);
    expect(unitEvents(events, 'd.service')).toEqual([]);
    expect(unitEvents(events, 'c.service')).toEqual([]);
  });

  it('Unsubscribe stops the events of that subscription, and an unknown id is refused', async () => {
    await owner.ok(monitor, MONITOR, 'Unsubscribe', 'u', first);
    expect(await owner.fails(monitor, MONITOR, 'Unsubscribe', 'u', first)).toEqual({
      name: 'org.freedesktop.DBus.Error.Failed',
      message: `Subscription '${first}' not found`,
    });
    const from = (await owner.signals()).length;
    await job(owner, 'StartUnit', 'a.service');
    await job(owner, 'StopUnit', 'barrier.service');
    const events = await waitUnloaded(owner, monitor, 'barrier.service', from);
    expect(statesOf(events, 'barrier.service')).toEqual([['inactive', 'dead']]);
    expect(unitEvents(events, 'a.service')).toEqual([]);
    await job(owner, 'StopUnit', 'a.service');
  });
});

describe('a wildcard subscription', () => {
  let watcher: DbusClient;
  let monitor: string;

  it('announces * on every node, and * going away and coming back while an agent restarts', async () => {
    watcher = await client('wildcard');
    [monitor] = (await watcher.ok(CONTROLLER_PATH, CONTROLLER, 'CreateMonitor', '')) as [string];
    await watcher.ok(monitor, MONITOR, 'Subscribe', 'ss', '*', '*');
    const initial = await watcher.waitSignals('a virtual * per node', (s) => {
      const ev = unitEvents(eventsOf(s, monitor), '*');
      return ev.length >= 2 && ev;
    });
    expect(initial.sort()).toEqual([
      ['UnitNew', 'main', '*', 'virtual'],
      ['UnitNew', 'worker1', '*', 'virtual'],
    ]);

    const from = (await watcher.signals()).length;
    await env.cluster.node('worker1').run('systemctl restart bluechi-agent');
    const star = await watcher.waitSignals('* of worker1 back', (s) => {
      const ev = unitEvents(eventsOf(s, monitor, from), '*');
      return ev.some((e) => e[0] === 'UnitNew') && ev;
    });
    expect(star).toEqual([
      ['UnitStateChanged', 'worker1', '*', 'inactive', 'agent-offline', 'virtual'],
      ['UnitRemoved', 'worker1', '*', 'virtual'],
      ['UnitNew', 'worker1', '*', 'virtual'],
    ]);
  });

  it('gives a monitor one copy of each event, however many of its subscriptions match', async () => {
    await watcher.ok(monitor, MONITOR, 'Subscribe', 'ss', 'worker1', 'c.service');
    await watcher.ok(monitor, MONITOR, 'SubscribeList', 'sas', '*', ['c.service', 'b.service']);
    const from = (await watcher.signals()).length;
    await job(watcher, 'StartUnit', 'c.service');
    await job(watcher, 'StopUnit', 'c.service');
    const events = unitEvents(await waitUnloaded(watcher, monitor, 'c.service', from), 'c.service');
    expect(statesOf(events, 'c.service')).toEqual(STATES);
    expect(events.filter((e) => e[0] === 'UnitNew')).toEqual([['UnitNew', 'worker1', 'c.service', 'real']]);
    expect(events.filter((e) => e[0] === 'UnitRemoved')).toEqual([['UnitRemoved', 'worker1', 'c.service', 'real']]);
  });
});
