import { describe, expect, it } from 'vitest';
import { DbusSystemdManager } from './dbus-manager.js';
import { FakePort, MANAGER, MANAGER_IFACE, RUNNING, Variant, jobChanged, unitChanged } from './fake-bus-port.js';
import { DBUS_ERRORS, SystemdError, type UnitStateEvent } from './manager.js';

describe('dbus manager method calls', () => {
  const changeRows = [['symlink', '/etc/systemd/system/multi-user.target.wants/a.service', '/usr/lib/systemd/system/a.service']];

  it.each<[string, (m: DbusSystemdManager) => Promise<unknown>, string, string, unknown[]]>([
    ['freezeUnit', (m) => m.freezeUnit('a.service'), 'FreezeUnit', 's', ['a.service']],
    ['thawUnit', (m) => m.thawUnit('a.service'), 'ThawUnit', 's', ['a.service']],
    ['killUnit', (m) => m.killUnit('a.service', 'main', 9), 'KillUnit', 'ssi', ['a.service', 'main', 9]],
    ['resetFailed', (m) => m.resetFailed(), 'ResetFailed', '', []],
    ['resetFailedUnit', (m) => m.resetFailedUnit('a.service'), 'ResetFailedUnit', 's', ['a.service']],
    ['listUnitFiles', (m) => m.listUnitFiles(), 'ListUnitFiles', '', []],
    ['getUnitFileState', (m) => m.getUnitFileState('a.service'), 'GetUnitFileState', 's', ['a.service']],
    ['enableUnitFiles', (m) => m.enableUnitFiles(['a.service', 'b.service'], true, false), 'EnableUnitFiles', 'asbb', [['a.service', 'b.service'], true, false]],
    ['disableUnitFiles', (m) => m.disableUnitFiles(['a.service'], false), 'DisableUnitFiles', 'asb', [['a.service'], false]],
    ['reload', (m) => m.reload(), 'Reload', '', []],
    ['getDefaultTarget', (m) => m.getDefaultTarget(), 'GetDefaultTarget', '', []],
    ['setDefaultTarget', (m) => m.setDefaultTarget('multi-user.target', true), 'SetDefaultTarget', 'sb', ['multi-user.target', true]],
    ['listUnits', (m) => m.listUnits(), 'ListUnits', '', []],
  ])('%s calls Manager.%s(%s) on systemd', async (_name, run, member, signature, body) => {
    const port = new FakePort({
      ListUnitFiles: () => [[]],
      ListUnits: () => [[]],
      GetUnitFileState: () => ['enabled'],
      EnableUnitFiles: () => [true, changeRows],
      DisableUnitFiles: () => [changeRows],
      SetDefaultTarget: () => [changeRows],
      GetDefaultTarget: () => ['graphical.target'],
    });
    await run(new DbusSystemdManager(port));
    expect(port.calls).toEqual([{ dest: 'org.freedesktop.systemd1', path: MANAGER, iface: MANAGER_IFACE, member, signature, body }]);
  });

  it('maps the unit-file replies to plain objects', async () => {
    const port = new FakePort({
      ListUnitFiles: () => [[['/usr/lib/systemd/system/a.service', 'enabled']]],
      GetUnitFileState: () => ['masked'],
      EnableUnitFiles: () => [false, changeRows],
      DisableUnitFiles: () => [[['unlink', '/etc/x', '']]],
      GetDefaultTarget: () => ['multi-user.target'],
    });
    const m = new DbusSystemdManager(port);
    expect(await m.listUnitFiles()).toEqual([{ path: '/usr/lib/systemd/system/a.service', state: 'enabled' }]);
    expect(await m.getUnitFileState('a.service')).toBe('masked');
    expect(await m.enableUnitFiles(['a.service'], false, false)).toEqual({
      carriesInstallInfo: false,
      changes: [{ type: 'symlink', file: '/etc/systemd/system/multi-user.target.wants/a.service', destination: '/usr/lib/systemd/system/a.service' }],
    });
    expect(await m.disableUnitFiles(['a.service'], false)).toEqual([{ type: 'unlink', file: '/etc/x', destination: '' }]);
    expect(await m.getDefaultTarget()).toBe('multi-user.target');
  });

  it("passes systemd's errors through unchanged", async () => {
    const port = new FakePort({
      FreezeUnit: () => {
        throw new SystemdError(DBUS_ERRORS.NOT_SUPPORTED, "Unit 'a.service' does not support freezing.");
      },
    });
    await expect(new DbusSystemdManager(port).freezeUnit('a.service')).rejects.toMatchObject({
      dbusName: DBUS_ERRORS.NOT_SUPPORTED,
      message: "Unit 'a.service' does not support freezing.",
    });
  });

  it('cancels a job with Job.Cancel on its own path', async () => {
    const port = new FakePort();
    await new DbusSystemdManager(port).cancelJob('/org/freedesktop/systemd1/job/12');
    expect(port.calls).toEqual([
      { dest: 'org.freedesktop.systemd1', path: '/org/freedesktop/systemd1/job/12', iface: 'org.freedesktop.systemd1.Job', member: 'Cancel', signature: '', body: [] },
    ]);
  });
});

