import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps, unitInfo } from '../fake-client.js';
import { jobResultLine, runLifecycle } from './lifecycle.js';

function cluster(): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2', 'offline')];
  client.units.set('worker1', [unitInfo('bench.service'), unitInfo('target.service')]);
  return client;
}

const args = (node: string, unit: string) => ({ positionals: [node, unit], options: new Map() });

describe('start/stop/restart/reload', () => {
  it.each([
    { op: 'start', line: 'Unit bench.service StartUnit operation result: done\n' },
    { op: 'stop', line: 'Unit bench.service StopUnit operation result: done\n' },
    { op: 'restart', line: 'Unit bench.service RestartUnit operation result: done\n' },
    { op: 'reload', line: 'Unit bench.service ReloadUnit operation result: done\n' },
  ] as const)('$op prints upstream result line and exits 0', async ({ op, line }) => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runLifecycle(op, args('worker1', 'bench.service'), r.deps)).toBe(0);
    expect(r.stdout()).toBe(line);
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'unitJob', args: ['worker1', 'bench.service', op] }]);
  });

  it.each(['failed', 'dependency', 'canceled', 'timeout', 'cancelled due to shutdown'])(
    'exits 0 even when the job result is %s',
    async (result) => {
      const client = cluster();
      client.jobResults.set('start worker1/target.service', result);
      const r = recordingDeps(client);
      expect(await runLifecycle('start', args('worker1', 'target.service'), r.deps)).toBe(0);
      expect(r.stdout()).toBe(`Unit target.service StartUnit operation result: ${result}\n`);
    },
  );

  it.each([
    {
      name: 'unknown node',
      node: 'nosuchnode',
      unit: 'bench.service',
      stderr: "Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/nosuchnode'.\n",
    },
    {
      name: 'node name needing escapes',
      node: 'bad/node',
      unit: 'bench.service',
      stderr: "Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/bad_2fnode'.\n",
    },
    { name: 'offline node', node: 'worker2', unit: 'bench.service', stderr: 'Failed to issue method call: Node is offline\n' },
    {
      name: 'unit unknown to systemd',
      node: 'worker1',
      unit: 'nosuch.service',
      stderr: 'Failed to issue method call: Unit nosuch.service not found.\n',
    },
  ])('fails with exit 1 and upstream wording for $name', async ({ node, unit, stderr }) => {
    const r = recordingDeps(cluster());
    expect(await runLifecycle('start', args(node, unit), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(stderr);
  });

  it('passes an invalid unit name error through unchanged', async () => {
    const client = cluster();
    client.failNext.set('unitJob', new BluechiError(ErrorCodes.INVALID_UNIT_NAME, 'Unit name bad unit name is not valid.'));
    const r = recordingDeps(client);
    expect(await runLifecycle('start', args('worker1', 'bad unit name'), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to issue method call: Unit name bad unit name is not valid.\n');
  });

  it('reports a lost connection as a failed call', async () => {
    const client = cluster();
    client.failNext.set('unitJob', new BluechiError(ErrorCodes.CONNECTION_CLOSED, 'Connection to the controller closed'));
    const r = recordingDeps(client);
    expect(await runLifecycle('stop', args('worker1', 'bench.service'), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to issue method call: Connection to the controller closed\n');
  });

  it('formats the result line', () => {
    expect(jobResultLine('a.service', 'reload', 'done')).toBe('Unit a.service ReloadUnit operation result: done\n');
  });
});
