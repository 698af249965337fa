import { describe, expect, it } from 'vitest';
import { table } from './schema.js';
import { checkUnitRows, printedWidth, unitRows } from './unit-rows.js';
import type { UnitInfo } from './catalogue/shapes.js';

const unit = (name: string, activeState = 'active', jobId = 0): UnitInfo => ({
  name,
  description: `${name} here`,
  loadState: 'loaded',
  activeState,
  subState: 'running',
  following: '',
  unitPath: `/org/freedesktop/systemd1/unit/${name}`,
  jobId,
  jobType: '',
  jobPath: '/',
});

describe('unitRows', () => {
  it('keeps only the fields asked for, in their order, and only units matching the filter', () => {
    const units = [unit('a.service'), unit('b.socket', 'inactive', 42), unit('ab.service', 'failed')];
    expect(unitRows(units, ['activeState', 'name'], 'a*')).toEqual({
      rows: [
        ['active', 'a.service'],
        ['failed', 'ab.service'],
      ],
      widths: [8, 10],
      total: 3,
    });
    expect(unitRows(units, ['jobId']).rows).toEqual([[0], [42], [0]]);
  });

  it('measures widths over every unit in bytes of UTF-8, filtered ones included', () => {
    const r = unitRows([unit('ü.service'), unit('x.service')], ['name', 'jobId'], 'x*');
    expect(r.widths).toEqual([10, 1]);
    expect(printedWidth('ü')).toBe(2);
    expect(printedWidth(12345)).toBe(5);
    expect(unitRows([], ['name'])).toEqual({ rows: [], widths: [0], total: 0 });
  });
});

describe('checkUnitRows', () => {
  it('accepts rows that fit the fields and refuses those that do not, naming the peer', () => {
    const ok = { rows: [['a', 'b']], widths: [1, 1], total: 1 };
    expect(checkUnitRows(ok, ['name', 'subState'], 'node n1')).toBe(ok);
    expect(() => checkUnitRows({ ...ok, widths: [1] }, ['name', 'subState'], 'node n1')).toThrow(
      expect.objectContaining({ code: 'INVALID_RESULT', message: 'invalid result for ListUnitRows from node n1: 1 widths for 2 fields' }),
    );
    expect(() => checkUnitRows({ ...ok, widths: [1, 1, 1] }, ['name', 'subState', 'jobId'], 'node n1')).toThrow(/rows of 2 cells for 3 fields/);
    expect(() => checkUnitRows({ ...ok, total: 0 }, ['name', 'subState'], 'node n1')).toThrow(/1 rows of 0 units/);
  });
});

describe('table schema', () => {
  const rows = table({ maxRows: 3, maxCell: 5 });

  it('returns valid rows as they are, without copying', () => {
    const v = [
      ['a', 1],
      ['bb', 0],
    ];
    expect(rows.parse(v)).toBe(v);
    expect(rows.parse([])).toEqual([]);
  });

  it.each([
    [{}, 'value: expected an array'],
    [[[], [], [], []], 'value: expected at most 3 rows'],
    [[['a'], ['b', 'c']], '[1]: expected a row of 1 cells'],
    [[['a'], 'b'], '[1]: expected a row of 1 cells'],
    [[['abcdef']], '[0][0]: expected at most 5 characters'],
    [[[-1]], '[0][0]: expected a string or a non-negative integer'],
    [[[1.5]], '[0][0]: expected a string or a non-negative integer'],
    [[[null]], '[0][0]: expected a string or a non-negative integer'],
    [[[{}]], '[0][0]: expected a string or a non-negative integer'],
  ])('refuses %j with "%s"', (value, message) => {
    expect(() => rows.parse(value)).toThrow(message);
  });

  it('names the path of a bad cell inside a larger value', () => {
    expect(() => rows.parse([['a'], [7], [true]], 'nodes[2].rows')).toThrow('nodes[2].rows[2][0]: expected a string or a non-negative integer');
  });
});
