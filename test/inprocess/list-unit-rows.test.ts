/**
 * `bluechictl list-units` over a real controller and agents: the compact rows
 * streamed per node give byte for byte the table (and --json) that the whole
 * units give, with and without a filter, and an agent that predates
 * ListUnitRows is still listed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globMatch, type UnitInfo } from '@bluechi-ts/protocol';
import { recordingDeps } from '../../packages/ctl/src/fake-client.js';
import { formatListTable, LIST_UNITS_HEADERS } from '../../packages/ctl/src/format/list-table.js';
import { runListUnits } from '../../packages/ctl/src/verbs/list-units.js';
import { recordSignals, startCluster, type ApiClient, type TestAgent } from './fixture.js';

let api: ApiClient;
let agents: TestAgent[];
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ api, stop, agents } = await startCluster({
    main: { units: { 'a.service': {}, 'bluechi-controller.service': {} } },
    'worker1': { units: { 'b.socket': {}, 'very-long-unit-name-for-the-widths@instance.service': {}, 'c.service': { failing: true } } },
    worker2: { units: { 'b.service': {} } },
  }));
});

afterEach(() => stop?.());

/** The table as printed from the whole units (before ListUnitRows): the reference. */
async function reference(filter?: string, node?: string): Promise<{ table: string; json: string }> {
  const { nodes } = await api.call('ListUnits', node === undefined ? {} : { node });
  const rows = nodes.flatMap((n) => n.units.map((u) => [n.node, u.name, u.activeState, u.subState]));
  const keep = (u: UnitInfo) => filter === undefined || globMatch(filter, u.name);
  const table = formatListTable(LIST_UNITS_HEADERS, rows, filter === undefined ? undefined : (row) => globMatch(filter, row[1]!));
  const units = nodes.flatMap((n) => n.units.filter(keep).map((u) => ({ node: n.node, ...u })));
  return { table, json: JSON.stringify({ units }, null, 2) + '\n' };
}

async function ctl(positionals: string[], options: Array<[string, string | true]>): Promise<string> {
  const r = recordingDeps(api);
  expect(await runListUnits({ positionals, options: new Map(options) }, r.deps)).toBe(0);
  expect(r.stderr()).toBe('');
  return r.stdout();
}

describe('list-units over compact rows', () => {
  it.each([undefined, '*', 'b*', '*.service', 'nomatch'])('prints what the whole units give, filter %s', async (filter) => {
    const opts: Array<[string, string | true]> = filter === undefined ? [] : [['filter', filter]];
    for (const node of [undefined, 'worker1']) {
      const positionals = node === undefined ? [] : [node];
      const expected = await reference(filter, node);
      expect(await ctl(positionals, opts)).toBe(expected.table);
      expect(await ctl(positionals, [...opts, ['json', true]])).toBe(expected.json);
    }
    expect((await reference()).table).toContain('worker1 | very-long-unit-name');
  });

  it('streams one UnitRows signal per online node before the reply, which names them in node order', async () => {
    const seen = recordSignals(api, ['UnitRows']);
    const reply = await api.call('ListUnitRows', { fields: ['name'], streamId: 42, filter: 'b*' });
    seen.stop();
    expect(reply).toEqual({ nodes: [], order: ['main', 'worker1', 'worker2'] });
    const parts = seen.seen.map((s) => s.params as { streamId: number; node: string; rows: unknown[]; total: number });
    expect(parts.map((p) => p.streamId)).toEqual([42, 42, 42]);
    expect(Object.fromEntries(parts.map((p) => [p.node, p.rows]))).toEqual({
      main: [['bluechi-controller.service']],
      worker1: [['b.socket']],
      worker2: [['b.service']],
    });
    expect(parts.find((p) => p.node === 'main')!.total).toBeGreaterThanOrEqual(2);
  });

  it('lists an agent that does not know ListUnitRows through ListUnits, with the same output', async () => {
    const expected = await reference('*.service');
    const peer = agents.find((a) => a.name === 'worker2')!.agent.link.connection!;
    const handlers = { ...peer.handlers } as Record<string, unknown>;
    delete handlers.ListUnitRows;
    peer.handlers = handlers as typeof peer.handlers;
    expect(await ctl([], [['filter', '*.service']])).toBe(expected.table);
    expect(expected.table).toContain('worker2 ');
  });
});
