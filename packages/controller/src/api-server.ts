/**
 * The local API for bluechictl and other clients on the controller host:
 * newline-delimited JSON frames on a Unix socket created with mode 0600 in a
 * 0700 directory, so only root can connect. It is never exposed over TCP.
 * Each connection is a SocketSession over the controller operations.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { lineTransport } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { SocketSession } from './api-session.js';
import type { ApiOperations } from './operations/index.js';

export type ApiServerOptions = {
  path: string;
  operations: ApiOperations;
  log: Logger;
  /** Largest frame accepted from a client, in bytes. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Clients connected at once, at most. Default 256. */
  maxClients?: number;
};

export class ApiServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: ApiServerOptions) {}

  async start(): Promise<void> {
    const { path, log } = this.opts;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      unlinkSync(path);
    } catch {
      /* no stale socket */
    }
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Created 0600 from the start: no window in which others could connect.
      const oldMask = process.umask(0o177);
      server.listen(path, () => {
        process.umask(oldMask);
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    log.info({ path }, `Serving the local API on ${path}`);
  }

  private accept(socket: Socket): void {
    const max = this.opts.maxClients ?? 256;
    if (this.sockets.size >= max) {
      this.opts.log.warn(`Refused API client: ${max} clients already connected`);
      socket.end(JSON.stringify({ type: 'error', id: null, error: { code: 'TOO_MANY_REQUESTS', message: 'too many API clients' } }) + '\n');
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // The session lives as long as the socket: it serves requests until either side closes.
    new SocketSession(lineTransport(socket, this.opts.maxFrameBytes ?? 1024 * 1024), this.opts.operations, this.opts.log);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    try {
      unlinkSync(this.opts.path);
    } catch {
      /* already gone */
    }
  }
}
