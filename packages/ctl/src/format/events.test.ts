import { describe, expect, it } from 'vitest';
import { agentJobLine, millis, monitorEventJson, monitorEventLines, monitorHeader, startUnitJobLines, type MonitorEvent } from './events.js';

/** What `cat -A` shows: tabs as ^I, line ends as $. */
const catA = (text: string) => text.replace(/\t/g, '^I').replace(/\n/g, '$\n');

const base = { monitorId: 2, node: 'worker1', unit: 'bench.service' };
const unitProps = (activeState: string): MonitorEvent => ({
  event: 'UnitPropertiesChanged',
  ...base,
  interface: 'org.freedesktop.systemd1.Unit',
  properties: { ActiveState: activeState, SubState: 'dead', StateChangeTimestamp: 1764497463000000 },
  signatures: { ActiveState: 's', SubState: 's', StateChangeTimestamp: 't' },
});
const serviceProps: MonitorEvent = {
  event: 'UnitPropertiesChanged',
  ...base,
  interface: 'org.freedesktop.systemd1.Service',
  properties: { NRestarts: 0, MainPID: 0, StatusText: '', Result: 'success' },
  signatures: { NRestarts: 'u', MainPID: 'u', StatusText: 's', Result: 's' },
};

describe('monitor lines', () => {
  it("reproduces upstream's `monitor worker1 bench.service` (transcript, cat -A)", () => {
    const events: MonitorEvent[] = [
      { event: 'UnitNew', ...base, reason: 'real' },
      serviceProps,
      unitProps('inactive'),
      { event: 'UnitStateChanged', ...base, activeState: 'activating', subState: 'start', reason: 'real' },
      unitProps('activating'),
      { event: 'UnitStateChanged', ...base, activeState: 'active', subState: 'exited', reason: 'real' },
      { event: 'UnitRemoved', ...base, reason: 'real' },
    ];
    const out = monitorHeader('/org/eclipse/bluechi/monitor/2', 'worker1', ['bench.service']) + events.map(monitorEventLines).join('');
    expect(catA(out)).toBe(
      [
        'Monitor path: /org/eclipse/bluechi/monitor/2$',
        "Subscribing to node 'worker1' and unit 'bench.service'$",
        '[worker1] bench.service$',
        '^IUnit created (reason: real)$',
        '[worker1] bench.service$',
        '^IUnit properties changed (Interface: org.freedesktop.systemd1.Service)$',
        '^IStatusText: $',
        '[worker1] bench.service$',
        '^IUnit properties changed (Interface: org.freedesktop.systemd1.Unit)$',
        '^IActiveState: inactive$',
        '[worker1] bench.service$',
        '^IUnit state changed (reason: real)$',
        '^IActive: activating (start)$',
        '[worker1] bench.service$',
        '^IUnit properties changed (Interface: org.freedesktop.systemd1.Unit)$',
        '^IActiveState: activating$',
        '[worker1] bench.service$',
        '^IUnit state changed (reason: real)$',
        '^IActive: active (exited)$',
        '[worker1] bench.service$',
        '^IUnit removed (reason: real)$',
        '',
      ].join('\n'),
    );
  });

  it('prints one subscription line per unit, with the wildcards as given', () => {
    expect(monitorHeader('/org/eclipse/bluechi/monitor/1', '*', ['*'])).toBe(
      "Monitor path: /org/eclipse/bluechi/monitor/1\nSubscribing to node '*' and unit '*'\n",
    );
    expect(monitorHeader('/org/eclipse/bluechi/monitor/3', 'worker1', ['a.service', 'b.service'])).toBe(
      "Monitor path: /org/eclipse/bluechi/monitor/3\nSubscribing to node 'worker1' and unit 'a.service'\nSubscribing to node 'worker1' and unit 'b.service'\n",
    );
  });

  it('prints the virtual events of the pseudo-unit *', () => {
    const node = { monitorId: 1, node: 'worker2', unit: '*' };
    expect(monitorEventLines({ event: 'UnitNew', ...node, reason: 'virtual' })).toBe('[worker2] *\n\tUnit created (reason: virtual)\n');
    expect(monitorEventLines({ event: 'UnitStateChanged', ...node, activeState: 'inactive', subState: 'agent-offline', reason: 'virtual' })).toBe(
      '[worker2] *\n\tUnit state changed (reason: virtual)\n\tActive: inactive (agent-offline)\n',
    );
    expect(monitorEventLines({ event: 'UnitRemoved', ...node, reason: 'virtual' })).toBe('[worker2] *\n\tUnit removed (reason: virtual)\n');
  });

  it('skips properties that are not strings, and string values of other D-Bus types', () => {
    const e: MonitorEvent = {
      event: 'UnitPropertiesChanged',
      ...base,
      interface: 'org.freedesktop.systemd1.Unit',
      properties: { Job: '/org/freedesktop/systemd1/job/7', Names: ['bench.service'], ActiveEnterTimestamp: 5, SubState: 'running' },
      signatures: { Job: 'o', Names: 'as', ActiveEnterTimestamp: 't', SubState: 's' },
    };
    expect(monitorEventLines(e)).toBe('[worker1] bench.service\n\tUnit properties changed (Interface: org.freedesktop.systemd1.Unit)\n\tSubState: running\n');
  });

  it('prints only the header of a change without string properties', () => {
    const e: MonitorEvent = {
      event: 'UnitPropertiesChanged',
      ...base,
      interface: 'org.freedesktop.systemd1.Service',
      properties: { NRestarts: 1 },
      signatures: { NRestarts: 'u' },
    };
    expect(monitorEventLines(e)).toBe('[worker1] bench.service\n\tUnit properties changed (Interface: org.freedesktop.systemd1.Service)\n');
  });
});

