import { DbusSignatureError, DbusValueError } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { DbusSystemdManager } from './dbus-manager.js';
import { FakePort, MANAGER, MANAGER_IFACE, Variant } from './fake-bus-port.js';
import { DBUS_ERRORS, SystemdError } from './manager.js';

const UNIT_PATH = '/org/freedesktop/systemd1/unit/a_2eservice';
const SYSTEMD = 'org.freedesktop.systemd1';

describe('dbus manager: one property', () => {
  it('loads the unit, then calls Properties.Get on its object', async () => {
    const port = new FakePort({ LoadUnit: () => [UNIT_PATH], Get: () => [new Variant('s', 'active')] });
    const m = new DbusSystemdManager(port);
    expect(await m.getUnitProperty('a.service', 'org.freedesktop.systemd1.Unit', 'ActiveState')).toEqual({ signature: 's', value: 'active' });
    expect(port.calls).toEqual([
      { dest: SYSTEMD, path: MANAGER, iface: MANAGER_IFACE, member: 'LoadUnit', signature: 's', body: ['a.service'] },
      {
        dest: SYSTEMD,
        path: UNIT_PATH,
        iface: 'org.freedesktop.DBus.Properties',
        member: 'Get',
        signature: 'ss',
        body: ['org.freedesktop.systemd1.Unit', 'ActiveState'],
      },
    ]);
  });

  it.each<[string, unknown, unknown]>([
    ['t', 90_000_000n, 90_000_000],
    ['t', 18446744073709551615n, '18446744073709551615'],
    ['ay', Buffer.from([1, 2, 255]), [1, 2, 255]],
    ['a(sasbttttuii)', [['/bin/true', ['/bin/true'], false, 0n, 0n, 0n, 0n, 0, 0, 0]], [['/bin/true', ['/bin/true'], false, 0, 0, 0, 0, 0, 0, 0]]],
    ['a{sv}', { A: new Variant('u', 7) }, { A: { signature: 'u', value: 7 } }],
  ])("converts a '%s' value to its JSON form", async (signature, decoded, json) => {
    const port = new FakePort({ LoadUnit: () => [UNIT_PATH], Get: () => [new Variant(signature, decoded)] });
    expect(await new DbusSystemdManager(port).getUnitProperty('a.service', 'org.freedesktop.systemd1.Service', 'X')).toEqual({ signature, value: json });
  });

  it("passes systemd's unknown-property error on", async () => {
    const text = 'Unknown interface org.freedesktop.systemd1.Unit or property Nope.';
    const port = new FakePort({
      LoadUnit: () => [UNIT_PATH],
      Get: () => {
        throw new SystemdError('org.freedesktop.DBus.Error.UnknownProperty', text);
      },
    });
    await expect(new DbusSystemdManager(port).getUnitProperty('a.service', 'org.freedesktop.systemd1.Unit', 'Nope')).rejects.toMatchObject({
      dbusName: 'org.freedesktop.DBus.Error.UnknownProperty',
      message: text,
    });
  });
});

