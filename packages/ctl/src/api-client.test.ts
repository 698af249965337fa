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
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A controller stand-in: the real RpcPeer over the real line transport on a Unix socket. */
async function serve(handlers: MethodHandlers<typeof ApiMethods>): Promise<string> {
  const path = join(dir, 'api.sock');
  server = createServer((socket) => {
    sockets.add(socket);
    new RpcPeer(lineTransport(socket, 1024 * 1024), {
      outgoing: { methods: {}, signals: ApiSignals },
      incoming: { methods: ApiMethods, signals: {} },
      handlers,
    });
  });
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  return path;
}

const handlers: MethodHandlers<typeof ApiMethods> = {
  ListNodes: () => ({ nodes: [nodeInfo('main'), nodeInfo('worker1', 'online', { peerIp: '::ffff:127.0.0.1' })] }),
  ListUnits: ({ node }) => ({ nodes: [{ node: node ?? 'main', units: [unitInfo('dbus.socket', 'active', 'listening')] }] }),
  GetUnitProperties: ({ unit }) => ({ properties: { Id: unit, LoadState: 'loaded', ActiveState: 'active', SubState: 'running' } }),
  Version: () => ({ version: '9.9.9' }),
  UnitJob: async ({ node, unit, op, mode }) => {
    if (node === 'nosuchnode') throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.unknownNodeObject(nodeObjectPath(node)));
    await new Promise((r) => setTimeout(r, 50));
    return { jobId: 7, result: `${op}:${unit}:${mode}` };
  },
};

describe('api client over a real Unix socket', () => {
  it('calls every API method and parses the results', async () => {
    const client = await connectApi({ socketPath: await serve(handlers) });
    try {
      expect((await client.listNodes()).map((n) => n.name)).toEqual(['main', 'worker1']);
      expect(await client.listUnits('worker1')).toEqual([{ node: 'worker1', units: [unitInfo('dbus.socket', 'active', 'listening')] }]);
      expect(await client.listUnits()).toHaveLength(1);
      expect(await client.getUnitProperties('main', 'a.service')).toMatchObject({ Id: 'a.service', SubState: 'running' });
      expect(await client.version()).toBe('9.9.9');
      expect(await client.unitJob('worker1', 'bench.service', 'restart')).toEqual({ jobId: 7, result: 'restart:bench.service:replace' });
    } finally {
      client.close();
    }
  });

  it('passes the controller error code and message through', async () => {
    const client = await connectApi({ socketPath: await serve(handlers) });
    try {
      const err = await client.unitJob('nosuchnode', 'a.service', 'start').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BluechiError);
      expect(err).toMatchObject({ code: 'NODE_NOT_FOUND', message: "Unknown object '/org/eclipse/bluechi/node/nosuchnode'." });
    } finally {
      client.close();
    }
  });

  it('fails a pending job at once when the controller drops the connection', async () => {
    const path = await serve({ ...handlers, UnitJob: () => new Promise(() => {}) });
    const client = await connectApi({ socketPath: path });
    const pending = client.unitJob('worker1', 'a.service', 'start');
    await new Promise((r) => setTimeout(r, 20));
    for (const s of sockets) s.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(client.closed).toBe(true);
  });

  it('applies the per-request timeout to ordinary calls', async () => {
    const path = await serve({ ...handlers, ListNodes: () => new Promise(() => {}) });
    const client = await connectApi({ socketPath: path, requestTimeoutMs: 30 });
    try {
      await expect(client.listNodes()).rejects.toMatchObject({ code: 'TIMEOUT' });
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
