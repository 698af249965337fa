import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps, unitInfo } from '../fake-client.js';
import { runListUnits } from './list-units.js';

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
    expect(client.calls).toEqual([{ method: 'ListUnits', params: { node: 'worker1' } }]);
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
});
