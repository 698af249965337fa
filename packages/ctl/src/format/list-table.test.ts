import { describe, expect, it } from 'vitest';
import { formatListTable, LIST_UNITS_HEADERS } from './list-table.js';

describe('list table', () => {
  it('reproduces upstream `list-units main` (widths from all rows, trailing blanks)', () => {
    const rows = [
      ['main', 'proc-acpi.mount', 'active', 'mounted'],
      ['main', 'integritysetup.target', 'active', 'active'],
      ['main', 'user.slice', 'active', 'active'],
      ['main', 'rc-local.service', 'inactive', 'dead'],
      ['main', 'systemd-networkd-wait-online.service', 'inactive', 'dead'],
      ['main', 'dbus.socket', 'active', 'listening'],
    ];
    const table = formatListTable(LIST_UNITS_HEADERS, rows).split('\n');
    expect(table.slice(0, 6)).toEqual([
      'NODE | ID                                   | ACTIVE   | SUB      ',
      '==================================================================',
      'main | proc-acpi.mount                      | active   | mounted  ',
      'main | integritysetup.target                | active   | active   ',
      'main | user.slice                           | active   | active   ',
      'main | rc-local.service                     | inactive | dead     ',
    ]);
  });

  it('reproduces upstream `list-units --filter=bluechi*`: filtered rows still set the widths', () => {
    const rows = [
      ['main', 'bluechi-controller.service', 'active', 'running'],
      ['main', 'systemd-networkd-wait-online.service', 'inactive', 'dead'],
      ['main', 'bluechi-agent.service', 'active', 'running'],
      ['worker1', 'dbus.socket', 'active', 'listening'],
      ['worker1', 'bluechi-agent.service', 'active', 'running'],
      ['worker2', 'bluechi-agent.service', 'active', 'running'],
    ];
    const keep = (r: readonly string[]) => r[1]!.startsWith('bluechi');
    expect(formatListTable(LIST_UNITS_HEADERS, rows, keep)).toBe(
      'NODE    | ID                                   | ACTIVE   | SUB      \n' +
        '=====================================================================\n' +
        'main    | bluechi-controller.service           | active   | running  \n' +
        'main    | bluechi-agent.service                | active   | running  \n' +
        'worker1 | bluechi-agent.service                | active   | running  \n' +
        'worker2 | bluechi-agent.service                | active   | running  \n',
    );
  });

  it('reproduces upstream `list-unit-files` widths with three columns', () => {
    const rows = [
      ['worker1', '/lib/systemd/system/bluechi-controller.socket', 'disabled'],
      ['worker1', '/lib/systemd/system/bluechi-proxy@.service', 'static'],
      ['worker1', '/lib/systemd/system/systemd-hostnamed-long-unit-fi.service', 'enabled-runtime'],
    ];
    const table = formatListTable(['NODE', 'PATH', 'IS-ENABLED'], rows, (r) => r[1]!.includes('bluechi'));
    expect(table).toBe(
      'NODE    | PATH                                                       | IS-ENABLED     \n' +
        '======================================================================================\n' +
        'worker1 | /lib/systemd/system/bluechi-controller.socket              | disabled       \n' +
        'worker1 | /lib/systemd/system/bluechi-proxy@.service                 | static         \n',
    );
  });

  it('uses the header widths when there are no rows', () => {
    expect(formatListTable(LIST_UNITS_HEADERS, [])).toBe('NODE | ID | ACTIVE | SUB\n' + '='.repeat(24) + '\n');
  });

  it('makes the rule as long as a full line: sum of widths plus 3 per separator', () => {
    const [header, rule] = formatListTable(['A', 'B'], [['xx', 'yyy']]).split('\n');
    expect(header).toBe('A  | B  ');
    expect(rule).toBe('='.repeat(8));
  });

  it('pads by bytes like printf does', () => {
    const [, , row] = formatListTable(['N', 'ID'], [['é', 'x'], ['ab', 'y']]).split('\n');
    expect(row).toBe('é | x ');
  });
});
