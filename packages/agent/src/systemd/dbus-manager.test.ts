import { describe, expect, it, vi } from 'vitest';
import { DbusSystemdManager, MATCH_RULES } from './dbus-manager.js';
import { FakePort, MANAGER, MANAGER_IFACE, RUNNING, Variant, unitChanged } from './fake-bus-port.js';
import { DBUS_ERRORS, SystemdError, type UnitStateEvent } from './manager.js';

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
