import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UnitOp } from '@bluechi-ts/protocol';
import { FakeSystemdManager } from './fake-manager.js';
import { recordStates, runJob } from './fake-manager-helpers.js';
import { DBUS_ERRORS, SystemdError } from './manager.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('fake systemd jobs', () => {
  it('start settles done and walks activating -> active', async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    const seen = recordStates(m);
    const job = await m.queueJob('start', 'a.service', 'replace');
    expect(job.jobPath).toMatch(/^\/org\/freedesktop\/systemd1\/job\/\d+$/);
    expect(await job.done).toBe('done');
    expect(seen).toEqual(['a.service activating/start', 'a.service active/running']);
  });

  it('a oneshot with RemainAfterExit ends active/exited', async () => {
    const m = new FakeSystemdManager({ 'a.service': { runningSubState: 'exited' } });
    await runJob(m, 'start', 'a.service');
    expect(m.unit('a.service')).toMatchObject({ activeState: 'active', subState: 'exited' });
  });

  it('a failing unit settles failed and stays failed after stop', async () => {
    const m = new FakeSystemdManager({ 'bad.service': { failing: true } });
    expect(await runJob(m, 'start', 'bad.service')).toBe('failed');
    expect(m.unit('bad.service')).toMatchObject({ activeState: 'failed', subState: 'failed' });
    expect(await runJob(m, 'stop', 'bad.service')).toBe('done');
    expect(m.unit('bad.service')?.activeState).toBe('failed');
  });

  it('restart of an active unit stops it, then starts it', async () => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' } });
    const seen = recordStates(m);
    expect(await runJob(m, 'restart', 'a.service')).toBe('done');
    expect(seen).toEqual([
      'a.service deactivating/stop',
      'a.service inactive/dead',
      'a.service activating/start',
      'a.service active/running',
    ]);
  });

  it.each([
    ['active', 'active', 'running', 'done'],
    ['inactive', 'inactive', 'dead', 'invalid'],
  ])('reload of an %s unit settles %s', async (_what, activeState, subState, result) => {
    const m = new FakeSystemdManager({ 'a.service': { activeState, subState } });
    expect(await runJob(m, 'reload', 'a.service')).toBe(result);
  });

  it('settles jobs asynchronously, never before queueJob returns', async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    let settled = false;
    const job = await m.queueJob('start', 'a.service', 'replace');
    void job.done.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await job.done;
    expect(settled).toBe(true);
  });

  it('takes jobDelayMs to finish a job', async () => {
    vi.useFakeTimers();
    const m = new FakeSystemdManager({ 'a.service': {} });
    m.setJobDelay(500);
    const job = await m.queueJob('start', 'a.service', 'replace');
    await vi.advanceTimersByTimeAsync(499);
    expect(m.unit('a.service')?.activeState).toBe('activating');
    expect(m.pendingJobs).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await job.done).toBe('done');
  });

  it('a hung job stays queued and visible until released', async () => {
    const m = new FakeSystemdManager({ 'a.service': { hang: true } });
    const job = await m.queueJob('start', 'a.service', 'replace');
    await new Promise((r) => setTimeout(r, 10));
    const [row] = await m.listUnits();
    expect(row).toMatchObject({ activeState: 'activating', jobType: 'start', jobPath: job.jobPath });
    m.releaseHungJobs('a.service');
    expect(await job.done).toBe('done');
    expect(m.pendingJobs).toBe(0);
  });

  it('records every call, accepted or not', async () => {
    const m = new FakeSystemdManager({ 'a.service': {} });
    await runJob(m, 'start', 'a.service');
    await m.queueJob('stop', 'b.service', 'fail').catch(() => {});
    expect(m.calls).toEqual([
      { op: 'start', unit: 'a.service', mode: 'replace' },
      { op: 'stop', unit: 'b.service', mode: 'fail' },
    ]);
  });
});

describe('fake systemd errors match systemd 252', () => {
  const m = new FakeSystemdManager({
    'noreload.service': { reloadable: false },
    'masked.service': { loadState: 'masked' },
    'gone.service': { loadState: 'not-found' },
  });
  it.each<[UnitOp, string, string, string, string]>([
    ['start', 'nosuch.service', 'replace', DBUS_ERRORS.NO_SUCH_UNIT, 'Unit nosuch.service not found.'],
    ['restart', 'nosuch.service', 'replace', DBUS_ERRORS.NO_SUCH_UNIT, 'Unit nosuch.service not found.'],
    ['reload', 'nosuch.service', 'replace', DBUS_ERRORS.NO_SUCH_UNIT, 'Unit nosuch.service not found.'],
    ['stop', 'nosuch.service', 'replace', DBUS_ERRORS.NO_SUCH_UNIT, 'Unit nosuch.service not loaded.'],
    ['start', 'gone.service', 'replace', DBUS_ERRORS.NO_SUCH_UNIT, 'Unit gone.service not found.'],
    [
      'reload', 'noreload.service', 'replace', DBUS_ERRORS.JOB_TYPE_NOT_APPLICABLE,
      'Job type reload is not applicable for unit noreload.service.',
    ],
    ['start', 'masked.service', 'replace', 'org.freedesktop.systemd1.UnitMasked', 'Unit masked.service is masked.'],
    ['start', 'noreload.service', 'bogus', DBUS_ERRORS.INVALID_ARGS, 'Job mode bogus invalid'],
    ['start', 'bad name', 'replace', DBUS_ERRORS.INVALID_ARGS, 'Unit name bad name is not valid.'],
    ['start', 'foo@.service', 'replace', DBUS_ERRORS.INVALID_ARGS, 'Unit name foo@.service is missing the instance name.'],
  ])('%s %s (mode %s) fails with %s', async (op, unit, mode, dbusName, text) => {
    const err = await m.queueJob(op, unit, mode).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystemdError);
    expect(err).toMatchObject({ dbusName, message: text });
  });

  it('accepts a stop of a masked or not-found unit, like systemd', async () => {
    expect(await runJob(m, 'stop', 'masked.service')).toBe('done');
    expect(await runJob(m, 'stop', 'gone.service')).toBe('done');
  });
});

