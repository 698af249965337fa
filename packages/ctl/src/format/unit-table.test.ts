import { describe, expect, it } from 'vitest';
import {
  formatUnitHeader,
  formatUnitRow,
  isUnitNotFound,
  maxNameLength,
  unitNotFoundMessage,
  unitStatusFromProperties,
} from './unit-table.js';

const props = (id: string, loadState: string, activeState: string, subState: string) => ({
  Id: id,
  LoadState: loadState,
  ActiveState: activeState,
  SubState: subState,
  FreezerState: 'running',
  UnitFileState: 'static',
});

/** Renders a whole table the way `status NODE UNIT...` prints it when every unit exists. */
function table(units: Array<[string, string, string]>): string {
  const width = maxNameLength(units.map(([u]) => u));
  return (
    formatUnitHeader(width) +
    units.map(([u, a, s]) => formatUnitRow(unitStatusFromProperties(u, props(u, 'loaded', a, s)), width)).join('')
  );
}

// Every expected string below is copied from the upstream transcripts (cat -A: ^I = tab).
describe('unit status table', () => {
  it.each([
    {
      name: 'one 14-character unit (W=14: 2 header tabs, 96 dashes)',
      units: [['source.service', 'inactive', 'dead']] as Array<[string, string, string]>,
      expected:
        'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '-'.repeat(96) +
        '\n' +
        'source.service\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n',
    },
    {
      name: 'a 36-character proxy unit (W=36: 5 header tabs, 120 dashes)',
      units: [['bluechi-proxy@worker1_target.service', 'inactive', 'dead']] as Array<[string, string, string]>,
      expected:
        'UNIT\t\t\t\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '-'.repeat(120) +
        '\n' +
        'bluechi-proxy@worker1_target.service\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n',
    },
    {
      name: 'a short and a long unit',
      units: [
        ['source.service', 'active', 'exited'],
        ['bluechi-proxy@worker2_target.service', 'active', 'exited'],
      ] as Array<[string, string, string]>,
      expected:
        'UNIT\t\t\t\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '-'.repeat(120) +
        '\n' +
        'source.service\t\t\t| loaded\t| active\t| exited\t| running\t| static\t|\n' +
        'bluechi-proxy@worker2_target.service\t| loaded\t| active\t| exited\t| running\t| static\t|\n',
    },
    {
      name: 'W=26 (4 header tabs, 112 dashes)',
      units: [
        ['target.service', 'active', 'exited'],
        ['bluechi-dep@target.service', 'active', 'exited'],
      ] as Array<[string, string, string]>,
      expected:
        'UNIT\t\t\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '-'.repeat(112) +
        '\n' +
        'target.service\t\t| loaded\t| active\t| exited\t| running\t| static\t|\n' +
        'bluechi-dep@target.service\t| loaded\t| active\t| exited\t| running\t| static\t|\n',
    },
    {
      name: 'W=42 with six units (6 header tabs, 128 dashes)',
      units: [
        ['badproxy1.service', 'inactive', 'dead'],
        ['bluechi-proxy@noseparator.service', 'failed', 'failed'],
        ['bluechi-proxy@worker9_target.service', 'failed', 'failed'],
        ['bluechi-proxy@worker1_nosuchtarget.service', 'failed', 'failed'],
      ] as Array<[string, string, string]>,
      expected:
        'UNIT\t\t\t\t\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '-'.repeat(128) +
        '\n' +
        'badproxy1.service\t\t\t\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n' +
        'bluechi-proxy@noseparator.service\t\t| loaded\t| failed\t| failed\t| running\t| static\t|\n' +
        'bluechi-proxy@worker9_target.service\t| loaded\t| failed\t| failed\t| running\t| static\t|\n' +
        'bluechi-proxy@worker1_nosuchtarget.service\t| loaded\t| failed\t| failed\t| running\t| static\t|\n',
    },
  ])('reproduces upstream: $name', ({ units, expected }) => {
    expect(table(units)).toBe(expected);
  });

  it('counts the requested names, found or not, for the width', () => {
    // `status worker1 nosuch.service bench.service`: W=14 although only bench.service (13) prints.
    const width = maxNameLength(['nosuch.service', 'bench.service']);
    const bench = unitStatusFromProperties('bench.service', props('bench.service', 'loaded', 'inactive', 'dead'));
    expect(formatUnitHeader(width) + formatUnitRow(bench, width)).toBe(
      'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '-'.repeat(96) +
        '\n' +
        'bench.service\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n',
    );
  });

  it('prints (null) for missing and empty values, like glibc', () => {
    const status = unitStatusFromProperties('a.service', { Id: 'a.service', LoadState: 'loaded', ActiveState: '', SubState: 3 });
    expect(status).toMatchObject({ activeState: null, subState: null, freezerState: null, unitFileState: null });
    expect(formatUnitRow(status, 9)).toBe('a.service\t| loaded\t| (null)\t| (null)\t| (null)\t| (null)\t|\n');
  });

  it('falls back to the requested name when Id is missing', () => {
    expect(unitStatusFromProperties('x.service', {}).id).toBe('x.service');
  });

  it('adds no tabs after a name longer than the column', () => {
    const status = unitStatusFromProperties('a.service', props('alias-target-long.service', 'loaded', 'active', 'running'));
    expect(formatUnitRow(status, 9).startsWith('alias-target-long.service| loaded\t')).toBe(true);
  });

  it('detects not-found units and words the message like upstream', () => {
    const status = unitStatusFromProperties('nosuch.service', { Id: 'nosuch.service', LoadState: 'not-found' });
    expect(isUnitNotFound(status)).toBe(true);
    expect(unitNotFoundMessage(status)).toBe('Unit nosuch.service could not be found.\n');
  });
});
