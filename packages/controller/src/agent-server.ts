/**
 * The agent listeners: WebSocket over TCP (dual-stack, falling back to IPv4)
 * and over a Unix socket for local agents. Limits are enforced before any
 * message is read: frame size, and the number of connections that have not
 * registered yet.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, unlinkSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_SUBPROTOCOL } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';

export type AgentServerOptions = {
  tcpPort?: number;
  /** Host to bind for TCP; default dual-stack `::` with an IPv4 fallback. */
  tcpHost?: string;
  unixPath?: string;
  maxFrameBytes: number;
  /** Whether another unregistered connection may be accepted now. */
  acceptAnonymous: () => boolean;
  onConnection: (ws: WebSocket, peerIp: string) => void;
  log: Logger;
};

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}\n`);
}

function normaliseIp(addr: string | undefined): string {
  return addr ?? '';
}

export class AgentServer {
  private readonly servers: Server[] = [];
  private readonly wss: WebSocketServer;
  /** The TCP port actually bound (useful when 0 was asked for). */
  tcpPort: number | undefined;

  constructor(private readonly opts: AgentServerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false),
    });
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, viaUnix: boolean): void {
    socket.on('error', () => socket.destroy());
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes(AGENT_SUBPROTOCOL)) {
      this.opts.log.warn({ peerIp: req.socket.remoteAddress }, `Refused connection without subprotocol ${AGENT_SUBPROTOCOL}`);
      refuseUpgrade(socket, 426, `Upgrade Required: subprotocol ${AGENT_SUBPROTOCOL}`);
      return;
    }
    if (!this.opts.acceptAnonymous()) {
      this.opts.log.warn({ peerIp: req.socket.remoteAddress }, 'Refused connection: too many unregistered connections');
      refuseUpgrade(socket, 503, 'Service Unavailable: too many unregistered connections');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.opts.onConnection(ws, viaUnix ? '' : normaliseIp(req.socket.remoteAddress));
    });
  }

  private makeServer(viaUnix: boolean): Server {
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain' });
      res.end('This is the bluechi-ts agent port; it speaks WebSocket only.\n');
    });
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head, viaUnix));
    server.on('clientError', (_err, socket) => socket.destroy());
    this.servers.push(server);
    return server;
  }

  private listenTcp(port: number, host: string): Promise<Server> {
    const server = this.makeServer(false);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  async start(): Promise<void> {
    const { tcpPort, unixPath, log } = this.opts;
    if (tcpPort !== undefined) {
      let server: Server;
      if (this.opts.tcpHost) {
        server = await this.listenTcp(tcpPort, this.opts.tcpHost);
      } else {
        try {
          server = await this.listenTcp(tcpPort, '::');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw err;
          this.servers.pop();
          log.warn('IPv6 is not available, listening on IPv4 only');
          server = await this.listenTcp(tcpPort, '0.0.0.0');
        }
      }
      const addr = server.address();
      this.tcpPort = typeof addr === 'object' && addr ? addr.port : tcpPort;
      log.info({ port: this.tcpPort }, `Waiting for agent connections on port ${this.tcpPort}`);
    }
    if (unixPath) {
      mkdirSync(dirname(unixPath), { recursive: true, mode: 0o700 });
      try {
        unlinkSync(unixPath);
      } catch {
        /* no stale socket */
      }
      const server = this.makeServer(true);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(unixPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
      chmodSync(unixPath, 0o600);
      log.info({ path: unixPath }, `Waiting for agent connections on socket ${unixPath}`);
    }
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.wss.close();
    if (this.opts.unixPath) {
      try {
        unlinkSync(this.opts.unixPath);
      } catch {
        /* already gone */
      }
    }
  }
}
