import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiMethods,
  ApiSignals,
  BluechiError,
  ErrorCodes,
  lineTransport,
  Messages,
  nodeObjectPath,
  RpcPeer,
  type MethodHandlers,
} from '@bluechi-ts/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectApi, ConnectError } from './api-client.js';
import { run, type Env } from './cli.js';
import { nodeInfo, unitInfo } from './fake-client.js';

let dir: string;
let server: Server | undefined;
const sockets = new Set<Socket>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctl-api-'));
});

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  peers.length = 0;
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

type ServerPeer = RpcPeer<{}, typeof ApiSignals, typeof ApiMethods, {}>;
const peers: ServerPeer[] = [];

/** A controller stand-in: the real RpcPeer over the real line transport on a Unix socket. */
async function serve(handlers: MethodHandlers<typeof ApiMethods>): Promise<string> {
  const path = join(dir, 'api.sock');
  server = createServer((socket) => {
    sockets.add(socket);
    const peer: ServerPeer = new RpcPeer(lineTransport(socket, 1024 * 1024), {
      outgoing: { methods: {}, signals: ApiSignals },
      incoming: { methods: ApiMethods, signals: {} },
      handlers,
    });
    peers.push(peer);
  });
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  return path;
}

const handlers: MethodHandlers<typeof ApiMethods> = {
  ListNodes: () => ({ nodes: [nodeInfo('main'), nodeInfo('worker1', 'online', { peerIp: '::ffff:127.0.0.1' })] }),
  ListUnits: ({ node }) => ({ nodes: [{ node: node ?? 'main', units: [unitInfo('dbus.socket', 'active', 'listening')] }] }),
  GetUnitProperties: ({ unit }) => ({ properties: { Id: unit, LoadState: 'loaded', ActiveState: 'active', SubState: 'running' } }),
  Version: () => ({ version: '9.9.9' }),
  RestartUnit: async ({ node, unit }) => {
    if (node === 'nosuchnode') throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.unknownNodeObject(nodeObjectPath(node)));
    // The result overtakes the reply, as it may with a fast job.
    peers.at(-1)!.notify('JobRemoved', { jobId: 7, node, unit, type: 'restart', result: 'done' });
    return { jobId: 7 };
  },
};

describe('api client over a real Unix socket', () => {
  it('calls API methods by name and parses the results against the catalogue', async () => {
    const client = await connectApi({ socketPath: await serve(handlers) });
    try {
      expect((await client.call('ListNodes', {})).nodes.map((n) => n.name)).toEqual(['main', 'worker1']);
      expect((await client.call('ListUnits', { node: 'worker1' })).nodes).toEqual([{ node: 'worker1', units: [unitInfo('dbus.socket', 'active', 'listening')] }]);
      expect((await client.call('GetUnitProperties', { node: 'main', unit: 'a.service' })).properties).toMatchObject({ Id: 'a.service', SubState: 'running' });
      expect(await client.call('Version', {})).toEqual({ version: '9.9.9' });
    } finally {
      client.close();
    }
  });

  it('hands signals to every listener, including one that overtakes the reply', async () => {
    const client = await connectApi({ socketPath: await serve(handlers) });
    const seen: string[] = [];
    const off = client.on('JobRemoved', (r) => seen.push(`a:${r.jobId}:${r.result}`));
    client.on('JobRemoved', (r) => seen.push(`b:${r.jobId}`));
    try {
      expect(await client.call('RestartUnit', { node: 'worker1', unit: 'bench.service' })).toEqual({ jobId: 7 });
      expect(seen).toEqual(['a:7:done', 'b:7']);
      off();
      await client.call('RestartUnit', { node: 'worker1', unit: 'bench.service' });
      expect(seen).toEqual(['a:7:done', 'b:7', 'b:7']);
    } finally {
      client.close();
    }
  });

  it('passes the controller error code and message through', async () => {
    const client = await connectApi({ socketPath: await serve(handlers) });
    try {
      const err = await client.call('RestartUnit', { node: 'nosuchnode', unit: 'a.service' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BluechiError);
      expect(err).toMatchObject({ code: 'NODE_NOT_FOUND', message: "Unknown object '/org/eclipse/bluechi/node/nosuchnode'." });
    } finally {
      client.close();
    }
  });

  it('fails a pending call at once, and tells close listeners, when the controller drops the connection', async () => {
    const path = await serve({ ...handlers, StartUnit: () => new Promise(() => {}) });
    const client = await connectApi({ socketPath: path });
    let closed = 0;
    client.onClose(() => closed++);
    const pending = client.call('StartUnit', { node: 'worker1', unit: 'a.service' });
    await new Promise((r) => setTimeout(r, 20));
    for (const s of sockets) s.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(client.closed).toBe(true);
    expect(closed).toBe(1);
  });

  it('cancels a request on the controller when its AbortSignal fires', async () => {
    let aborted: unknown;
    const path = await serve({
      ...handlers,
      ListUnitFiles: (_p, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = ctx.signal.reason;
            reject(ctx.signal.reason);
          });
        }),
    });
    const client = await connectApi({ socketPath: path });
    try {
      const ac = new AbortController();
      const pending = client.call('ListUnitFiles', {}, { signal: ac.signal });
      await new Promise((r) => setTimeout(r, 20));
      ac.abort();
      await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
      await new Promise((r) => setTimeout(r, 20));
      expect(aborted).toMatchObject({ code: 'CANCELLED', message: 'cancelled by the caller' });
      expect(peers[0]!.servingCount).toBe(0);
    } finally {
      client.close();
    }
  });

  it('applies the per-request timeout to ordinary calls', async () => {
    const path = await serve({ ...handlers, ListNodes: () => new Promise(() => {}) });
    const client = await connectApi({ socketPath: path, requestTimeoutMs: 30 });
    try {
      await expect(client.call('ListNodes', {})).rejects.toMatchObject({ code: 'TIMEOUT' });
    } finally {
      client.close();
    }
  });

  it('reports a missing socket as a ConnectError with a strerror-like reason', async () => {
    const path = join(dir, 'missing.sock');
    const err = await connectApi({ socketPath: path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ errno: 'ENOENT', message: `Failed to connect to the controller at ${path}: No such file or directory` });
  });

  it('runs `bluechictl status` end to end through the socket', async () => {
    const path = await serve(handlers);
    let stdout = '';
    let stderr = '';
    const env: Env = {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      connect: () => connectApi({ socketPath: path }),
      clock: { now: () => Date.now(), offsetMinutes: () => 0, sleep: async () => {} },
      stopSignal: () => AbortSignal.abort(),
    };
    expect(await run(['status'], env)).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(
      'NODE                          | STATE     | IP                      | LAST SEEN                   \n' +
        '='.repeat(90) +
        '\n' +
        'main                          | online    |                         | now                         \n' +
        'worker1                       | online    | ::ffff:127.0.0.1        | now                         \n',
    );
  });

  it('prints one clear line when nothing listens on the socket', async () => {
    const path = join(dir, 'api.sock');
    let stderr = '';
    const env: Env = {
      out: () => {},
      err: (t) => (stderr += t),
      connect: () => connectApi({ socketPath: path }),
      clock: { now: () => 0, offsetMinutes: () => 0, sleep: async () => {} },
      stopSignal: () => AbortSignal.abort(),
    };
    expect(await run(['start', 'main', 'a.service'], env)).toBe(1);
    expect(stderr).toBe(`Failed to connect to the controller at ${path}: No such file or directory (is bluechi-controller running?)\n`);
  });
});
