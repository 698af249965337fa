/**
 * The agent listeners: WebSocket over TCP (dual-stack, falling back to IPv4)
 * and over a Unix socket for local agents. Limits are enforced before any
 * message is read: frame size, and the number of connections that have not
 * registered yet. Listening sockets passed by systemd (socket activation) are
 * served instead of binding: each one is told TCP or Unix by its type.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { mkdirSync, unlinkSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_SUBPROTOCOL, NODE_NAME_HEADER, RETRY_AFTER_MS_HEADER, certificateNames, tokenMatches, type NodeIdentitySource } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { ListenFdsError, type ListenFd } from './listen-fds.js';

export type AgentServerOptions = {
  tcpPort?: number;
  /** Host to bind for TCP; default dual-stack `::` with an IPv4 fallback. */
  tcpHost?: string;
  unixPath?: string;
  maxFrameBytes: number;
  /** Why another unregistered connection from `peerIp` ('' on the Unix socket) may not be accepted now, or undefined when it may. */
  refuseAnonymous: (peerIp: string) => string | undefined;
  /** A new agent connection, with what its upgrade proved about it. */
  onConnection: (ws: WebSocket, peerIp: string, auth: AgentAuth) => void;
  /** The SHA-256 (hex) of the token node `name` must present, if it has one (`[node NAME] TokenSHA256=`). */
  tokenSha256For?: (name: string) => string | undefined;
  /** TLS on the TCP listener (never on the Unix socket). */
  tls?: AgentServerTls;
  log: Logger;
};

/** What an agent connection's upgrade proved, checked again at Register. */
export type AgentAuth = {
  /** It came over the Unix socket (root-only), where neither certificates nor tokens apply. */
  readonly local: boolean;
  /** The node names its client certificate vouches for; undefined without client certificates. */
  readonly certificateNames?: readonly string[];
  /** The node whose token it presented, checked against that node's TokenSHA256=. */
  readonly tokenNode?: string;
};

export type AgentServerTls = {
  /** Certificate, key, CA and minimum version, read anew at each call (start and reload). */
  context: () => SecureContextOptions;
  /** Require a client certificate signed by the CA (mTLS). */
  requireClientCertificate: boolean;
  /** Which names of a client certificate identify the node. */
  nodeIdentity: NodeIdentitySource;
};

/** How long a TLS handshake may take before the connection is dropped, ms. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Listen backlog of the TCP listener this server binds (the kernel caps it at
 * net.core.somaxconn). Node's default, 511, overflows when a fleet of agents
 * connects at once, and every SYN the kernel drops costs its agent a second
 * or more; accepted connections are cheap, since the unregistered ones are
 * refused with a retry hint at once.
 */
export const AGENT_LISTEN_BACKLOG = 4096;

/**
 * When an agent refused for too many unregistered connections should try
 * again, ms: registrations are served in a few ms each, so a place is free
 * again soon; the agent spreads its retry around this (agent backoff.ts).
 */
export const REFUSAL_RETRY_AFTER_MS = 250;

