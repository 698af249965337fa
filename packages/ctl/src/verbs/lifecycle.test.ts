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

const args = (node: string, unit: string, options: Array<[string, string | true]> = []) => ({ positionals: [node, unit], options: new Map(options) });
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

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
    const method = { start: 'StartUnit', stop: 'StopUnit', restart: 'RestartUnit', reload: 'ReloadUnit' }[op];
    expect(client.calls).toEqual([{ method, params: { node: 'worker1', unit: 'bench.service', mode: 'replace' } }]);
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
    client.failNext.set('StartUnit', new BluechiError(ErrorCodes.INVALID_UNIT_NAME, 'Unit name bad unit name is not valid.'));
    const r = recordingDeps(client);
    expect(await runLifecycle('start', args('worker1', 'bad unit name'), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to issue method call: Unit name bad unit name is not valid.\n');
  });

  it('reports a lost connection as a failed call', async () => {
    const client = cluster();
    client.failNext.set('StopUnit', new BluechiError(ErrorCodes.CONNECTION_CLOSED, 'Connection to the controller closed'));
    const r = recordingDeps(client);
    expect(await runLifecycle('stop', args('worker1', 'bench.service'), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to issue method call: Connection to the controller closed\n');
  });

  it('takes a result that arrives before the reply naming the job', async () => {
    const client = cluster();
    client.handlers.StartUnit = async ({ node, unit }) => {
      client.emit('JobRemoved', { jobId: 41, node, unit, type: 'start', result: 'done' });
      return { jobId: 41 };
    };
    const r = recordingDeps(client);
    expect(await runLifecycle('start', args('worker1', 'bench.service'), r.deps)).toBe(0);
    expect(r.stdout()).toBe('Unit bench.service StartUnit operation result: done\n');
  });

  it('ignores the results of other jobs', async () => {
    const client = cluster();
    client.handlers.StartUnit = async ({ node, unit }) => {
      setImmediate(() => {
        client.emit('JobRemoved', { jobId: 3, node, unit, type: 'start', result: 'failed' });
        client.emit('JobRemoved', { jobId: 4, node, unit, type: 'start', result: 'done' });
      });
      return { jobId: 4 };
    };
    const r = recordingDeps(client);
    expect(await runLifecycle('start', args('worker1', 'bench.service'), r.deps)).toBe(0);
    expect(r.stdout()).toBe('Unit bench.service StartUnit operation result: done\n');
  });

  it('fails with the node error when the node drops while the job runs', async () => {
    const client = cluster();
    client.handlers.RestartUnit = async ({ node, unit }) => {
      setImmediate(() =>
        client.emit('JobRemoved', { jobId: 9, node, unit, type: 'restart', result: 'failed', error: { code: 'NODE_OFFLINE', message: 'Node is offline' } }),
      );
      return { jobId: 9 };
    };
    const r = recordingDeps(client);
    expect(await runLifecycle('restart', args('worker1', 'bench.service'), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Failed to issue method call: Node is offline\n');
  });

  it('returns as soon as the job is queued with --no-block', async () => {
    const client = cluster();
    client.jobResults.set('start worker1/bench.service', 'hang');
    const r = recordingDeps(client);
    expect(await runLifecycle('start', args('worker1', 'bench.service', [['no-block', true]]), r.deps)).toBe(0);
    expect(r.stdout()).toBe('Unit bench.service StartUnit operation queued as job 1\n');
  });

  it('prints one JSON object with --json, with and without --no-block', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runLifecycle('stop', args('worker1', 'bench.service', [['json', true]]), r.deps)).toBe(0);
    expect(JSON.parse(r.stdout())).toEqual({ node: 'worker1', unit: 'bench.service', method: 'StopUnit', jobId: 1, result: 'done' });
    const q = recordingDeps(client);
    expect(await runLifecycle('stop', args('worker1', 'bench.service', [['json', true], ['no-block', true]]), q.deps)).toBe(0);
    expect(JSON.parse(q.stdout())).toEqual({ node: 'worker1', unit: 'bench.service', method: 'StopUnit', jobId: 2, result: null });
  });

  it('ends with 130 on Ctrl-C while waiting, and says the job goes on', async () => {
    const client = cluster();
    client.jobResults.set('start worker1/bench.service', 'hang');
    const r = recordingDeps(client);
    const running = runLifecycle('start', args('worker1', 'bench.service'), r.deps);
    await flush();
    r.stop.abort();
    expect(await running).toBe(130);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Interrupted; job 1 (StartUnit of bench.service on worker1) goes on without bluechictl waiting for it\n');
  });

  it('learns the job id before leaving when Ctrl-C comes before the reply', async () => {
    const client = cluster();
    let reply!: () => void;
    client.handlers.StartUnit = () => new Promise((resolve) => (reply = () => resolve({ jobId: 77 })));
    const r = recordingDeps(client);
    const running = runLifecycle('start', args('worker1', 'bench.service'), r.deps);
    await flush();
    r.stop.abort();
    await flush();
    reply();
    expect(await running).toBe(130);
    expect(r.stderr()).toBe('Interrupted; job 77 (StartUnit of bench.service on worker1) goes on without bluechictl waiting for it\n');
  });

  it('fails when the controller goes away while it waits', async () => {
    const client = cluster();
    client.jobResults.set('stop worker1/bench.service', 'hang');
    const r = recordingDeps(client);
    const running = runLifecycle('stop', args('worker1', 'bench.service'), r.deps);
    await flush();
    client.close();
    expect(await running).toBe(1);
    expect(r.stderr()).toBe('Lost the connection to the controller while waiting for job 1 (StopUnit of bench.service on worker1)\n');
  });

  it('formats the result line', () => {
    expect(jobResultLine('a.service', 'reload', 'done')).toBe('Unit a.service ReloadUnit operation result: done\n');
  });
});
