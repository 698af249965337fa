import { describe, expect, it } from 'vitest';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { fakeServices } from '../operations/fake-services.js';
import { DbusApi } from './dbus-api.js';
import { FakeBus } from './fake-bus.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });
const CTRL = '/org/eclipse/bluechi';
const C = 'org.eclipse.bluechi.Controller';
const N = 'org.eclipse.bluechi.Node';
const M = 'org.eclipse.bluechi.Monitor';
const P = 'org.freedesktop.DBus.Properties';

function setup(opts: Parameters<typeof fakeServices>[0] = {}) {
  const fake = fakeServices({ nodes: ['n1', 'n2'], ...opts });
  const bus = new FakeBus();
  const api = new DbusApi({ bus, services: fake.services, operations: fake.ops, logTarget: 'journald', log });
  return { ...fake, bus, api };
}

describe('the D-Bus API adapter', () => {
  it('lists every configured node with its object path, status and peer IP', async () => {
    const { bus, offline } = setup();
    offline('n2');
    const r = await bus.call(':1.5', CTRL, C, 'ListNodes');
    expect(r).toEqual({
      signature: 'a(soss)',
      body: [
        [
          ['n1', '/org/eclipse/bluechi/node/n1', 'online', '10.0.0.1'],
          ['n2', '/org/eclipse/bluechi/node/n2', 'offline', ''],
        ],
      ],
    });
  });

  it('answers GetNode with the path, and an unknown node with ServiceUnknown "Node not found"', async () => {
    const { bus } = setup();
    expect((await bus.call(':1.5', CTRL, C, 'GetNode', 's', ['n2'])).body).toEqual(['/org/eclipse/bluechi/node/n2']);
    expect((await bus.call(':1.5', CTRL, C, 'GetNode', 's', ['nope'])).error).toEqual({
      name: 'org.freedesktop.DBus.Error.ServiceUnknown',
      text: 'Node not found',
    });
  });

  it('reads the controller properties and signals Status only when it changes', async () => {
    const { bus, offline, online } = setup();
    const all = await bus.call(':1.5', CTRL, P, 'GetAll', 's', [C]);
    expect(all.body[0]).toEqual({
      Status: { signature: 's', value: 'up' },
      LogLevel: { signature: 's', value: 'INFO' },
      LogTarget: { signature: 's', value: 'journald' },
    });
    offline('n1');
    offline('n2');
    online('n2');
    const changes = bus.signals.filter((s) => s.path === CTRL).map((s) => (s.body[1] as Record<string, { value: string }>).Status!.value);
    expect(changes).toEqual(['degraded', 'down', 'degraded']);
    const nodeChanges = bus.signals.filter((s) => s.path !== CTRL).map((s) => `${s.path} ${(s.body[1] as Record<string, { value: string }>).Status!.value}`);
    expect(nodeChanges).toEqual(['/org/eclipse/bluechi/node/n1 offline', '/org/eclipse/bluechi/node/n2 offline', '/org/eclipse/bluechi/node/n2 online']);
  });

  it('refuses a call with the wrong signature, an unknown object and an unknown method', async () => {
    const { bus } = setup();
    expect((await bus.call(':1.5', CTRL, C, 'GetNode', 'u', [1])).error?.name).toBe('org.freedesktop.DBus.Error.InvalidArgs');
    expect((await bus.call(':1.5', '/org/eclipse/bluechi/node/zz', N, 'Reload')).error).toEqual({
      name: 'org.freedesktop.DBus.Error.UnknownObject',
      text: "Unknown object '/org/eclipse/bluechi/node/zz'.",
    });
    expect((await bus.call(':1.5', CTRL, C, 'Nope')).error?.name).toBe('org.freedesktop.DBus.Error.UnknownMethod');
    expect((await bus.call(':1.5', CTRL, P, 'Set', 'ssv', [C, 'LogLevel', { signature: 's', value: 'DEBUG' }])).error?.name).toBe(
      'org.freedesktop.DBus.Error.PropertyReadOnly',
    );
  });

  it('fails a call on an offline node with org.eclipse.bluechi.Offline, and still reads its properties', async () => {
    const { bus, offline } = setup();
    offline('n2');
    const r = await bus.call(':1.5', '/org/eclipse/bluechi/node/n2', N, 'StartUnit', 'ss', ['a.service', 'replace']);
    expect(r.error).toEqual({ name: 'org.eclipse.bluechi.Offline', text: 'Node is offline' });
    const name = await bus.call(':1.5', '/org/eclipse/bluechi/node/n2', P, 'Get', 'ss', [N, 'Name']);
    expect(name.body).toEqual([{ signature: 's', value: 'n2' }]);
  });

  it("says Offline for an offline node before looking at the arguments, as upstream's bus filter does", async () => {
    const { bus, offline, calls } = setup();
    offline('n2');
    const path = '/org/eclipse/bluechi/node/n2';
    const offlineError = { name: 'org.eclipse.bluechi.Offline', text: 'Node is offline' };
    expect((await bus.call(':1.5', path, N, 'StartUnit', 'ss', ['a.service', 'bogus'])).error).toEqual(offlineError);
    expect((await bus.call(':1.5', path, N, 'KillUnit', 'ssi', ['a.service', 'nobody', 9])).error).toEqual(offlineError);
    expect((await bus.call(':1.5', path, N, 'StartUnit', 's', ['a.service'])).error).toEqual(offlineError);
    expect(calls).toEqual([]);
    // An online node still checks them.
    expect((await bus.call(':1.5', '/org/eclipse/bluechi/node/n1', N, 'StartUnit', 'ss', ['a.service', 'bogus'])).error?.name).toBe(
      'org.freedesktop.DBus.Error.InvalidArgs',
    );
  });

  it('puts a job on the bus from JobNew to JobRemoved and signals its state', async () => {
    const { bus, services } = setup();
    const r = await bus.call(':1.5', '/org/eclipse/bluechi/node/n1', N, 'StartUnit', 'ss', ['a.service', 'replace']);
    expect(r.body).toEqual(['/org/eclipse/bluechi/job/1']);
    const job = await bus.call(':1.5', '/org/eclipse/bluechi/job/1', P, 'GetAll', 's', ['org.eclipse.bluechi.Job']);
    expect(job.body[0]).toEqual({
      Id: { signature: 'u', value: 1 },
      Node: { signature: 's', value: 'n1' },
      Unit: { signature: 's', value: 'a.service' },
      JobType: { signature: 's', value: 'start' },
      State: { signature: 's', value: 'waiting' },
    });
    services.jobs.stateChanged('n1', 1, 'running');
    services.jobs.done('n1', 1, 'done');
    expect(bus.signals.map((s) => `${s.member} ${s.signature} ${JSON.stringify(s.body)}`)).toEqual([
      'JobNew uo [1,"/org/eclipse/bluechi/job/1"]',
      'PropertiesChanged sa{sv}as ["org.eclipse.bluechi.Job",{"State":{"signature":"s","value":"running"}},[]]',
      'JobRemoved uosss [1,"/org/eclipse/bluechi/job/1","n1","a.service","done"]',
    ]);
    expect((await bus.call(':1.5', '/org/eclipse/bluechi/job/1', P, 'GetAll', 's', [''])).error?.name).toBe(
      'org.freedesktop.DBus.Error.UnknownObject',
    );
  });

  it('passes typed values through GetUnitProperty, GetUnitProperties and SetUnitProperties', async () => {
    const { bus, calls } = setup({
      answer: (_node, method) => {
        if (method === 'GetUnitProperty') return { signature: 't', value: 42 };
        if (method === 'GetUnitProperties') return { properties: { Id: 'a.service', CPUWeight: 100 }, signatures: { Id: 's', CPUWeight: 't' } };
        return {};
      },
    });
    const path = '/org/eclipse/bluechi/node/n1';
    expect((await bus.call(':1.5', path, N, 'GetUnitProperty', 'sss', ['a.service', 'org.freedesktop.systemd1.Service', 'MainPID'])).body).toEqual([
      { signature: 't', value: 42n },
    ]);
    expect((await bus.call(':1.5', path, N, 'GetUnitProperties', 'ss', ['a.service', ''])).body).toEqual([
      { Id: { signature: 's', value: 'a.service' }, CPUWeight: { signature: 't', value: 100n } },
    ]);
    await bus.call(':1.5', path, N, 'SetUnitProperties', 'sba(sv)', ['a.service', true, [['CPUWeight', { signature: 't', value: 50n }]]]);
    expect(calls.at(-1)).toMatchObject({
      method: 'SetUnitProperties',
      params: { unit: 'a.service', runtime: true, properties: [{ name: 'CPUWeight', signature: 't', value: 50 }] },
    });
  });

  it('unicasts monitor events to the owner and its peers, and closes the monitor when the owner leaves', async () => {
    const { bus, services } = setup();
    const created = await bus.call(':1.7', CTRL, C, 'CreateMonitor');
    const path = created.body[0] as string;
    expect(path).toBe('/org/eclipse/bluechi/monitor/1');
    expect((await bus.call(':1.7', path, M, 'Subscribe', 'ss', ['n1', 'a.service'])).body).toEqual([2]);
    expect((await bus.call(':1.7', path, M, 'AddPeer', 's', [':1.9'])).body).toEqual([1]);
    expect((await bus.call(':1.7', path, M, 'AddPeer', 's', [':1.7'])).error?.name).toBe('org.freedesktop.DBus.Error.InvalidArgs');
    expect((await bus.call(':1.7', path, M, 'AddPeer', 's', ['not-unique'])).error?.name).toBe('org.freedesktop.DBus.Error.InvalidArgs');
    services.units.agentEvent({ kind: 'UnitNew', node: 'n1', unit: 'a.service', reason: 'real' });
    expect(bus.signals.filter((s) => s.member === 'UnitNew').map((s) => `${s.path} ${s.destination} ${JSON.stringify(s.body)}`)).toEqual([
      `${path} :1.7 ["n1","a.service","real"]`,
      `${path} :1.9 ["n1","a.service","real"]`,
    ]);
    expect((await bus.call(':1.8', path, M, 'Subscribe', 'ss', ['n1', 'b.service'])).error?.name).toBe('org.freedesktop.DBus.Error.Failed');
    bus.leave(':1.7');
    expect(bus.signals.at(-1)).toMatchObject({ member: 'PeerRemoved', destination: ':1.9', body: ['monitor closed'] });
    expect(services.monitors.size).toBe(0);
    expect((await bus.call(':1.7', path, M, 'Close')).error?.name).toBe('org.freedesktop.DBus.Error.UnknownObject');
  });

  it('exports the metrics object only while metrics are on, and refuses a second EnableMetrics', async () => {
    const { bus } = setup();
    const introspect = async () => (await bus.call(':1.5', CTRL, 'org.freedesktop.DBus.Introspectable', 'Introspect')).body[0] as string;
    expect(await introspect()).not.toContain('<node name="metrics"/>');
    await bus.call(':1.5', CTRL, C, 'EnableMetrics');
    expect(await introspect()).toContain('<node name="metrics"/>');
    expect((await bus.call(':1.5', CTRL, C, 'EnableMetrics')).error).toEqual({
      name: 'org.freedesktop.DBus.Error.InconsistentMessage',
      text: 'Metrics already enabled',
    });
    await bus.call(':1.5', CTRL, C, 'DisableMetrics');
    expect(await introspect()).not.toContain('<node name="metrics"/>');
  });

  it('returns an agent error with the D-Bus name it came with', async () => {
    const { bus } = setup({
      answer: () => {
        throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, 'Unit nope.service not found.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' });
      },
    });
    const r = await bus.call(':1.5', '/org/eclipse/bluechi/node/n1', N, 'GetUnitFileState', 's', ['nope.service']);
    expect(r.error).toEqual({ name: 'org.freedesktop.systemd1.NoSuchUnit', text: 'Unit nope.service not found.' });
  });
});
