import { describe, expect, it, vi } from 'vitest';
import type { BusCall, BusPort, BusSignal } from './bus-port.js';
import { DbusSystemdManager, MATCH_RULES } from './dbus-manager.js';
import { DBUS_ERRORS, SystemdError, type UnitStateEvent } from './manager.js';

/** Shaped like the D-Bus library's variant. */
class Variant {
  constructor(
    readonly signature: string,
    readonly value: unknown,
  ) {}
}

type Handler = (c: BusCall) => unknown[] | Promise<unknown[]>;

const MANAGER = '/org/freedesktop/systemd1';
const MANAGER_IFACE = 'org.freedesktop.systemd1.Manager';
const RUNNING = { ActiveState: 'active', SubState: 'running' };

/** A bus that answers from handlers keyed by member, and lets tests send signals and close it. */
class FakePort implements BusPort {
  readonly calls: BusCall[] = [];
  private signalListener: (s: BusSignal) => void = () => {};
  private closeListener: (e: Error) => void = () => {};
  constructor(private readonly handlers: Record<string, Handler> = {}) {}

  async call(c: BusCall): Promise<unknown[]> {
    this.calls.push(c);
    const h = this.handlers[c.member];
    return h ? h(c) : [];
  }
  onSignal(l: (s: BusSignal) => void): void {
    this.signalListener = l;
  }
  onClose(l: (e: Error) => void): void {
    this.closeListener = l;
  }
  async close(): Promise<void> {
    this.closeListener(new Error('closed'));
  }
  signal(s: BusSignal): void {
    this.signalListener(s);
  }
  jobRemoved(jobPath: string, result: string): void {
    this.signal({ path: MANAGER, iface: MANAGER_IFACE, member: 'JobRemoved', body: [1, jobPath, 'a.service', result] });
  }
  lose(): void {
    this.closeListener(new Error('Connection to the bus was lost.'));
  }
}

function unitChanged(label: string, changed: Record<string, unknown>, iface = 'org.freedesktop.systemd1.Unit'): BusSignal {
  return {
    path: `/org/freedesktop/systemd1/unit/${label}`,
    iface: 'org.freedesktop.DBus.Properties',
    member: 'PropertiesChanged',
    body: [iface, Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, new Variant('s', v)])), []],
  };
}

