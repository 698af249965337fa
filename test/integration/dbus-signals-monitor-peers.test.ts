/**
 * Closing monitors and monitor peers over D-Bus (reference §2.4, §6), with
 * real bus clients on the controller's machine: Close and an owner leaving
 * the bus take the monitor off the bus and tell its peers "monitor closed";
 * AddPeer's refusals; a peer hears what the owner hears, a connection that
 * only adds match rules hears nothing (monitor signals are unicast);
 * RemovePeer tells that peer why and stops its events.
 *
 * Absence is shown by order: the bus delivers one sender's messages to a
 * receiver in the order they were sent, so once a broadcast sent later has
 * arrived, a monitor signal sent earlier would have arrived too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLER, CONTROLLER_PATH, FROM_BLUECHI, INVALID_ARGS, MONITOR, type DbusClient } from './support/dbus-client-driver.js';
import { STATES, eventsOf, job, statesOf, useMonitorCluster, waitUnloaded } from './support/monitor-signals.js';

const env = useMonitorCluster(['d.service', 'e.service']);
const client = env.client;

/** Object paths the controller serves, as `busctl tree` lists them. */
async function servedPaths(): Promise<string[]> {
  const { stdout } = await env.cluster.main.run('busctl --list tree org.eclipse.bluechi');
  return stdout.split('\n').filter((l) => l !== '');
}

describe('closing a monitor', () => {
  it('Close takes it off the bus, tells its peers "monitor closed", and later calls fail', async () => {
    const owner = await client('closer');
    const peer = await client('closer-peer');
    const [monitor] = (await owner.ok(CONTROLLER_PATH, CONTROLLER, 'CreateMonitor', '')) as [string];
    await owner.ok(monitor, MONITOR, 'Subscribe', 'ss', 'worker1', 'e.service');
    // The first peer of this controller.
    expect(await owner.ok(monitor, MONITOR, 'AddPeer', 's', peer.uniqueName)).toEqual([1]);
    expect(await servedPaths()).toContain(monitor);

    await owner.ok(monitor, MONITOR, 'Close', '');
    const removed = await peer.waitSignals('PeerRemoved', (s) => s.find((x) => x.path === monitor && x.member === 'PeerRemoved'));
    expect(removed).toMatchObject({ interface: MONITOR, args: ['monitor closed'], destination: peer.uniqueName });
    expect(await servedPaths()).not.toContain(monitor);
    for (const [member, signature, ...args] of [['Close', ''], ['Subscribe', 'ss', 'worker1', 'e.service'], ['AddPeer', 's', peer.uniqueName]] as const) {
      const error = await owner.fails(monitor, MONITOR, member, signature, ...args);
      expect(error.name).toBe('org.freedesktop.DBus.Error.UnknownObject');
    }
    expect(eventsOf(await owner.signals(), monitor)).toEqual([]);
  });

  it('a monitor closes when its owner leaves the bus, and its peer hears "monitor closed"', async () => {
    const owner = await client('leaver');
    const peer = await client('leaver-peer');
    const [monitor] = (await owner.ok(CONTROLLER_PATH, CONTROLLER, 'CreateMonitor', '')) as [string];
    await owner.ok(monitor, MONITOR, 'AddPeer', 's', peer.uniqueName);
    expect(await servedPaths()).toContain(monitor);

    await owner.kill();
    const removed = await peer.waitSignals('PeerRemoved', (s) => s.find((x) => x.path === monitor && x.member === 'PeerRemoved'));
    expect(removed).toMatchObject({ interface: MONITOR, args: ['monitor closed'], destination: peer.uniqueName });
    expect(await servedPaths()).not.toContain(monitor);
  });
});

describe('monitor peers', () => {
  let owner: DbusClient;
  let peer: DbusClient;
  let passive: DbusClient;
  let monitor: string;
  let peerId: number;

  beforeAll(async () => {
    owner = await client('peers-owner');
    peer = await client('peers-peer');
    passive = await client('peers-passive');
    [monitor] = (await owner.ok(CONTROLLER_PATH, CONTROLLER, 'CreateMonitor', '')) as [string];
    await owner.ok(monitor, MONITOR, 'Subscribe', 'ss', 'worker1', 'e.service');
    // Besides every signal of the controller (client()): the monitor's, by sender and path.
    await passive.addMatch(`${FROM_BLUECHI},path='${monitor}'`);
  });

  it('AddPeer refuses the owner, a name added already and a name that is not a unique bus name', async () => {
    [peerId] = (await owner.ok(monitor, MONITOR, 'AddPeer', 's', peer.uniqueName)) as [number];
    for (const name of [owner.uniqueName, peer.uniqueName, 'not-a-bus-name', 'org.eclipse.bluechi']) {
      expect((await owner.fails(monitor, MONITOR, 'AddPeer', 's', name)).name).toBe(INVALID_ARGS);
    }
  });

  it('a peer receives the same events as the owner; a connection that only adds a match rule receives none', async () => {
    await job(owner, 'StartUnit', 'e.service');
    // A job after e.service's: its broadcast JobRemoved comes after every event of e.service's start.
    await job(owner, 'StartUnit', 'd.service');
    const upToBarrier = (c: DbusClient) =>
      c.waitSignals('the JobRemoved of d.service', (s) => {
        const at = s.findIndex((x) => x.member === 'JobRemoved' && x.args[3] === 'd.service');
        return at >= 0 && s.slice(0, at);
      });

    const ownerEvents = eventsOf(await upToBarrier(owner), monitor);
    expect(ownerEvents[0]).toEqual(['UnitNew', 'worker1', 'e.service', 'real']);
    expect(statesOf(ownerEvents, 'e.service')).toEqual(STATES.slice(0, 2));
    const peerSignals = (await upToBarrier(peer)).filter((s) => s.path === monitor);
    expect(eventsOf(peerSignals, monitor)).toEqual(ownerEvents);
    for (const s of peerSignals) expect(s.destination).toBe(peer.uniqueName);
    expect((await upToBarrier(passive)).filter((s) => s.path === monitor)).toEqual([]);
    await job(owner, 'StopUnit', 'd.service');
  });

  it('RemovePeer tells that peer its reason, and only it, and stops its events', async () => {
    await owner.ok(monitor, MONITOR, 'RemovePeer', 'us', peerId, 'seen enough');
    const removed = await peer.waitSignals('PeerRemoved', (s) => s.find((x) => x.member === 'PeerRemoved'));
    expect(removed).toMatchObject({ path: monitor, interface: MONITOR, args: ['seen enough'], destination: peer.uniqueName });
    expect((await owner.fails(monitor, MONITOR, 'RemovePeer', 'us', peerId, 'again')).name).toBe('org.freedesktop.DBus.Error.Failed');

    const peerFrom = (await peer.signals()).length;
    await job(owner, 'StopUnit', 'e.service');
    await waitUnloaded(owner, monitor, 'e.service');
    // A broadcast sent after e.service's events, as in the test before.
    await job(owner, 'StartUnit', 'd.service');
    await peer.waitSignals('the JobRemoved of d.service', (s) => s.slice(peerFrom).some((x) => x.member === 'JobRemoved' && x.args[3] === 'd.service'));
    expect(eventsOf(await peer.signals(), monitor, peerFrom)).toEqual([]);
    expect(eventsOf(await owner.signals(), monitor).filter((e) => e[0] === 'PeerRemoved')).toEqual([]);
    await job(owner, 'StopUnit', 'd.service');
  });
});
