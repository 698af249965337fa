import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeSystemdManager } from './fake-manager.js';
import { recordStates, runJob } from './fake-manager-helpers.js';
import { DBUS_ERRORS } from './manager.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('fake systemd freeze, kill and reset-failed', () => {
  function recordProps(m: FakeSystemdManager): Array<[string, string, Record<string, unknown>, Record<string, string>]> {
    const seen: Array<[string, string, Record<string, unknown>, Record<string, string>]> = [];
    m.onPropertiesChanged((e) => seen.push([e.unit, e.interface, e.properties, e.signatures]));
    return seen;
  }

  it('freezes and thaws an active unit, signalling FreezerState', async () => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' } });
    const props = recordProps(m);
    await m.freezeUnit('a.service');
    expect(m.unit('a.service')?.freezerState).toBe('frozen');
    expect((await m.getUnitProperties('a.service')).properties.FreezerState).toBe('frozen');
    await m.freezeUnit('a.service');
    await m.thawUnit('a.service');
    expect(props).toEqual([
      ['a.service', 'org.freedesktop.systemd1.Unit', { FreezerState: 'frozen' }, { FreezerState: 's' }],
      ['a.service', 'org.freedesktop.systemd1.Unit', { FreezerState: 'running' }, { FreezerState: 's' }],
    ]);
    expect(m.managerCalls).toEqual([['FreezeUnit', 'a.service'], ['FreezeUnit', 'a.service'], ['ThawUnit', 'a.service']]);
  });

  it('refuses to freeze without freezer support, an inactive unit, and a unit not loaded', async () => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' }, 'idle.service': {} });
    m.freezerSupported = false;
    await expect(m.freezeUnit('a.service')).rejects.toMatchObject({
      dbusName: DBUS_ERRORS.NOT_SUPPORTED,
      message: "Unit 'a.service' does not support freezing.",
    });
    await expect(m.thawUnit('a.service')).rejects.toMatchObject({ dbusName: DBUS_ERRORS.NOT_SUPPORTED });
    expect((await m.getUnitProperties('a.service')).properties.CanFreeze).toBe(false);
    m.freezerSupported = true;
    await expect(m.freezeUnit('idle.service')).rejects.toMatchObject({ dbusName: 'org.freedesktop.systemd1.UnitInactive', message: 'Unit is inactive.' });
    await expect(m.freezeUnit('nosuch.service')).rejects.toMatchObject({ dbusName: DBUS_ERRORS.NO_SUCH_UNIT, message: 'Unit nosuch.service not loaded.' });
  });

  it.each([
    ['main', 15, 'inactive', 'dead', 'success'],
    ['all', 9, 'failed', 'failed', 'signal'],
  ])('kill %s with signal %i ends the main process: %s/%s', async (whom, signal, activeState, subState, result) => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' } });
    const seen = recordStates(m);
    expect(m.unit('a.service')!.mainPid).toBeGreaterThan(0);
    await m.killUnit('a.service', whom, signal);
    expect(m.unit('a.service')).toMatchObject({ mainPid: 0, activeState, subState, result });
    expect(seen).toEqual([`a.service ${activeState}/${subState}`]);
  });

  it("refuses to kill what is not there, with systemd's words", async () => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' }, 'idle.service': {} });
    const noProcess = 'org.freedesktop.systemd1.NoSuchProcess';
    await expect(m.killUnit('a.service', 'control', 15)).rejects.toMatchObject({ dbusName: noProcess, message: 'No control process to kill' });
    await expect(m.killUnit('idle.service', 'main', 15)).rejects.toMatchObject({ dbusName: noProcess, message: 'No main process to kill' });
    await m.killUnit('idle.service', 'all', 15);
    expect(m.unit('idle.service')?.activeState).toBe('inactive');
    expect(m.managerCalls).toEqual([
      ['KillUnit', 'a.service', 'control', 15],
      ['KillUnit', 'idle.service', 'main', 15],
      ['KillUnit', 'idle.service', 'all', 15],
    ]);
  });

  it('resets the failed state of one unit or of every unit', async () => {
    const m = new FakeSystemdManager({ 'a.service': { failing: true }, 'b.service': { failing: true }, 'ok.service': { activeState: 'active', subState: 'running' } });
    await runJob(m, 'start', 'a.service');
    await runJob(m, 'start', 'b.service');
    await m.resetFailedUnit('a.service');
    expect([m.unit('a.service')?.activeState, m.unit('b.service')?.activeState]).toEqual(['inactive', 'failed']);
    await m.resetFailed();
    expect([m.unit('b.service')?.activeState, m.unit('ok.service')?.activeState]).toEqual(['inactive', 'active']);
    expect(m.unit('b.service')?.result).toBe('success');
    await expect(m.resetFailedUnit('nosuch.service')).rejects.toMatchObject({ dbusName: DBUS_ERRORS.NO_SUCH_UNIT });
  });
});

describe('fake systemd PropertiesChanged', () => {
  it('signals each state step on the Unit interface with timestamps and signatures', async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    const seen: Array<{ properties: Record<string, unknown>; signatures: Record<string, string> }> = [];
    m.onPropertiesChanged((e) => {
      expect(e).toMatchObject({ unit: 'a.service', interface: 'org.freedesktop.systemd1.Unit' });
      seen.push(e);
    });
    await runJob(m, 'start', 'a.service');
    expect(seen.map((e) => [e.properties.ActiveState, e.properties.SubState])).toEqual([['activating', 'start'], ['active', 'running']]);
    expect(seen[0]!.signatures).toEqual({ ActiveState: 's', SubState: 's', StateChangeTimestamp: 't' });
    expect(typeof seen[1]!.properties.StateChangeTimestamp).toBe('number');
  });

  it('passes any interface through, with the signature of each value', () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    const seen: unknown[] = [];
    m.onPropertiesChanged((e) => seen.push(e));
    m.changeProperties('a.service', 'org.freedesktop.systemd1.Service', { StatusText: 'ready', NRestarts: 2, ExecMainStatus: -1, Flag: true });
    expect(seen).toEqual([
      {
        unit: 'a.service',
        interface: 'org.freedesktop.systemd1.Service',
        properties: { StatusText: 'ready', NRestarts: 2, ExecMainStatus: -1, Flag: true },
        signatures: expect.objectContaining({ StatusText: 's', Flag: 'b' }),
      },
    ]);
  });

  it('records the monotonic times a start went through, for metrics', async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    m.setJobDelay(5);
    await runJob(m, 'start', 'a.service');
    const { properties: p } = await m.getUnitProperties('a.service', 'org.freedesktop.systemd1.Unit');
    const exit = p.InactiveExitTimestampMonotonic as number;
    const enter = p.ActiveEnterTimestampMonotonic as number;
    expect(exit).toBeGreaterThan(0);
    expect(enter).toBeGreaterThanOrEqual(exit);
  });
});