describe('dbus manager setup', () => {
  it('adds a few broad match rules once, then subscribes', async () => {
    const port = new FakePort();
    await new DbusSystemdManager(port).init();
    expect(port.calls.map((c) => c.member)).toEqual([...MATCH_RULES.map(() => 'AddMatch'), 'Subscribe']);
    expect(MATCH_RULES.length).toBeLessThanOrEqual(5);
    expect(MATCH_RULES.join('\n')).not.toMatch(/path='\/org\/freedesktop\/systemd1\/unit\//);
  });
});

describe('dbus manager jobs', () => {
  it('settles a job whose JobRemoved arrives before the method reply', async () => {
    const port = new FakePort({
      StartUnit: () => {
        port.jobRemoved('/org/freedesktop/systemd1/job/7', 'done');
        return ['/org/freedesktop/systemd1/job/7'];
      },
    });
    const m = new DbusSystemdManager(port);
    const job = await m.queueJob('start', 'a.service', 'replace');
    expect(job.jobPath).toBe('/org/freedesktop/systemd1/job/7');
    expect(await job.done).toBe('done');
  });

  it('settles a job whose JobRemoved arrives after the reply', async () => {
    const port = new FakePort({ StopUnit: () => ['/org/freedesktop/systemd1/job/8'] });
    const m = new DbusSystemdManager(port);
    const job = await m.queueJob('stop', 'a.service', 'fail');
    expect(port.calls[0]).toMatchObject({ member: 'StopUnit', body: ['a.service', 'fail'] });
    port.jobRemoved('/org/freedesktop/systemd1/job/8', 'failed');
    expect(await job.done).toBe('failed');
  });

  it('settles every caller when systemd merged their jobs into one', async () => {
    const port = new FakePort({ StartUnit: () => ['/org/freedesktop/systemd1/job/9'] });
    const m = new DbusSystemdManager(port);
    const jobs = await Promise.all([1, 2, 3].map(() => m.queueJob('start', 'a.service', 'replace')));
    port.jobRemoved('/org/freedesktop/systemd1/job/9', 'done');
    expect(await Promise.all(jobs.map((j) => j.done))).toEqual(['done', 'done', 'done']);
  });

  it.each([
    ['restart', 'RestartUnit'],
    ['reload', 'ReloadUnit'],
  ] as const)('%s calls %s', async (op, member) => {
    const port = new FakePort({ [member]: () => ['/org/freedesktop/systemd1/job/1'] });
    await new DbusSystemdManager(port).queueJob(op, 'a.service', 'replace');
    expect(port.calls[0].member).toBe(member);
  });

  it("passes systemd's error through unchanged", async () => {
    const port = new FakePort({
      StartUnit: () => {
        throw new SystemdError(DBUS_ERRORS.NO_SUCH_UNIT, 'Unit nosuch.service not found.');
      },
    });
    const err = await new DbusSystemdManager(port).queueJob('start', 'nosuch.service', 'replace').catch((e: unknown) => e);
    expect(err).toMatchObject({ dbusName: DBUS_ERRORS.NO_SUCH_UNIT, message: 'Unit nosuch.service not found.' });
  });

  it('settles waiting jobs canceled and reports the loss when the bus goes away', async () => {
    const port = new FakePort({ StartUnit: () => ['/org/freedesktop/systemd1/job/3'] });
    const m = new DbusSystemdManager(port);
    const onDisconnect = vi.fn();
    m.onDisconnect(onDisconnect);
    const job = await m.queueJob('start', 'a.service', 'replace');
    port.lose();
    expect(await job.done).toBe('canceled');
    expect(onDisconnect).toHaveBeenCalledTimes(1);
  });

  it('close settles waiting jobs canceled without reporting a loss', async () => {
    const port = new FakePort({ StartUnit: () => ['/org/freedesktop/systemd1/job/4'] });
    const m = new DbusSystemdManager(port);
    const onDisconnect = vi.fn();
    m.onDisconnect(onDisconnect);
    const job = await m.queueJob('start', 'a.service', 'replace');
    await m.close();
    expect(await job.done).toBe('canceled');
    expect(onDisconnect).not.toHaveBeenCalled();
  });
});

describe('dbus manager queries', () => {
  it('maps ListUnits rows to UnitInfo', async () => {
    const row = [
      'a.service', 'A', 'loaded', 'active', 'running', '',
      '/org/freedesktop/systemd1/unit/a_2eservice', 5, 'start', '/org/freedesktop/systemd1/job/5',
    ];
    const port = new FakePort({ ListUnits: () => [[row]] });
    expect(await new DbusSystemdManager(port).listUnits()).toEqual([
      {
        name: 'a.service',
        description: 'A',
        loadState: 'loaded',
        activeState: 'active',
        subState: 'running',
        following: '',
        unitPath: '/org/freedesktop/systemd1/unit/a_2eservice',
        jobId: 5,
        jobType: 'start',
        jobPath: '/org/freedesktop/systemd1/job/5',
      },
    ]);
  });

  it('loads the unit, then reads all interfaces as plain JSON', async () => {
    const port = new FakePort({
      LoadUnit: () => ['/org/freedesktop/systemd1/unit/a_2eservice'],
      GetAll: () => [
        {
          LoadState: new Variant('s', 'not-found'),
          TimeoutStartUSec: new Variant('t', 2n ** 64n - 1n),
          MainPID: new Variant('u', 0),
        },
      ],
    });
    const props = await new DbusSystemdManager(port).getUnitProperties('a.service');
    expect(props).toEqual({
      properties: { LoadState: 'not-found', TimeoutStartUSec: '18446744073709551615', MainPID: 0 },
      signatures: { LoadState: 's', TimeoutStartUSec: 't', MainPID: 'u' },
    });
    expect(port.calls.map((c) => [c.member, c.path, c.body])).toEqual([
      ['LoadUnit', MANAGER, ['a.service']],
      ['GetAll', '/org/freedesktop/systemd1/unit/a_2eservice', ['']],
    ]);
  });
});

describe('dbus manager events', () => {
  function setup() {
    const port = new FakePort();
    const m = new DbusSystemdManager(port);
    const states: UnitStateEvent[] = [];
    const seen: string[] = [];
    m.onStateChanged((e) => states.push(e));
    m.onUnitNew((u) => seen.push(`new ${u}`));
    m.onUnitRemoved((u) => seen.push(`removed ${u}`));
    return { port, m, states, seen };
  }

  it('emits state changes with the unit name unescaped from the path', () => {
    const { port, states } = setup();
    port.signal(unitChanged('foo_2dbar_2eservice', { ActiveState: 'activating', SubState: 'start', Job: 'x' }));
    port.signal(unitChanged('foo_2dbar_2eservice', { ActiveState: 'active', SubState: 'exited' }));
    expect(states).toEqual([
      { unit: 'foo-bar.service', activeState: 'activating', subState: 'start' },
      { unit: 'foo-bar.service', activeState: 'active', subState: 'exited' },
    ]);
  });

  it.each([
    ['an unchanged state', [RUNNING, RUNNING], 1],
    ['a change without state properties', [RUNNING, { Description: 'x' }], 1],
    ['only one of the two properties, completed from the last', [RUNNING, { SubState: 'exited' }], 2],
  ])('handles %s', (_what, changes, expected) => {
    const { port, states } = setup();
    for (const c of changes) port.signal(unitChanged('a_2eservice', c));
    expect(states).toHaveLength(expected);
  });

  it('takes no state from property changes of other interfaces', () => {
    const { port, states } = setup();
    port.signal(unitChanged('a_2eservice', RUNNING, 'org.freedesktop.systemd1.Service'));
    expect(states).toEqual([]);
  });

  it('reports UnitNew and UnitRemoved, and forgets the state of a removed unit', () => {
    const { port, states, seen } = setup();
    const manager = (member: string) => ({
      path: MANAGER,
      iface: MANAGER_IFACE,
      member,
      body: ['a.service', '/org/freedesktop/systemd1/unit/a_2eservice'],
    });
    port.signal(unitChanged('a_2eservice', { ActiveState: 'activating', SubState: 'start' }));
    port.signal(manager('UnitRemoved'));
    port.signal(manager('UnitNew'));
    port.signal(unitChanged('a_2eservice', { ActiveState: 'activating', SubState: 'start' }));
    expect(seen).toEqual(['removed a.service', 'new a.service']);
    expect(states).toHaveLength(2);
  });

  it('takes a unit it never saw to be inactive/dead, so only real transitions are reported', () => {
    const { port, states } = setup();
    port.signal(unitChanged('a_2eservice', { ActiveState: 'inactive', SubState: 'dead' }));
    port.signal(unitChanged('b_2eservice', { ActiveState: 'active', SubState: 'running' }));
    expect(states).toEqual([{ unit: 'b.service', activeState: 'active', subState: 'running' }]);
  });

  it('passes every PropertiesChanged on, any interface, with signatures, after the state change it carries', () => {
    const { port, m } = setup();
    const order: string[] = [];
    m.onStateChanged((e) => order.push(`state ${e.activeState}`));
    m.onPropertiesChanged((e) => order.push(`props ${e.interface} ${JSON.stringify(e.properties)} ${JSON.stringify(e.signatures)}`));
    port.signal(unitChanged('a_2eservice', { StatusText: 'hello' }, 'org.freedesktop.systemd1.Service'));
    port.signal(unitChanged('a_2eservice', { ActiveState: 'active', SubState: 'running' }));
    expect(order).toEqual([
      'props org.freedesktop.systemd1.Service {"StatusText":"hello"} {"StatusText":"s"}',
      'state active',
      'props org.freedesktop.systemd1.Unit {"ActiveState":"active","SubState":"running"} {"ActiveState":"s","SubState":"s"}',
    ]);
  });

  it('remembers the state it read from a unit, so an unchanged signal is not a change', async () => {
    const port = new FakePort({
      LoadUnit: () => ['/org/freedesktop/systemd1/unit/a_2eservice'],
      GetAll: () => [{ LoadState: new Variant('s', 'loaded'), ActiveState: new Variant('s', 'active'), SubState: new Variant('s', 'running') }],
    });
    const m = new DbusSystemdManager(port);
    const states: UnitStateEvent[] = [];
    m.onStateChanged((e) => states.push(e));
    await m.getUnitProperties('a.service');
    port.signal(unitChanged('a_2eservice', RUNNING));
    expect(states).toEqual([]);
  });

  it('keeps calling listeners after one throws', async () => {
    const port = new FakePort();
    const m = new DbusSystemdManager(port);
    const states: UnitStateEvent[] = [];
    const uncaught = vi.fn();
    m.onStateChanged(() => {
      throw new Error('listener bug');
    });
    m.onStateChanged((e) => states.push(e));
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (cb) => original(() => {
      try {
        cb();
      } catch (e) {
        uncaught(e);
      }
    });
    try {
      port.signal(unitChanged('a_2eservice', { ActiveState: 'active', SubState: 'running' }));
      await Promise.resolve();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(states).toHaveLength(1);
    expect(uncaught).toHaveBeenCalledWith(new Error('listener bug'));
  });
});

function jobChanged(jobPath: string, state: string): BusSignal {
  return {
    path: jobPath,
    iface: 'org.freedesktop.DBus.Properties',
    member: 'PropertiesChanged',
    body: ['org.freedesktop.systemd1.Job', { State: new Variant('s', state) }, []],
  };
}

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