describe('dbus manager: writing properties', () => {
  it('calls SetUnitProperties with a(sv), each value in its own variant type', async () => {
    const port = new FakePort();
    await new DbusSystemdManager(port).setUnitProperties('a.service', true, [
      { name: 'Description', signature: 's', value: 'hello' },
      { name: 'CPUWeight', signature: 't', value: 50 },
      { name: 'MemoryMax', signature: 't', value: '18446744073709551615' },
      { name: 'Environment', signature: 'as', value: ['A=1', 'B=2'] },
    ]);
    expect(port.calls).toEqual([
      {
        dest: SYSTEMD,
        path: MANAGER,
        iface: MANAGER_IFACE,
        member: 'SetUnitProperties',
        signature: 'sba(sv)',
        body: [
          'a.service',
          true,
          [
            ['Description', new Variant('s', 'hello')],
            ['CPUWeight', new Variant('t', 50n)],
            ['MemoryMax', new Variant('t', 18446744073709551615n)],
            ['Environment', new Variant('as', ['A=1', 'B=2'])],
          ],
        ],
      },
    ]);
  });

  it('calls StartTransientUnit with the properties and the auxiliary units, and answers with the job path', async () => {
    const port = new FakePort({ StartTransientUnit: () => ['/org/freedesktop/systemd1/job/77'] });
    const jobPath = await new DbusSystemdManager(port).startTransientUnit(
      'run-1.service',
      'fail',
      [
        { name: 'ExecStart', signature: 'a(sasb)', value: [['/bin/sleep', ['/bin/sleep', '10'], false]] },
        { name: 'RemainAfterExit', signature: 'b', value: true },
      ],
      [{ name: 'run-1.socket', properties: [{ name: 'Listen', signature: 'a(ss)', value: [['Stream', '/run/x.sock']] }] }],
    );
    expect(jobPath).toBe('/org/freedesktop/systemd1/job/77');
    expect(port.calls).toEqual([
      {
        dest: SYSTEMD,
        path: MANAGER,
        iface: MANAGER_IFACE,
        member: 'StartTransientUnit',
        signature: 'ssa(sv)a(sa(sv))',
        body: [
          'run-1.service',
          'fail',
          [
            ['ExecStart', new Variant('a(sasb)', [['/bin/sleep', ['/bin/sleep', '10'], false]])],
            ['RemainAfterExit', new Variant('b', true)],
          ],
          [['run-1.socket', [['Listen', new Variant('a(ss)', [['Stream', '/run/x.sock']])]]]],
        ],
      },
    ]);
  });

  it('wraps a nested variant value in its own variant', async () => {
    const port = new FakePort();
    await new DbusSystemdManager(port).setUnitProperties('a.service', false, [
      { name: 'X', signature: 'v', value: { signature: 'u', value: 3 } },
    ]);
    expect(port.calls[0]!.body[2]).toEqual([['X', new Variant('v', new Variant('u', 3))]]);
  });

  it.each<[string, string, unknown, RegExp]>([
    ['a string for t', 't', 'fifty', /^CPUWeight does not fit D-Bus type 't': expected an integer$/],
    ['a negative t', 't', -1, /^CPUWeight does not fit D-Bus type 't': out of range$/],
    ['a number for s', 's', 5, /^CPUWeight does not fit D-Bus type 's': expected a string$/],
    ['a byte beyond 255', 'ay', [256], /^CPUWeight does not fit D-Bus type 'ay': expected bytes$/],
  ])('refuses %s before systemd sees it (DbusValueError)', async (_what, signature, value, message) => {
    const port = new FakePort();
    const m = new DbusSystemdManager(port);
    const err = await m.setUnitProperties('a.service', true, [{ name: 'CPUWeight', signature, value }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbusValueError);
    expect((err as Error).message).toMatch(message);
    await expect(m.startTransientUnit('b.service', 'replace', [{ name: 'CPUWeight', signature, value }], [])).rejects.toBeInstanceOf(DbusValueError);
    expect(port.calls).toEqual([]);
  });

  it.each([['a{'], ['ss'], ['q)'], ['z']])("refuses the signature '%s' (DbusSignatureError)", async (signature) => {
    const port = new FakePort();
    const err = await new DbusSystemdManager(port)
      .setUnitProperties('a.service', true, [{ name: 'X', signature, value: 'x' }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbusSignatureError);
    expect((err as Error).message).toContain(`Invalid D-Bus signature '${signature}'`);
    expect(port.calls).toEqual([]);
  });

  it('refuses a bad value inside an auxiliary unit too', async () => {
    const port = new FakePort();
    const aux = [{ name: 'a.socket', properties: [{ name: 'Backlog', signature: 'u', value: -1 }] }];
    await expect(new DbusSystemdManager(port).startTransientUnit('a.service', 'replace', [], aux)).rejects.toThrow(
      "Backlog does not fit D-Bus type 'u': expected an integer in range",
    );
    expect(port.calls).toEqual([]);
  });

  it("passes systemd's refusals on with their names", async () => {
    const port = new FakePort({
      StartTransientUnit: () => {
        throw new SystemdError('org.freedesktop.systemd1.UnitExists', 'Unit a.service was already loaded or has a fragment file.');
      },
      SetUnitProperties: () => {
        throw new SystemdError(DBUS_ERRORS.NO_SUCH_UNIT, 'Unit b.service not found.');
      },
    });
    const m = new DbusSystemdManager(port);
    await expect(m.startTransientUnit('a.service', 'replace', [], [])).rejects.toMatchObject({ dbusName: 'org.freedesktop.systemd1.UnitExists' });
    await expect(m.setUnitProperties('b.service', true, [])).rejects.toMatchObject({ dbusName: DBUS_ERRORS.NO_SUCH_UNIT, message: 'Unit b.service not found.' });
  });
});