describe('fake systemd properties and listing', () => {
  it('reports an unknown unit as not-found', async () => {
    const m = new FakeSystemdManager();
    expect((await m.getUnitProperties('nosuch.service')).properties).toMatchObject({
      Id: 'nosuch.service',
      LoadState: 'not-found',
      ActiveState: 'inactive',
      SubState: 'dead',
      LoadError: [DBUS_ERRORS.NO_SUCH_UNIT, 'Unit nosuch.service not found.'],
    });
  });

  it('filters properties by interface', async () => {
    const m = new FakeSystemdManager({ 'a.service': { properties: { MainPID: 0 } } });
    expect((await m.getUnitProperties('a.service')).properties).toMatchObject({ MainPID: 0, LoadState: 'loaded' });
    expect((await m.getUnitProperties('a.service', 'org.freedesktop.systemd1.Service')).properties).toEqual({ MainPID: 0, NRestarts: 0, Result: 'success' });
    expect((await m.getUnitProperties('a.service', 'org.freedesktop.systemd1.Unit')).properties).not.toHaveProperty('MainPID');
    await expect(m.getUnitProperties('a.service', 'org.freedesktop.systemd1.Socket')).rejects.toMatchObject({
      dbusName: 'org.freedesktop.DBus.Error.UnknownInterface',
      message: "Unknown interface 'org.freedesktop.systemd1.Socket'.",
    });
  });

  it('lists loaded units with systemd-shaped rows', async () => {
    const m = new FakeSystemdManager({ 'foo-bar.service': { description: 'Foo' } });
    expect(await m.listUnits()).toEqual([
      {
        name: 'foo-bar.service',
        description: 'Foo',
        loadState: 'loaded',
        activeState: 'inactive',
        subState: 'dead',
        following: '',
        unitPath: '/org/freedesktop/systemd1/unit/foo_2dbar_2eservice',
        jobId: 0,
        jobType: '',
        jobPath: '/',
      },
    ]);
  });

  it('emits UnitNew and UnitRemoved, and stops after unsubscribe', () => {
    const m = new FakeSystemdManager();
    const seen: string[] = [];
    const offNew = m.onUnitNew((u) => seen.push(`new ${u}`));
    m.onUnitRemoved((u) => seen.push(`removed ${u}`));
    m.addUnit('a.service');
    m.addUnit('a.service', { description: 'replaced, not new' });
    m.removeUnit('a.service');
    offNew();
    m.addUnit('b.service');
    expect(seen).toEqual(['new a.service', 'removed a.service']);
  });

  it('emits a state change nobody asked for', () => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' } });
    const seen = recordStates(m);
    m.setState('a.service', 'failed', 'failed');
    expect(seen).toEqual(['a.service failed/failed']);
  });
});

describe('fake systemd bus loss', () => {
  it('settles waiting jobs canceled, reports the loss, and fails later calls', async () => {
    const m = new FakeSystemdManager({ 'a.service': { hang: true } });
    const reasons: Error[] = [];
    m.onDisconnect((e) => reasons.push(e));
    const job = await m.queueJob('start', 'a.service', 'replace');
    m.simulateDisconnect();
    expect(await job.done).toBe('canceled');
    expect(reasons).toHaveLength(1);
    await expect(m.listUnits()).rejects.toMatchObject({ dbusName: DBUS_ERRORS.DISCONNECTED });
    await expect(m.queueJob('start', 'a.service', 'replace')).rejects.toMatchObject({ dbusName: DBUS_ERRORS.DISCONNECTED });
  });

  it('close settles waiting jobs canceled without reporting a loss', async () => {
    const m = new FakeSystemdManager({ 'a.service': { hang: true } });
    const onDisconnect = vi.fn();
    m.onDisconnect(onDisconnect);
    const job = await m.queueJob('start', 'a.service', 'replace');
    await m.close();
    expect(await job.done).toBe('canceled');
    expect(onDisconnect).not.toHaveBeenCalled();
  });
});

describe('fake systemd job state and cancel', () => {
  it('resolves `running` when the job starts, before it is done', async () => {
    const m = new FakeSystemdManager({ 'a.service': { hang: true } });
    const job = await m.queueJob('start', 'a.service', 'replace');
    await job.running;
    expect(m.unit('a.service')?.activeState).toBe('activating');
    expect(m.pendingJobs).toBe(1);
    m.releaseHungJobs();
    expect(await job.done).toBe('done');
  });

  it('cancels a queued job, which settles canceled; an unknown job path is an unknown object', async () => {
    const m = new FakeSystemdManager({ 'a.service': { hang: true } });
    const job = await m.queueJob('start', 'a.service', 'replace');
    await m.cancelJob(job.jobPath);
    expect(await job.done).toBe('canceled');
    expect(m.pendingJobs).toBe(0);
    await expect(m.cancelJob(job.jobPath)).rejects.toMatchObject({
      dbusName: 'org.freedesktop.DBus.Error.UnknownObject',
      message: `Unknown object '${job.jobPath}'.`,
    });
  });

  it('reports the state of a loaded unit only', async () => {
    const m = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'exited' } });
    expect(await m.getLoadedUnitState('a.service')).toEqual({ activeState: 'active', subState: 'exited' });
    expect(await m.getLoadedUnitState('nosuch.service')).toBeUndefined();
  });
});
