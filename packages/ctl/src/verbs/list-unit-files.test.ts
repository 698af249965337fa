import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { runListUnitFiles } from './list-unit-files.js';

const SYS = '/lib/systemd/system/';
/** As long as the longest path of upstream's transcript (58), so the PATH column is as wide as there. */
const LONG = `${SYS}${'x'.repeat(30)}.service`;

function cluster(): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2', 'offline')];
  client.unitFiles.set('worker1', [
    { path: `${SYS}systemd-initctl.service`, state: 'static' },
    { path: `${SYS}bluechi-controller.socket`, state: 'disabled' },
    { path: `${SYS}bluechi-agent.service`, state: 'disabled' },
    { path: LONG, state: 'enabled-runtime' },
    { path: `${SYS}bluechi-controller.service`, state: 'disabled' },
    { path: `${SYS}bluechi-dep@.service`, state: 'static' },
    { path: `${SYS}bluechi-proxy@.service`, state: 'static' },
  ]);
  client.unitFiles.set('main', [{ path: '/etc/systemd/system/bench.service', state: 'enabled' }]);
  client.unitFiles.set('worker2', [{ path: `${SYS}never-listed.service`, state: 'static' }]);
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });

const HEADER = 'NODE    | PATH                                                       | IS-ENABLED     \n';
const RULE = '='.repeat(86) + '\n';

describe('list-unit-files', () => {
  it("reproduces upstream `list-unit-files worker1 --filter='*bluechi*'` byte for byte", async () => {
    expect(LONG).toHaveLength(58);
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runListUnitFiles(args(['worker1'], [['filter', '*bluechi*']]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      HEADER +
        RULE +
        'worker1 | /lib/systemd/system/bluechi-controller.socket              | disabled       \n' +
        'worker1 | /lib/systemd/system/bluechi-agent.service                  | disabled       \n' +
        'worker1 | /lib/systemd/system/bluechi-controller.service             | disabled       \n' +
        'worker1 | /lib/systemd/system/bluechi-dep@.service                   | static         \n' +
        'worker1 | /lib/systemd/system/bluechi-proxy@.service                 | static         \n',
    );
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'ListUnitFiles', params: { node: 'worker1' } }]);
  });

  it("matches the full path, so `--filter='bluechi*'` lists nothing, yet sizes the columns from every file", async () => {
    const r = recordingDeps(cluster());
    expect(await runListUnitFiles(args(['worker1'], [['filter', 'bluechi*']]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(HEADER + RULE);
  });

  it('lists every online node in order without a node, leaving offline nodes out', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runListUnitFiles(args([], [['filter', '*bench*']]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(HEADER + RULE + 'main    | /etc/systemd/system/bench.service                          | enabled        \n');
    expect(client.calls).toEqual([{ method: 'ListUnitFiles', params: {} }]);

    const all = recordingDeps(cluster());
    await runListUnitFiles(args([]), all.deps);
    const nodes = all.stdout().split('\n').slice(2, -1).map((line) => line.split(' | ')[0]!.trim());
    expect(nodes).toEqual(['main', ...Array(7).fill('worker1')]);
  });

  it('pads every column of every line, and rules as wide as a line', async () => {
    const r = recordingDeps(cluster());
    await runListUnitFiles(args(['worker1']), r.deps);
    const lines = r.stdout().split('\n').slice(0, -1);
    expect(lines).toHaveLength(2 + 7);
    for (const line of lines) expect(line).toHaveLength(86);
    expect(lines).toContain(`worker1 | ${LONG} | enabled-runtime`);
  });

  it('prints the files as JSON with --json, filtered, each with its node', async () => {
    const r = recordingDeps(cluster());
    expect(await runListUnitFiles(args([], [['filter', '*bluechi-dep*'], ['json', true]]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      JSON.stringify({ unitFiles: [{ node: 'worker1', path: `${SYS}bluechi-dep@.service`, state: 'static' }] }, null, 2) + '\n',
    );
  });

  it.each([
    { node: 'nosuchnode', stderr: "Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/nosuchnode'.\n" },
    { node: 'worker2', stderr: 'Failed to issue method call: Node is offline\n' },
  ])('fails for $node like upstream, exit 1', async ({ node, stderr }) => {
    const r = recordingDeps(cluster());
    expect(await runListUnitFiles(args([node]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(stderr);
  });
});
