import { describe, expect, it } from 'vitest';
import { NO_WIDE_FACTS } from '../unit-fixtures.js';
import type { UnitStatus } from './unit-table.js';
import { WIDE_HEADERS, formatAge, formatBytes, formatSince, formatWideTable, unitDetails, wideRow, type UnitDetails } from './unit-wide.js';

const SINCE_US = Date.UTC(2026, 10, 30, 10, 31, 3) * 1000;

const status = (id: string, activeState = 'active', subState = 'running'): UnitStatus => ({
  id,
  loadState: 'loaded',
  activeState,
  subState,
  freezerState: 'running',
  unitFileState: 'enabled',
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [1, '1s'],
    [42, '42s'],
    [60, '1min'],
    [185, '3min 5s'],
    [3599, '59min 59s'],
    [3600, '1h'],
    [3605, '1h'],
    [7260, '2h 1min'],
    [7500, '2h 5min'],
    [86399, '23h 59min'],
    [86400, '1d'],
    [90061, '1d 1h'],
    [6 * 86400 + 3 * 3600 + 59, '6d 3h'],
    [400 * 86400, '400d'],
  ])('%i seconds: %s, the two largest units', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [1023, '1023B'],
    [1024, '1.0K'],
    [1535, '1.4K'],
    [1536, '1.5K'],
    [812 * 1024, '812.0K'],
    [1024 * 1024 - 1, '1023.9K'],
    [1024 * 1024, '1.0M'],
    [13_002_342, '12.3M'],
    [13_002_751, '12.3M'],
    [13_002_752, '12.4M'],
    [1.5 * 1024 ** 3, '1.5G'],
    [2 * 1024 ** 4 + 0.99 * 1024 ** 3, '2.0T'],
    [3 * 1024 ** 5, '3.0P'],
  ])('%i bytes: %s, as systemctl shows memory (the decimal cut, not rounded)', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatSince', () => {
  it.each([
    [0, '2026-11-30 10:31:03'],
    [120, '2026-11-30 12:31:03'],
    [-660, '2026-11-29 23:31:03'],
    [810, '2026-12-01 00:01:03'],
  ])('shows the local wall-clock time at offset %i minutes', (offset, text) => {
    expect(formatSince(SINCE_US, offset)).toBe(text);
  });

  it('pads every field to two digits', () => {
    expect(formatSince(Date.UTC(2027, 0, 2, 3, 4, 5) * 1000, 0)).toBe('2027-01-02 03:04:05');
  });
});

describe('unitDetails', () => {
  it('reads the wide facts from the properties, the age by the node clock', () => {
    const d = unitDetails(
      status('httpd.service'),
      { StateChangeTimestamp: SINCE_US, MainPID: 812, NRestarts: 3, MemoryCurrent: 13_002_342, Result: 'success' },
      SINCE_US + 7_500_400_000,
    );
    expect(d).toEqual({
      ...status('httpd.service'),
      stateChangeTimestamp: SINCE_US,
      stateAgeSeconds: 7500,
      mainPid: 812,
      restarts: 3,
      memoryBytes: 13_002_342,
      result: 'success',
    });
  });

  it("takes systemd's UINT64_MAX memory (not accounted) as none", () => {
    expect(unitDetails(status('a.service'), { MemoryCurrent: '18446744073709551615' }).memoryBytes).toBeNull();
  });

  it('has none of the facts systemd does not give', () => {
    expect(unitDetails(status('a.socket'), {}, SINCE_US)).toEqual({ ...status('a.socket'), ...NO_WIDE_FACTS });
  });

  it.each([
    { name: 'a unit that never changed state', props: { StateChangeTimestamp: 0 }, at: SINCE_US, since: null, age: null },
    { name: 'an unknown read time', props: { StateChangeTimestamp: SINCE_US }, at: undefined, since: SINCE_US, age: null },
    { name: 'a read time before the change', props: { StateChangeTimestamp: SINCE_US }, at: SINCE_US - 5_000_000, since: SINCE_US, age: 0 },
    { name: 'a timestamp that is not a number', props: { StateChangeTimestamp: 'soon' }, at: SINCE_US, since: null, age: null },
  ])('gives the since and age of $name', ({ props, at, since, age }) => {
    const d = unitDetails(status('a.service'), props, at);
    expect([d.stateChangeTimestamp, d.stateAgeSeconds]).toEqual([since, age]);
  });

  it.each([
    { props: { MainPID: 0 }, key: 'mainPid' },
    { props: { MainPID: -1 }, key: 'mainPid' },
    { props: { NRestarts: '3' }, key: 'restarts' },
    { props: { MemoryCurrent: Number.NaN }, key: 'memoryBytes' },
    { props: { Result: '' }, key: 'result' },
    { props: { Result: 0 }, key: 'result' },
  ] as const)('has no $key for $props', ({ props, key }) => {
    expect(unitDetails(status('a.service'), props)[key]).toBeNull();
  });

  it('keeps zero restarts and zero memory', () => {
    const d = unitDetails(status('a.service'), { NRestarts: 0, MemoryCurrent: 0 });
    expect([d.restarts, d.memoryBytes]).toEqual([0, 0]);
  });
});

describe('wide unit table', () => {
  const httpd: UnitDetails = {
    ...status('httpd.service'),
    stateChangeTimestamp: SINCE_US,
    stateAgeSeconds: 7500,
    mainPid: 812,
    restarts: 3,
    memoryBytes: 13_002_342,
    result: 'success',
  };
  const socket: UnitDetails = {
    id: 'dbus.socket',
    loadState: 'loaded',
    activeState: 'active',
    subState: 'listening',
    freezerState: null,
    unitFileState: '',
    ...NO_WIDE_FACTS,
  };

  it('prints a row per unit with a dash for every missing fact', () => {
    expect(wideRow(socket, () => 0)).toEqual(['dbus.socket', 'loaded', 'active', 'listening', '-', '-', '-', '-', '-', '-', '-', '-']);
    expect(wideRow(httpd, () => 60)).toEqual([
      'httpd.service',
      'loaded',
      'active',
      'running',
      'running',
      'enabled',
      '2026-11-30 11:31:03',
      '2h 5min',
      '812',
      '3',
      '12.3M',
      'success',
    ]);
  });

  it('asks for the UTC offset at the time of the change, in ms', () => {
    const asked: number[] = [];
    wideRow(httpd, (ms) => (asked.push(ms), 0));
    expect(asked).toEqual([SINCE_US / 1000]);
  });

  it('lays the table out like list-units: padded columns, ` | `, a rule of `=`', () => {
    expect(formatWideTable([httpd, socket], () => 0)).toBe(
      'UNIT          | LOADED | ACTIVE | SUB       | FREEZER | ENABLED | SINCE               | FOR     | MAIN PID | RESTARTS | MEMORY | RESULT \n' +
        '='.repeat(136) +
        '\n' +
        'httpd.service | loaded | active | running   | running | enabled | 2026-11-30 10:31:03 | 2h 5min | 812      | 3        | 12.3M  | success\n' +
        'dbus.socket   | loaded | active | listening | -       | -       | -                   | -       | -        | -        | -      | -      \n',
    );
    expect(WIDE_HEADERS).toHaveLength(12);
  });

  it('prints only the header and rule without units', () => {
    const header = WIDE_HEADERS.join(' | ') + '\n';
    expect(formatWideTable([], () => 0)).toBe(header + '='.repeat(header.length - 1) + '\n');
  });
});
