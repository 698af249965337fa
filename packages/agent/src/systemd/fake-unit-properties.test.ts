import { DbusSignatureError, DbusValueError } from '@bluechi-ts/protocol';
import { describe, expect, it, vi } from 'vitest';
import { FakeSystemdManager } from './fake-manager.js';
import { recordStates } from './fake-manager-helpers.js';
import { DBUS_ERRORS, type UnitPropertiesEvent } from './manager.js';

const UNIT = 'org.freedesktop.systemd1.Unit';
const SERVICE = 'org.freedesktop.systemd1.Service';
const EXEC_SLEEP = { name: 'ExecStart', signature: 'a(sasb)', value: [['/bin/sleep', ['/bin/sleep', '100'], false]] };

describe('fake systemd: one property', () => {
  it('reads one property of one interface, with its signature', async () => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running', properties: { TimeoutStartUSec: 90_000_000 } } });
    expect(await m.getUnitProperty('a.service', UNIT, 'ActiveState')).toEqual({ signature: 's', value: 'active' });
    expect(await m.getUnitProperty('a.service', SERVICE, 'TimeoutStartUSec')).toEqual({ signature: 't', value: 90_000_000 });
    // Like systemd: an unknown unit loads as not-found and can still be read.
    expect(await m.getUnitProperty('nosuch.service', UNIT, 'LoadState')).toEqual({ signature: 's', value: 'not-found' });
  });

  it.each([
    [UNIT, 'Nope'],
    ['org.freedesktop.systemd1.Nope', 'ActiveState'],
    ['', 'ActiveState'],
    [SERVICE, 'ActiveState'],
  ])("refuses interface '%s' property %s as systemd does", async (iface, property) => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    await expect(m.getUnitProperty('a.service', iface, property)).rejects.toMatchObject({
      dbusName: 'org.freedesktop.DBus.Error.UnknownProperty',
      message: `Unknown interface ${iface} or property ${property}.`,
    });
  });
});

describe('fake systemd: SetUnitProperties', () => {
  it('changes the stored values, keeps their signatures and signals the change', async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    const events: UnitPropertiesEvent[] = [];
    m.onPropertiesChanged((e) => events.push(e));
    await m.setUnitProperties('a.service', true, [
      { name: 'Description', signature: 's', value: 'Hello' },
      { name: 'CPUWeight', signature: 't', value: 50 },
      { name: 'Environment', signature: 'as', value: ['A=1'] },
    ]);
    expect(await m.getUnitProperty('a.service', UNIT, 'Description')).toEqual({ signature: 's', value: 'Hello' });
    expect(await m.getUnitProperty('a.service', SERVICE, 'CPUWeight')).toEqual({ signature: 't', value: 50 });
    expect((await m.listUnits())[0]!.description).toBe('Hello');
    expect(events).toEqual([
      { unit: 'a.service', interface: UNIT, properties: { Description: 'Hello' }, signatures: { Description: 's' } },
      {
        unit: 'a.service',
        interface: SERVICE,
        properties: { CPUWeight: 50, Environment: ['A=1'] },
        signatures: { CPUWeight: 't', Environment: 'as' },
      },
    ]);
    expect(m.managerCalls).toEqual([['SetUnitProperties', 'a.service', true, expect.any(Array)]]);
  });

  it("keeps a property's own signature where the value alone would mislead", async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    await m.setUnitProperties('a.service', false, [{ name: 'Nice', signature: 'i', value: 5 }]);
    expect(await m.getUnitProperty('a.service', SERVICE, 'Nice')).toEqual({ signature: 'i', value: 5 });
    expect((await m.getUnitProperties('a.service')).signatures.Nice).toBe('i');
  });

  it('refuses an unknown unit, a computed property, and values that do not fit, changing nothing', async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    await expect(m.setUnitProperties('nosuch.service', true, [])).rejects.toMatchObject({
      dbusName: DBUS_ERRORS.NO_SUCH_UNIT,
      message: 'Unit nosuch.service not found.',
    });
    await expect(
      m.setUnitProperties('a.service', true, [
        { name: 'CPUWeight', signature: 't', value: 10 },
        { name: 'ActiveState', signature: 's', value: 'active' },
      ]),
    ).rejects.toMatchObject({
      dbusName: 'org.freedesktop.DBus.Error.PropertyReadOnly',
      message: 'Cannot set property ActiveState, or unknown property.',
    });
    await expect(m.setUnitProperties('a.service', true, [{ name: 'CPUWeight', signature: 't', value: 'lots' }])).rejects.toBeInstanceOf(DbusValueError);
    await expect(m.setUnitProperties('a.service', true, [{ name: 'CPUWeight', signature: 'tt', value: 1 }])).rejects.toBeInstanceOf(DbusSignatureError);
    expect((await m.getUnitProperties('a.service', SERVICE)).properties).not.toHaveProperty('CPUWeight');
    expect(m.unit('a.service')?.activeState).toBe('inactive');
  });
});