function refuseUpgrade(socket: Duplex, status: number, text: string, headers = ''): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n${headers}\r\n${text}\n`);
}

/** A listening socket passed by systemd: served as it is, or closed when its listener is turned off. */
type Adopted = { server: Server; fd: ListenFd; kind: 'tcp' | 'unix'; port?: number; closed: boolean };

function describeFd(fd: ListenFd): string {
  return `fd ${fd.fd} ('${fd.name}')`;
}

function normaliseIp(addr: string | undefined): string {
  return addr ?? '';
}

export class AgentServer {
  private readonly servers: NetServer[] = [];
  /** Performs TLS for the TCP listeners, which hand it their connections; it never listens itself. */
  private readonly tlsServer: HttpsServer | undefined;
  private readonly wss: WebSocketServer;
  /** The TCP port actually bound (useful when 0 was asked for), or that of the passed TCP socket. */
  tcpPort: number | undefined;
  /** The Unix socket path this server bound itself (a passed one belongs to systemd and stays). */
  private boundUnixPath: string | undefined;

  constructor(private readonly opts: AgentServerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false),
    });
    const tls = opts.tls;
    if (tls) {
      const server = createHttpsServer({
        ...tls.context(),
        // Client certificates are checked at the upgrade (below), so a refused
        // agent gets an HTTP answer saying why instead of a bare TLS alert.
        requestCert: tls.requireClientCertificate,
        rejectUnauthorized: false,
        handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      });
      this.serveOn(server, false);
      server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
        // The TCP socket it wraps remembers its peer (read when accepted) after a reset.
        const peerIp = socket.remoteAddress ?? (socket as TLSSocket & { _parent?: Socket })._parent?.remoteAddress ?? '';
        opts.log.warn({ peerIp, code: err.code }, `Refused a connection from ${peerIp || 'an agent'}: ${tlsRefusal(err)}`);
      });
      this.tlsServer = server;
    }
  }

  /**
   * Re-reads the certificate, key and CA (SIGHUP): new connections get them,
   * established ones keep theirs. Throws if they cannot be read or do not
   * fit, and then keeps the old ones.
   */
  reloadTls(): void {
    if (!this.tlsServer || !this.opts.tls) return;
    this.tlsServer.setSecureContext(this.opts.tls.context());
  }

  /**
   * What an upgrade on a TCP listener proves, or why it is refused (a text for
   * the log and one for the agent): its client certificate when TLSCAFile=
   * requires one, and the node token when it sends one for a node that has
   * TokenSHA256=.
   */
  private authenticate(req: IncomingMessage): { auth: AgentAuth; refusal?: undefined } | { refusal: { log: string; agent: string } } {
    let certificate: readonly string[] | undefined;
    const tls = this.opts.tls;
    if (tls?.requireClientCertificate) {
      const socket = req.socket as TLSSocket;
      const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      if (!cert || Object.keys(cert).length === 0) {
        return {
          refusal: {
            log: 'it presented no client certificate, and TLSCAFile= requires one',
            agent: 'no client certificate; this controller requires one (set TLSCertificateFile= and TLSPrivateKeyFile=)',
          },
        };
      }
      if (!socket.authorized) {
        const reason = String(socket.authorizationError ?? 'not signed by TLSCAFile');
        return { refusal: { log: `its client certificate was not accepted (${reason})`, agent: `client certificate not accepted (${reason})` } };
      }
      certificate = certificateNames(cert, tls.nodeIdentity);
    }
    const token = this.tokenNode(req);
    if (token?.refusal) return { refusal: { log: token.refusal, agent: token.refusal } };
    return { auth: { local: false, certificateNames: certificate, ...(token?.node !== undefined && { tokenNode: token.node }) } };
  }

  /**
   * The node token of this upgrade (`X-BlueChi-Node` and `Authorization:
   * Bearer`): the node it proves, a refusal when it is wrong, or nothing when
   * none was sent or the node has no TokenSHA256=.
   */
  private tokenNode(req: IncomingMessage): { node?: string; refusal?: string } | undefined {
    const claimed = req.headers[NODE_NAME_HEADER.toLowerCase()];
    const authorization = req.headers.authorization;
    if (typeof claimed !== 'string' || typeof authorization !== 'string' || !/^Bearer /i.test(authorization)) return undefined;
    const expected = this.opts.tokenSha256For?.(claimed);
    if (expected === undefined) return undefined;
    if (!tokenMatches(authorization.slice('Bearer '.length).trim(), expected)) {
      return { refusal: `the token for node '${claimed.slice(0, 64)}' is not accepted (it does not match its TokenSHA256=)` };
    }
    return { node: claimed };
  }

  /** Hands a TCP connection to the TLS server, which does the handshake. */
  private readonly handToTls = (raw: Socket): void => {
    void raw.remoteAddress; // read now, so a refusal after a reset can still name the peer
    this.tlsServer!.emit('connection', raw);
  };

  /** A TCP listener: plain HTTP, or one that hands each connection to the TLS server. */
  private tcpServer(): NetServer {
    if (!this.tlsServer) return this.makeServer(false);
    const server = createNetServer(this.handToTls);
    this.servers.push(server);
    return server;
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, viaUnix: boolean): void {
    socket.on('error', () => socket.destroy());
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes(AGENT_SUBPROTOCOL)) {
      this.opts.log.warn({ peerIp: req.socket.remoteAddress }, `Refused connection without subprotocol ${AGENT_SUBPROTOCOL}`);
      refuseUpgrade(socket, 426, `Upgrade Required: subprotocol ${AGENT_SUBPROTOCOL}`);
      return;
    }
    const busy = this.opts.refuseAnonymous(viaUnix ? '' : normaliseIp(req.socket.remoteAddress));
    if (busy !== undefined) {
      this.opts.log.warn({ peerIp: req.socket.remoteAddress }, `Refused connection: ${busy}`);
      const retry = `Retry-After: ${Math.ceil(REFUSAL_RETRY_AFTER_MS / 1000)}\r\n${RETRY_AFTER_MS_HEADER}: ${REFUSAL_RETRY_AFTER_MS}\r\n`;
      refuseUpgrade(socket, 503, `Service Unavailable: ${busy}`, retry);
      return;
    }
    const checked = viaUnix ? { auth: { local: true } } : this.authenticate(req);
    if (checked.refusal) {
      this.opts.log.warn({ peerIp: req.socket.remoteAddress }, `Refused a connection from ${req.socket.remoteAddress ?? 'an agent'}: ${checked.refusal.log}`);
      refuseUpgrade(socket, 403, `Forbidden: ${checked.refusal.agent}`);
      return;
    }
    const { auth } = checked;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.opts.onConnection(ws, viaUnix ? '' : normaliseIp(req.socket.remoteAddress), auth);
    });
  }

  /** Answers plain HTTP with 426 and hands WebSocket upgrades to handleUpgrade. */
  private serveOn(server: Server, viaUnix: boolean): void {
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain' });
      res.end('This is the bluechi-ts agent port; it speaks WebSocket only.\n');
    });
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head, viaUnix));
    server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
      // 0x16 opens a TLS handshake: an agent with TLS on, at a plaintext port.
      if (err.rawPacket?.[0] === 0x16) {
        const peerIp = (socket as { remoteAddress?: string }).remoteAddress ?? '';
        this.opts.log.warn({ peerIp }, `Refused a connection from ${peerIp || 'an agent'}: it speaks TLS, and this port is plaintext (set TLSCertificateFile= and TLSPrivateKeyFile= here, or remove TLSCAFile= from the agent)`);
      }
      socket.destroy();
    });
  }

  private makeServer(viaUnix: boolean): Server {
    const server = createServer();
    this.serveOn(server, viaUnix);
    this.servers.push(server);
    return server;
  }

  private listenTcp(port: number, host: string): Promise<NetServer> {
    const server = this.tcpServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: false, backlog: AGENT_LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  /**
   * Serves a passed socket, whichever kind it is: Node takes a listening TCP
   * or Unix stream socket and refuses anything else. A socket of a listener
   * the configuration turns off is closed at once. Both happen in the
   * `listening` callback, before the event loop can accept a connection on it.
   */
  private adopt(fd: ListenFd): Promise<Adopted> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        reject(new ListenFdsError(`The socket passed by systemd as ${describeFd(fd)} cannot be used: it is not a listening TCP or Unix stream socket (${err.message})`));
      };
      server.once('error', fail);
      try {
        server.listen({ fd: fd.fd }, () => {
          server.off('error', fail);
          const addr = server.address();
          // A Unix socket opened from a fd has no address in Node; a TCP one has its port.
          const adopted: Adopted =
            addr !== null && typeof addr === 'object'
              ? { server, fd, kind: 'tcp', port: addr.port, closed: false }
              : { server, fd, kind: 'unix', closed: false };
          const wanted = adopted.kind === 'tcp' ? this.opts.tcpPort !== undefined : this.opts.unixPath !== undefined;
          if (wanted && adopted.kind === 'tcp' && this.tlsServer) {
            // The TLS server does the handshake; this listener only accepts.
            server.removeAllListeners('connection');
            server.on('connection', this.handToTls);
            this.servers.push(server);
          } else if (wanted) {
            this.serveOn(server, adopted.kind === 'unix');
            this.servers.push(server);
          } else {
            server.close();
            adopted.closed = true;
          }
          resolve(adopted);
        });
      } catch (err) {
        fail(err as Error);
      }
    });
  }

  /** Takes the sockets systemd passed; any one unusable fails the start. */
  private async adoptAll(fds: readonly ListenFd[]): Promise<Adopted[]> {
    const settled = await Promise.allSettled(fds.map((fd) => this.adopt(fd)));
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Starts the listeners: the passed sockets first, then binds any configured listener none of them provides. */
  async start(inherited: readonly ListenFd[] = []): Promise<void> {
    const { tcpPort, unixPath, log } = this.opts;
    const adopted = (await this.adoptAll(inherited)).filter((a) => {
      if (!a.closed) return true;
      const [kind, key] = a.kind === 'tcp' ? ['TCP', 'UseTCP'] : ['Unix', 'UseUDS'];
      log.warn(`Closing the ${kind} socket passed by systemd as ${describeFd(a.fd)}: ${key} is off`);
      return false;
    });
    for (const a of adopted) {
      if (a.kind === 'tcp') {
        this.tcpPort ??= a.port;
        if (tcpPort !== undefined && tcpPort !== 0 && a.port !== tcpPort) {
          log.warn(`The TCP socket passed by systemd listens on port ${a.port} but ControllerPort is ${tcpPort}: agents are served on port ${a.port} (give the socket unit the same port)`);
        }
        log.info({ port: a.port, fd: a.fd.fd }, `Waiting for agent connections on port ${a.port} (socket passed by systemd)`);
      } else {
        log.info({ fd: a.fd.fd }, `Waiting for agent connections on the Unix socket passed by systemd as ${describeFd(a.fd)}`);
      }
    }
    if (tcpPort !== undefined && !adopted.some((a) => a.kind === 'tcp')) {
      let server: NetServer;
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
    if (unixPath && !adopted.some((a) => a.kind === 'unix')) {
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
      this.boundUnixPath = unixPath;
      chmodSync(unixPath, 0o600);
      log.info({ path: unixPath }, `Waiting for agent connections on socket ${unixPath}`);
    }
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.wss.close();
    if (this.boundUnixPath) {
      try {
        unlinkSync(this.boundUnixPath);
      } catch {
        /* already gone */
      }
    }
  }
}

/** Why a TLS handshake failed, in words an operator can act on. */
export function tlsRefusal(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === 'ERR_SSL_HTTP_REQUEST' || /http request|wrong version number/i.test(err.message)) {
    return 'it does not speak TLS, and this port requires it (set TLSCAFile= in the agent configuration)';
  }
  if (code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' || /did not return a certificate/i.test(err.message)) {
    return 'it presented no client certificate, and TLSCAFile= requires one';
  }
  if (/certificate|unknown ca|verify/i.test(err.message) || code.startsWith('ERR_SSL_')) {
    return `its certificate was not accepted (${err.message.trim()})`;
  }
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT' || /timeout/i.test(err.message)) return 'the TLS handshake timed out';
  if (code === 'ECONNRESET' || /socket hang up/i.test(err.message)) {
    return "it closed the connection during the TLS handshake (it may not trust this controller's certificate: check its TLSCAFile= and TLSServerName=)";
  }
  return `TLS handshake failed (${err.message.trim()})`;
}
