import { describe, expect, it } from 'vitest';
import { observationOf, strerrorOfDbusName, type BusEvent } from './bus-events.js';
import { targetOf } from './targets.js';

const agent = targetOf({ kind: 'agent' });
const node = targetOf({ kind: 'node', name: 'worker-1' });
const system = targetOf({ kind: 'system' });

describe('what each component is read from', () => {
  it('agent: org.eclipse.bluechi.Agent, online = "online", switches reported', () => {
    expect(agent).toEqual({ busName: 'org.eclipse.bluechi.Agent', path: '/org/eclipse/bluechi', iface: 'org.eclipse.bluechi.Agent', onlineValue: 'online', reportsSwitches: true });
  });

  it('node: its escaped object path on org.eclipse.bluechi, online = "online"', () => {
    expect(node).toEqual({ busName: 'org.eclipse.bluechi', path: '/org/eclipse/bluechi/node/worker_2d1', iface: 'org.eclipse.bluechi.Node', onlineValue: 'online', reportsSwitches: false });
    expect(targetOf({ kind: 'node', name: '1st' }).path).toBe('/org/eclipse/bluechi/node/_31st');
  });

  it('system: the controller object, online = "up"', () => {
    expect(system).toEqual({ busName: 'org.eclipse.bluechi', path: '/org/eclipse/bluechi', iface: 'org.eclipse.bluechi.Controller', onlineValue: 'up', reportsSwitches: false });
  });
});

describe('bus events as observations', () => {
  it.each<[string, BusEvent, typeof agent, unknown]>([
    ['agent online', { kind: 'status', value: 'online' }, agent, { kind: 'status', online: true }],
    ['agent offline', { kind: 'status', value: 'offline' }, agent, { kind: 'status', online: false }],
    ['system up', { kind: 'status', value: 'up' }, system, { kind: 'status', online: true }],
    ['system degraded is not up', { kind: 'status', value: 'degraded' }, system, { kind: 'status', online: false }],
    ['system down', { kind: 'status', value: 'down' }, system, { kind: 'status', online: false }],
    ['"online" is not "up" for the system', { kind: 'status', value: 'online' }, system, { kind: 'status', online: false }],
    ['a value of another type is offline', { kind: 'status', value: 1 }, node, { kind: 'status', online: false }],
    ['no value is offline', { kind: 'status', value: undefined }, node, { kind: 'status', online: false }],
    ['name owner gone', { kind: 'owner-lost' }, agent, { kind: 'vanished' }],
    ['agent address change is a switch', { kind: 'address-changed' }, agent, { kind: 'switch' }],
    ['no switches for the controller', { kind: 'address-changed' }, system, undefined],
  ])('%s', (_name, event, target, want) => {
    expect(observationOf(event, target)).toEqual(want);
  });

  it.each([
    // upstream's transcript: `bluechi-is-online node nosuch` -> Failed to get property: Invalid request descriptor
    ['org.freedesktop.DBus.Error.UnknownObject', 'Failed to get property: Invalid request descriptor'],
    ['org.freedesktop.DBus.Error.UnknownProperty', 'Failed to get property: Invalid request descriptor'],
    // nobody owns the bus name: the daemon is not running
    ['org.freedesktop.DBus.Error.ServiceUnknown', 'Failed to get property: No route to host'],
    ['org.freedesktop.DBus.Error.NameHasNoOwner', 'Failed to get property: No such device or address'],
    ['org.freedesktop.DBus.Error.AccessDenied', 'Failed to get property: Permission denied'],
    ['org.freedesktop.DBus.Error.NoReply', 'Failed to get property: Connection timed out'],
    ['com.example.Unheard', 'Failed to get property: Input/output error'],
  ])('a failed read with %s says %j', (dbusName, reason) => {
    expect(observationOf({ kind: 'read-failed', dbusName }, node)).toEqual({ kind: 'unreadable', reason });
  });

  it.each<[BusEvent, string]>([
    [{ kind: 'bus-failed', errno: 'ENOENT', connected: false }, 'Failed to connect to the system bus: No such file or directory'],
    [{ kind: 'bus-failed', errno: 'EACCES', connected: false }, 'Failed to connect to the system bus: Permission denied'],
    [{ kind: 'bus-failed', errno: undefined, connected: false }, 'Failed to connect to the system bus'],
    [{ kind: 'bus-failed', errno: 'ECONNRESET', connected: true }, 'Lost the connection to the system bus: Connection reset by peer'],
    [{ kind: 'bus-failed', errno: undefined, connected: true }, 'Lost the connection to the system bus'],
  ])('%j says %j', (event, reason) => {
    expect(observationOf(event, agent)).toEqual({ kind: 'unreadable', reason });
  });

  it('maps System.Error.<ERRNO> to its own strerror text', () => {
    expect(strerrorOfDbusName('System.Error.ECONNREFUSED')).toBe('Connection refused');
  });
});