describe('fake systemd: StartTransientUnit', () => {
  it('loads the unit with its properties and starts it; the answer is the job path', async () => {
    const m = new FakeSystemdManager();
    const loaded: string[] = [];
    m.onUnitNew((u) => loaded.push(u));
    const seen = recordStates(m);
    const jobPath = await m.startTransientUnit('run-1.service', 'replace', [EXEC_SLEEP, { name: 'Description', signature: 's', value: 'Sleeper' }], []);
    expect(jobPath).toMatch(/^\/org\/freedesktop\/systemd1\/job\/\d+$/);
    expect(loaded).toEqual(['run-1.service']);
    await vi.waitFor(() => expect(m.unit('run-1.service')).toMatchObject({ activeState: 'active', subState: 'running' }));
    expect(seen).toEqual(['run-1.service activating/start', 'run-1.service active/running']);
    expect(m.unit('run-1.service')?.mainPid).toBeGreaterThan(0);
    expect(await m.getUnitProperty('run-1.service', UNIT, 'Description')).toEqual({ signature: 's', value: 'Sleeper' });
    expect(await m.getUnitProperty('run-1.service', SERVICE, 'ExecStart')).toEqual({ signature: 'a(sasb)', value: EXEC_SLEEP.value });
    expect(m.calls).toEqual([]);
    expect(m.managerCalls).toEqual([['StartTransientUnit', 'run-1.service', 'replace', expect.any(Array), []]]);
  });

  it('loads auxiliary units without starting them', async () => {
    const m = new FakeSystemdManager();
    await m.startTransientUnit('run-2.service', 'fail', [EXEC_SLEEP], [{ name: 'run-2.timer', properties: [{ name: 'OnActiveSec', signature: 't', value: 1_000_000 }] }]);
    await vi.waitFor(() => expect(m.unit('run-2.service')?.activeState).toBe('active'));
    expect(m.unit('run-2.timer')).toMatchObject({ loadState: 'loaded', activeState: 'inactive' });
    expect(await m.getUnitProperty('run-2.timer', 'org.freedesktop.systemd1.Timer', 'OnActiveSec')).toEqual({ signature: 't', value: 1_000_000 });
  });

  it('a oneshot with RemainAfterExit ends active/exited', async () => {
    const m = new FakeSystemdManager();
    await m.startTransientUnit('once.service', 'replace', [
      EXEC_SLEEP,
      { name: 'Type', signature: 's', value: 'oneshot' },
      { name: 'RemainAfterExit', signature: 'b', value: true },
    ], []);
    await vi.waitFor(() => expect(m.unit('once.service')).toMatchObject({ activeState: 'active', subState: 'exited' }));
  });

  it.each<[string, () => Parameters<FakeSystemdManager['startTransientUnit']>, string, string]>([
    ['an existing unit', () => ['a.service', 'replace', [EXEC_SLEEP], []], 'org.freedesktop.systemd1.UnitExists', 'Unit a.service was already loaded or has a fragment file.'],
    ['an unknown job mode', () => ['b.service', 'bogus', [EXEC_SLEEP], []], DBUS_ERRORS.INVALID_ARGS, 'Job mode bogus is invalid.'],
    ['a service with nothing to run', () => ['b.service', 'replace', [], []], 'org.freedesktop.systemd1.BadUnitSetting', 'Unit b.service has a bad unit file setting.'],
    ['an invalid name', () => ['b', 'replace', [EXEC_SLEEP], []], DBUS_ERRORS.INVALID_ARGS, 'Unit name b is not valid.'],
    [
      'a computed property',
      () => ['b.service', 'replace', [EXEC_SLEEP, { name: 'MainPID', signature: 'u', value: 1 }], []],
      'org.freedesktop.DBus.Error.PropertyReadOnly',
      'Cannot set property MainPID, or unknown property.',
    ],
    ['an existing auxiliary unit', () => ['b.service', 'replace', [EXEC_SLEEP], [{ name: 'a.service', properties: [] }]], 'org.freedesktop.systemd1.UnitExists', 'Unit a.service was already loaded or has a fragment file.'],
  ])('refuses %s, loading nothing', async (_what, args, dbusName, message) => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    await expect(m.startTransientUnit(...args())).rejects.toMatchObject({ dbusName, message });
    expect((await m.listUnits()).map((u) => u.name)).toEqual(['a.service']);
    expect(m.pendingJobs).toBe(0);
  });

  it('refuses a value that does not fit its signature before loading anything', async () => {
    const m = new FakeSystemdManager();
    await expect(m.startTransientUnit('b.service', 'replace', [{ name: 'ExecStart', signature: 'a(sasb)', value: 'sleep 1' }], [])).rejects.toThrow(
      "ExecStart does not fit D-Bus type 'a(sasb)': expected an array",
    );
    expect(await m.listUnits()).toEqual([]);
  });
});