describe('monitor --json lines', () => {
  it('prints one compact object per event, event first, without the monitor id', () => {
    expect(monitorEventJson({ event: 'UnitNew', ...base, reason: 'real' })).toBe(
      '{"event":"UnitNew","node":"worker1","unit":"bench.service","reason":"real"}\n',
    );
    expect(monitorEventJson({ event: 'UnitStateChanged', ...base, activeState: 'active', subState: 'exited', reason: 'real' })).toBe(
      '{"event":"UnitStateChanged","node":"worker1","unit":"bench.service","activeState":"active","subState":"exited","reason":"real"}\n',
    );
    expect(monitorEventJson({ event: 'UnitRemoved', ...base, reason: 'virtual' })).toBe(
      '{"event":"UnitRemoved","node":"worker1","unit":"bench.service","reason":"virtual"}\n',
    );
  });

  it('carries every changed property, without the signatures', () => {
    expect(monitorEventJson(unitProps('active'))).toBe(
      '{"event":"UnitPropertiesChanged","node":"worker1","unit":"bench.service","interface":"org.freedesktop.systemd1.Unit",' +
        '"properties":{"ActiveState":"active","SubState":"dead","StateChangeTimestamp":1764497463000000}}\n',
    );
  });
});

describe('metrics lines', () => {
  it("reproduces upstream's `metrics listen` lines (transcript, cat -A)", () => {
    const out =
      agentJobLine({ node: 'worker1', unit: 'bench.service', method: 'StartUnit', systemdJobTimeUs: 7700 }) +
      startUnitJobLines({
        node: 'worker1',
        jobId: 12,
        jobPath: '/org/eclipse/bluechi/job/12',
        unit: 'bench.service',
        jobMeasuredTimeUs: 0,
        unitStartPropTimeUs: 0,
      }) +
      agentJobLine({ node: 'worker1', unit: 'bench.service', method: 'StopUnit', systemdJobTimeUs: 1400 });
    expect(catA(out)).toBe(
      [
        '[worker1] Agent systemd StartUnit job on bench.service net measured time: 7.7ms$',
        '[worker1] Job /org/eclipse/bluechi/job/12 to start unit bench.service:$',
        '^IBlueChi job gross measured time: 0.0ms$',
        '^IUnit net start time (from properties): 0.0ms$',
        '[worker1] Agent systemd StopUnit job on bench.service net measured time: 1.4ms$',
        '',
      ].join('\n'),
    );
  });

  it('prints measured times of a start job', () => {
    expect(
      startUnitJobLines({
        node: 'main',
        jobId: 14,
        jobPath: '/org/eclipse/bluechi/job/14',
        unit: 'bench.service',
        jobMeasuredTimeUs: 14_049,
        unitStartPropTimeUs: 1_500,
      }),
    ).toBe(
      '[main] Job /org/eclipse/bluechi/job/14 to start unit bench.service:\n' +
        '\tBlueChi job gross measured time: 14.0ms\n' +
        '\tUnit net start time (from properties): 1.5ms\n',
    );
  });

  it.each([
    [0, '0.0ms'],
    [49, '0.0ms'],
    [50, '0.1ms'],
    [150, '0.1ms'],
    [250, '0.2ms'],
    [350, '0.4ms'],
    [450, '0.5ms'],
    [750, '0.8ms'],
    [1250, '1.2ms'],
    [1750, '1.8ms'],
    [12_345, '12.3ms'],
    [999_950, '1000.0ms'],
    [123_456_789, '123456.8ms'],
  ])("prints %i µs as %s, as printf prints us * 1e-3 with one decimal (ties to even)", (us, text) => {
    expect(millis(us)).toBe(text);
  });
});
