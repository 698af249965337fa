import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { checkStatus, runStatus } from './status.js';
import { CLEAR_SCREEN } from './status-units.js';

const HEADER = 'NODE                          | STATE     | IP                      | LAST SEEN                   \n';
const RULE = '='.repeat(90) + '\n';
const MAIN = 'main                          | online    |                         | now                         \n';
const WORKER1 = 'worker1                       | online    | ::ffff:127.0.0.1        | now                         \n';
const WORKER2_ONLINE = 'worker2                       | online    | ::ffff:127.0.0.1        | now                         \n';
const WORKER2_OFFLINE = 'worker2                       | offline   |                         | 2026-11-22 02:59:50,616+0000\n';
const OFFLINE_AT = Date.UTC(2026, 10, 22, 2, 59, 50, 616);

function cluster(worker2: 'online' | 'offline' = 'offline'): FakeClient {
  const client = new FakeClient();
  client.nodes = [
    nodeInfo('main'),
    nodeInfo('worker1', 'online', { peerIp: '::ffff:127.0.0.1' }),
    worker2 === 'online'
      ? nodeInfo('worker2', 'online', { peerIp: '::ffff:127.0.0.1' })
      : nodeInfo('worker2', 'offline', { lastSeen: OFFLINE_AT }),
  ];
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });

describe('status (nodes)', () => {
  it('reproduces upstream `bluechictl status` with an offline node', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args([]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(HEADER + RULE + MAIN + WORKER1 + WORKER2_OFFLINE);
    expect(r.stderr()).toBe('');
  });

  it('reproduces upstream `bluechictl status worker2` (one row)', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker2']), r.deps)).toBe(0);
    expect(r.stdout()).toBe(HEADER + RULE + WORKER2_OFFLINE);
  });

  it('prints the last seen time in the local zone', async () => {
    const r = recordingDeps(cluster(), { offsetMinutes: 120 });
    await runStatus(args(['worker2']), r.deps);
    expect(r.stdout()).toContain('| 2026-11-22 04:59:50,616+0200\n');
  });

  it('reports an unknown node like upstream, exit 1', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['nosuchnode']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Node nosuchnode not found\n');
  });

  it('reports a failed ListNodes call, exit 1', async () => {
    const client = cluster();
    client.failNext.set('ListNodes', new BluechiError(ErrorCodes.TIMEOUT, 'ListNodes timed out after 30000 ms'));
    const r = recordingDeps(client);
    expect(await runStatus(args([]), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to list nodes: ListNodes timed out after 30000 ms\n');
  });

  it('prints the nodes as JSON with --json', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker2'], [['json', true]]), r.deps)).toBe(0);
    expect(JSON.parse(r.stdout())).toEqual({
      nodes: [{ name: 'worker2', status: 'offline', peerIp: '', lastSeen: OFFLINE_AT, connectedSince: 0 }],
    });
  });

  it('refuses --watch together with --json, and an unknown --output, before connecting', () => {
    expect(checkStatus(args([], [['watch', true], ['json', true]]))).toBe('The options --watch and --json cannot be used together\n');
    expect(checkStatus(args([], [['output', 'tall']]))).toBe("Value 'tall' of option --output is invalid (only 'wide' is known)\n");
    expect(checkStatus(args([], [['output', 'wide'], ['watch', true]]))).toBeUndefined();
  });
});

/** Lets the verb run until it waits for the next event. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('status --watch (nodes)', () => {
  const table = (w2: string) => CLEAR_SCREEN + HEADER + RULE + MAIN + WORKER1 + w2;

  it('clears the screen before the first table and redraws on each node status change until stopped', async () => {
    const client = cluster('online');
    const r = recordingDeps(client);
    const running = runStatus(args([], [['watch', true]]), r.deps);
    await flush();
    expect(client.calledMethods()).toContain('WatchNodes');
    // Upstream's transcript: online, worker2 offline, online again.
    client.nodes[2] = nodeInfo('worker2', 'offline', { lastSeen: OFFLINE_AT });
    client.emit('NodeStatusChanged', { node: 'worker2', status: 'offline' });
    await flush();
    client.nodes[2] = nodeInfo('worker2', 'online', { peerIp: '::ffff:127.0.0.1' });
    client.emit('NodeStatusChanged', { node: 'worker2', status: 'online' });
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(table(WORKER2_ONLINE) + table(WORKER2_OFFLINE) + table(WORKER2_ONLINE));
  });

  it('redraws only when the table changes, and only for the watched node', async () => {
    const client = cluster('online');
    const r = recordingDeps(client);
    const running = runStatus(args(['worker1'], [['watch', true]]), r.deps);
    await flush();
    client.emit('NodeStatusChanged', { node: 'worker1', status: 'online' });
    client.nodes[2] = nodeInfo('worker2', 'offline', { lastSeen: OFFLINE_AT });
    client.emit('NodeStatusChanged', { node: 'worker2', status: 'offline' });
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(CLEAR_SCREEN + HEADER + RULE + WORKER1);
  });

  it('keeps watching across a controller restart', async () => {
    const first = cluster('online');
    const second = cluster('offline');
    const r = recordingDeps(first, { connect: async () => second });
    const running = runStatus(args([], [['watch', true]]), r.deps);
    await flush();
    first.close();
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stderr()).toBe('Lost the connection to the controller, reconnecting...\nConnected to the controller again\n');
    expect(r.stdout()).toBe(table(WORKER2_ONLINE) + table(WORKER2_OFFLINE));
    expect(second.calledMethods()).toEqual(['WatchNodes', 'ListNodes']);
    expect(second.closed).toBe(true);
  });

  it('keeps trying to reconnect until stopped', async () => {
    const client = cluster();
    const r = recordingDeps(client, { onTick: (n, stop) => n === 3 && stop.abort() });
    const running = runStatus(args([], [['watch', true]]), r.deps);
    await flush();
    client.close();
    expect(await running).toBe(0);
    expect(r.connects()).toBe(2);
  });

  it('reports an unknown node in watch mode too', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['nosuchnode'], [['watch', true]]), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Node nosuchnode not found\n');
  });
});
