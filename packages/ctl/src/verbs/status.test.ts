import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { runStatus } from './status.js';
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
    client.failNext.set('listNodes', new BluechiError(ErrorCodes.TIMEOUT, 'ListNodes timed out after 30000 ms'));
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

  it('refuses --watch together with --json', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args([], [['watch', true], ['json', true]]), r.deps)).toBe(1);
    expect(r.stderr()).toBe('The options --watch and --json cannot be used together\n');
  });
});

describe('status --watch (nodes)', () => {
  it('clears the screen before the first table and redraws only on change until stopped', async () => {
    const client = cluster('online');
    const r = recordingDeps(client, {
      onTick: (n, stop) => {
        if (n === 2) client.nodes[2] = nodeInfo('worker2', 'offline', { lastSeen: OFFLINE_AT });
        if (n === 3) client.nodes[2] = nodeInfo('worker2', 'online', { peerIp: '::ffff:127.0.0.1' });
        if (n === 5) stop.abort();
      },
    });
    expect(await runStatus(args([], [['watch', true]]), r.deps)).toBe(0);
    const table = (w2: string) => CLEAR_SCREEN + HEADER + RULE + MAIN + WORKER1 + w2;
    // Upstream's transcript: online, worker2 offline, online again.
    expect(r.stdout()).toBe(table(WORKER2_ONLINE) + table(WORKER2_OFFLINE) + table(WORKER2_ONLINE));
    expect(r.ticks()).toBe(5);
  });

  it('stops at once when already interrupted', async () => {
    const r = recordingDeps(cluster());
    r.stop.abort();
    expect(await runStatus(args(['worker1'], [['watch', true]]), r.deps)).toBe(0);
    expect(r.stdout()).toBe('');
  });

  it('exits 1 when the controller goes away while watching', async () => {
    const client = cluster();
    const r = recordingDeps(client, {
      onTick: () => client.failNext.set('listNodes', new BluechiError(ErrorCodes.CONNECTION_CLOSED, 'Connection to the controller closed')),
    });
    expect(await runStatus(args([], [['watch', true]]), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to list nodes: Connection to the controller closed\n');
  });

  it('reports an unknown node in watch mode too', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['nosuchnode'], [['watch', true]]), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Node nosuchnode not found\n');
  });
});