describe('dbus manager loaded unit state', () => {
  it('reads the state of a loaded unit through GetUnit and its Unit properties', async () => {
    const port = new FakePort({
      GetUnit: () => ['/org/freedesktop/systemd1/unit/a_2eservice'],
      GetAll: () => [{ ActiveState: new Variant('s', 'active'), SubState: new Variant('s', 'running') }],
    });
    const m = new DbusSystemdManager(port);
    expect(await m.getLoadedUnitState('a.service')).toEqual({ activeState: 'active', subState: 'running' });
    expect(port.calls.map((c) => [c.member, c.path, c.signature, c.body])).toEqual([
      ['GetUnit', MANAGER, 's', ['a.service']],
      ['GetAll', '/org/freedesktop/systemd1/unit/a_2eservice', 's', ['org.freedesktop.systemd1.Unit']],
    ]);
    const states: UnitStateEvent[] = [];
    m.onStateChanged((e) => states.push(e));
    port.signal(unitChanged('a_2eservice', RUNNING));
    expect(states).toEqual([]);
  });

  it('is undefined for a unit systemd has not loaded (NoSuchUnit), without loading it', async () => {
    const port = new FakePort({
      GetUnit: () => {
        throw new SystemdError(DBUS_ERRORS.NO_SUCH_UNIT, 'Unit a.service not loaded.');
      },
    });
    expect(await new DbusSystemdManager(port).getLoadedUnitState('a.service')).toBeUndefined();
    expect(port.calls.map((c) => c.member)).toEqual(['GetUnit']);
  });

  it('fails with any other error', async () => {
    const port = new FakePort({
      GetUnit: () => {
        throw new SystemdError(DBUS_ERRORS.DISCONNECTED, 'Connection to the bus was lost.');
      },
    });
    await expect(new DbusSystemdManager(port).getLoadedUnitState('a.service')).rejects.toMatchObject({ dbusName: DBUS_ERRORS.DISCONNECTED });
  });
});

describe('dbus manager job running state', () => {
  const JOB = '/org/freedesktop/systemd1/job/21';

  it("resolves `running` from the job's PropertiesChanged State=running", async () => {
    const port = new FakePort({ StartUnit: () => [JOB] });
    const m = new DbusSystemdManager(port);
    const job = await m.queueJob('start', 'a.service', 'replace');
    let running = false;
    void job.running.then(() => (running = true));
    port.signal(jobChanged(JOB, 'waiting'));
    port.signal(jobChanged('/org/freedesktop/systemd1/job/99', 'running'));
    await Promise.resolve();
    expect(running).toBe(false);
    port.signal(jobChanged(JOB, 'running'));
    await job.running;
    port.jobRemoved(JOB, 'done');
    expect(await job.done).toBe('done');
  });

  it('resolves `running` when the State=running signal arrives before the StartUnit reply', async () => {
    const port = new FakePort({
      StartUnit: () => {
        port.signal(jobChanged(JOB, 'running'));
        return [JOB];
      },
    });
    const job = await new DbusSystemdManager(port).queueJob('start', 'a.service', 'replace');
    await expect(job.running).resolves.toBeUndefined();
  });

  it('resolves `running` for every caller of a merged job', async () => {
    const port = new FakePort({ StartUnit: () => [JOB] });
    const m = new DbusSystemdManager(port);
    const jobs = await Promise.all([m.queueJob('start', 'a.service', 'replace'), m.queueJob('start', 'a.service', 'replace')]);
    port.signal(jobChanged(JOB, 'running'));
    await Promise.all(jobs.map((j) => j.running));
  });

  it('ignores a State change on another interface of the job', async () => {
    const port = new FakePort({ StartUnit: () => [JOB] });
    const m = new DbusSystemdManager(port);
    const job = await m.queueJob('start', 'a.service', 'replace');
    let running = false;
    void job.running.then(() => (running = true));
    port.signal({ ...jobChanged(JOB, 'running'), body: ['org.example.Other', { State: new Variant('s', 'running') }, []] });
    await Promise.resolve();
    await Promise.resolve();
    expect(running).toBe(false);
  });
});

describe('dbus manager jobs merged while a caller waits for its reply', () => {
  const JOB = '/org/freedesktop/systemd1/job/30';

  it("settles a later caller whose job ended before its reply was read, while an earlier caller waits on it", async () => {
    let second = false;
    const port = new FakePort({
      StartUnit: () => {
        if (second) port.jobRemoved(JOB, 'done');
        return [JOB];
      },
    });
    const m = new DbusSystemdManager(port);
    const first = await m.queueJob('start', 'a.service', 'replace');
    second = true;
    const later = await m.queueJob('start', 'a.service', 'replace');
    expect(await first.done).toBe('done');
    expect(await later.done).toBe('done');
  });

  it('resolves `running` of a later caller whose job started before its reply was read, while an earlier caller waits on it', async () => {
    let second = false;
    const port = new FakePort({
      StartUnit: () => {
        if (second) port.signal(jobChanged(JOB, 'running'));
        return [JOB];
      },
    });
    const m = new DbusSystemdManager(port);
    const first = await m.queueJob('start', 'a.service', 'replace');
    second = true;
    const later = await m.queueJob('start', 'a.service', 'replace');
    await first.running;
    await later.running;
  });
});
