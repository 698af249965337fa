import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps, unitInfo } from '../fake-client.js';
import { NO_WIDE_FACTS } from '../unit-fixtures.js';
import { runListUnits } from '../verbs/list-units.js';
import { runStatus } from '../verbs/status.js';
import { PLAIN, painter, statePaint, wantsColour } from './colour.js';
import { formatListTable } from './list-table.js';
import { formatNodeTable, formatWideNodeTable } from './node-table.js';
import { formatUnitHeader, formatUnitRow, type UnitStatus } from './unit-table.js';
import { formatWideTable, type UnitDetails } from './unit-wide.js';

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const ESC = '\x1b[';

describe('wantsColour', () => {
  it.each([
    { isTTY: true, env: {}, colour: true },
    { isTTY: true, env: { TERM: 'xterm-256color' }, colour: true },
    { isTTY: true, env: { NO_COLOR: '' }, colour: true },
    { isTTY: true, env: { NO_COLOR: '1' }, colour: false },
    { isTTY: true, env: { NO_COLOR: '0' }, colour: false },
    { isTTY: true, env: { TERM: 'dumb' }, colour: false },
    { isTTY: false, env: { TERM: 'xterm' }, colour: false },
    { isTTY: undefined, env: {}, colour: false },
  ])('is $colour on a terminal=$isTTY with $env', ({ isTTY, env, colour }) => {
    expect(wantsColour(isTTY, env)).toBe(colour);
  });
});

describe('state colours', () => {
  it.each([
    ['online', '32'],
    ['active', '32'],
    ['offline', '31'],
    ['failed', '31'],
    ['activating', '33'],
    ['deactivating', '33'],
    ['reloading', '33'],
    ['maintenance', '33'],
  ])('paints %s with SGR %s and resets after it', (word, sgr) => {
    expect(statePaint(word)).toBe(`${ESC}${sgr}m${word}${ESC}0m`);
  });

  it.each(['inactive', 'running', 'dead', 'exited', ''])('leaves %j as it is', (word) => {
    expect(statePaint(word)).toBe(word);
  });

  it('paints only when asked to', () => {
    expect(painter(true)).toBe(statePaint);
    expect(painter(false)).toBe(PLAIN);
    expect(PLAIN('failed')).toBe('failed');
  });
});

describe('coloured tables keep the plain layout', () => {
  const nodes = [
    nodeInfo('main'),
    nodeInfo('worker1', 'online', { peerIp: '::ffff:127.0.0.1', connectedSince: 1_764_490_000_000 }),
    nodeInfo('worker2', 'offline', { lastSeen: 1_764_497_463_000 }),
  ];
  const rows = nodes.map((n) => ({ name: n.name, state: n.status, ip: n.peerIp, lastSeen: n.status === 'online' ? 'now' : 'never' }));
  const units: UnitStatus[] = [
    { id: 'bench.service', loadState: 'loaded', activeState: 'active', subState: 'exited', freezerState: 'running', unitFileState: 'static' },
    { id: 'a.service', loadState: 'loaded', activeState: 'failed', subState: 'failed', freezerState: 'running', unitFileState: null },
    { id: 'long-name-of-a.service', loadState: 'loaded', activeState: 'activating', subState: 'start', freezerState: 'running', unitFileState: 'enabled' },
  ];
  const details: UnitDetails[] = units.map((u) => ({ ...u, ...NO_WIDE_FACTS }));

  it.each([
    { name: 'node table', draw: (p = PLAIN) => formatNodeTable(rows, p) },
    { name: 'wide node table', draw: (p = PLAIN) => formatWideNodeTable(nodes, 1_764_497_463_000, () => 0, p) },
    { name: 'unit table', draw: (p = PLAIN) => formatUnitHeader(22) + units.map((u) => formatUnitRow(u, 22, p)).join('') },
    { name: 'wide unit table', draw: (p = PLAIN) => formatWideTable(details, () => 0, p) },
    {
      name: 'list table',
      draw: (p = PLAIN) => formatListTable(['NODE', 'ID', 'ACTIVE'], [['main', 'a.service', 'failed'], ['worker1', 'bench.service', 'inactive']], undefined, { column: 2, paint: p }),
    },
  ])('$name', ({ draw }) => {
    const plain = draw();
    const coloured = draw(statePaint);
    expect(coloured).toContain(ESC);
    expect(coloured).not.toBe(plain);
    expect(stripAnsi(coloured)).toBe(plain);
    // Headers are never coloured.
    expect(coloured.split('\n')[0]).toBe(plain.split('\n')[0]);
  });
});

describe('verbs colour stdout only when told to', () => {
  function cluster(): FakeClient {
    const client = new FakeClient();
    client.nodes = [nodeInfo('main'), nodeInfo('worker2', 'offline')];
    client.units.set('main', [unitInfo('bench.service', 'failed', 'failed'), unitInfo('dbus.socket', 'active', 'listening')]);
    return client;
  }
  const args = (positionals: string[]) => ({ positionals, options: new Map() });

  it.each([
    { name: 'list-units', run: runListUnits, positionals: ['main'] },
    { name: 'status', run: runStatus, positionals: [] },
  ])('$name', async ({ run, positionals }) => {
    const plain = recordingDeps(cluster());
    const coloured = recordingDeps(cluster(), { colour: true });
    expect(await run(args(positionals), plain.deps)).toBe(0);
    expect(await run(args(positionals), coloured.deps)).toBe(0);
    expect(plain.stdout()).not.toContain(ESC);
    expect(coloured.stdout()).toContain(ESC);
    expect(stripAnsi(coloured.stdout())).toBe(plain.stdout());
  });
});
