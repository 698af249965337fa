import { describe, expect, it } from 'vitest';
import { BluechiError, ErrorCodes, globMatch, type UnitInfo } from '@bluechi-ts/protocol';
import { FakeClient, nodeInfo, recordingDeps, unitInfo } from '../fake-client.js';
import { formatListTable, LIST_UNITS_HEADERS } from '../format/list-table.js';
import { runListUnits, TABLE_FIELDS } from './list-units.js';

function cluster(): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2'), nodeInfo('worker3', 'offline')];
  client.units.set('main', [
    unitInfo('bluechi-controller.service'),
    unitInfo('systemd-networkd-wait-online.service', 'inactive', 'dead'),
    unitInfo('bluechi-agent.service'),
  ]);
  client.units.set('worker1', [
    unitInfo('dbus.socket', 'active', 'listening'),
    unitInfo('dbus.service'),
    unitInfo('bluechi-agent.service'),
  ]);
  client.units.set('worker2', [unitInfo('bluechi-agent.service')]);
  client.units.set('worker3', [unitInfo('offline-only.service')]);
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });

describe('list-units', () => {
  it('reproduces upstream `list-units --filter=bluechi*` over all online nodes', async () => {
    const r = recordingDeps(cluster());
    expect(await runListUnits(args([], [['filter', 'bluechi*']]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      'NODE    | ID                                   | ACTIVE   | SUB      \n' +
        '=====================================================================\n' +
        'main    | bluechi-controller.service           | active   | running  \n' +
        'main    | bluechi-agent.service                | active   | running  \n' +
        'worker1 | bluechi-agent.service                | active   | running  \n' +
        'worker2 | bluechi-agent.service                | active   | running  \n',
    );
  });

  it('lists one node, filtering with a glob but sizing from every unit', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runListUnits(args(['worker1'], [['filter', 'dbus*']]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      'NODE    | ID                    | ACTIVE | SUB      \n' +
        '====================================================\n' +
        'worker1 | dbus.socket           | active | listening\n' +
        'worker1 | dbus.service          | active | running  \n',
    );
    expect(client.calls).toEqual([{ method: 'ListUnitRows', params: { node: 'worker1', fields: [...TABLE_FIELDS], filter: 'dbus*', streamId: expect.any(Number) } }]);
  });

  it('skips offline nodes when no node is given', async () => {
    const r = recordingDeps(cluster());
    await runListUnits(args([]), r.deps);
    expect(r.stdout()).not.toContain('worker3');
    expect(r.stdout().split('\n')).toHaveLength(2 + 7 + 1);
  });

  it('prints only header and rule when the filter matches nothing', async () => {
    const r = recordingDeps(cluster());
    await runListUnits(args(['worker2'], [['filter', '']]), r.deps);
    expect(r.stdout()).toBe('NODE    | ID                    | ACTIVE | SUB    \n' + '='.repeat(50) + '\n');
  });

  it.each([
    { node: 'nosuchnode', stderr: "Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/nosuchnode'.\n" },
    { node: 'worker3', stderr: 'Failed to issue method call: Node is offline\n' },
  ])('fails for $node with exit 1', async ({ node, stderr }) => {
    const r = recordingDeps(cluster());
    expect(await runListUnits(args([node]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(stderr);
  });

  it('prints filtered units as JSON with --json', async () => {
    const r = recordingDeps(cluster());
    expect(await runListUnits(args([], [['filter', 'dbus.*'], ['json', true]]), r.deps)).toBe(0);
    const parsed = JSON.parse(r.stdout());
    expect(parsed.units.map((u: { node: string; name: string; subState: string }) => [u.node, u.name, u.subState])).toEqual([
      ['worker1', 'dbus.socket', 'listening'],
      ['worker1', 'dbus.service', 'running'],
    ]);
  });

  it('prints rows streamed as UnitRows signals in the order of the reply, ignoring other streams', async () => {
    const client = new FakeClient();
    const r = recordingDeps(client);
    client.handlers.ListUnitRows = ({ streamId }) => {
      client.emit('UnitRows', { streamId: streamId!, node: 'b', rows: [['b.service', 'active', 'running']], widths: [9, 6, 7], total: 1 });
      client.emit('UnitRows', { streamId: streamId! + 1000, node: 'a', rows: [['stray.service', 'active', 'running']], widths: [13, 6, 7], total: 1 });
      client.emit('UnitRows', { streamId: streamId!, node: 'a', rows: [['a.service', 'failed', 'failed']], widths: [30, 6, 6], total: 4 });
      return { nodes: [], order: ['a', 'b'] };
    };
    expect(await runListUnits(args([]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      'NODE | ID                             | ACTIVE | SUB    \n' +
        '='.repeat(56) + '\n' +
        'a    | a.service                      | failed | failed \n' +
        'b    | b.service                      | active | running\n',
    );
  });

  it('asks a controller without ListUnitRows for ListUnits and prints the same table', async () => {
    const expected = recordingDeps(cluster());
    await runListUnits(args([], [['filter', '*.service']]), expected.deps);
    const client = cluster();
    client.failNext.set('ListUnitRows', new BluechiError(ErrorCodes.UNKNOWN_METHOD, 'unknown method ListUnitRows'));
    const r = recordingDeps(client);
    expect(await runListUnits(args([], [['filter', '*.service']]), r.deps)).toBe(0);
    expect(client.calledMethods()).toEqual(['ListUnitRows', 'ListUnits']);
    expect(r.stdout()).toBe(expected.stdout());
    expect(r.stdout()).toContain('dbus.service');
  });
});

/**
 * The table and JSON exactly as bluechictl printed them when the controller sent
 * every unit whole (before ListUnitRows): the reference the compact rows must
 * reproduce byte for byte.
 */
function referenceTable(nodes: ReadonlyArray<{ node: string; units: UnitInfo[] }>, filter?: string): string {
  const rows = nodes.flatMap(({ node, units }) => units.map((u) => [node, u.name, u.activeState, u.subState]));
  const keep = filter === undefined ? undefined : (row: readonly string[]) => globMatch(filter, row[1]!);
  return formatListTable(LIST_UNITS_HEADERS, rows, keep);
}
function referenceJson(nodes: ReadonlyArray<{ node: string; units: UnitInfo[] }>, filter?: string): string {
  const units = nodes.flatMap(({ node, units: list }) => list.filter((u) => filter === undefined || globMatch(filter, u.name)).map((u) => ({ node, ...u })));
  return JSON.stringify({ units }, null, 2) + '\n';
}

describe('list-units output is byte-identical to the whole-unit form', () => {
  /** A deterministic pseudo-random cluster: names of varied length, some non-ASCII, some nodes with no units, one offline. */
  function randomCluster(seed: number): FakeClient {
    // mulberry32: a small deterministic PRNG.
    let x = seed;
    const rand = (n: number) => {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    const word = () => ['a', 'db', 'sshd', 'nginx-worker', 'systemd-journald', 'ünïcødé', 'x'.repeat(rand(40) + 1)][rand(7)]!;
    const client = new FakeClient();
    const names = Array.from({ length: 6 }, (_, i) => `node${i}${'-long'.repeat(rand(3))}`);
    client.nodes = names.map((n, i) => nodeInfo(n, i === 3 ? 'offline' : 'online'));
    for (const n of names) {
      const count = rand(4) === 0 ? 0 : rand(30);
      client.units.set(
        n,
        Array.from({ length: count }, (_, i) => ({
          ...unitInfo(`${word()}-${i}.${rand(2) ? 'service' : 'socket'}`, ['active', 'inactive', 'failed', 'activating'][rand(4)], ['running', 'dead', 'listening', 'exited'][rand(4)]),
          jobId: rand(3) === 0 ? rand(5000) : 0,
          description: word(),
        })),
      );
    }
    return client;
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: every filter, with and without a node, table and --json', async (seed) => {
    let rowsPrinted = 0;
    for (const filter of [undefined, '*', 'a*', '*.socket', '?b*', 'nomatch', '*ü*', '']) {
      for (const node of [undefined, 'node0', 'node2']) {
        const client = randomCluster(seed);
        const known = client.nodes.filter((n) => n.status === 'online' && (node === undefined || n.name.startsWith(node)));
        const nodeName = node === undefined ? undefined : known[0]?.name;
        if (node !== undefined && nodeName === undefined) continue;
        const chosen = known.filter((n) => nodeName === undefined || n.name === nodeName).map((n) => ({ node: n.name, units: client.units.get(n.name)! }));
        const opts: Array<[string, string | true]> = filter === undefined ? [] : [['filter', filter]];
        const table = recordingDeps(client);
        expect(await runListUnits(args(nodeName === undefined ? [] : [nodeName], opts), table.deps)).toBe(0);
        expect(table.stdout()).toBe(referenceTable(chosen, filter));
        rowsPrinted += table.stdout().split('\n').length - 3;
        const json = recordingDeps(client);
        expect(await runListUnits(args(nodeName === undefined ? [] : [nodeName], [...opts, ['json', true]]), json.deps)).toBe(0);
        expect(json.stdout()).toBe(referenceJson(chosen, filter));
      }
    }
    expect(rowsPrinted).toBeGreaterThan(20);
  });
});
