/**
 * The controller's local API over its Unix socket: newline-delimited JSON frames
 * carried by an RpcPeer. Connecting has a timeout, every request has one (except
 * lifecycle jobs, which wait for systemd), and when the socket closes every
 * outstanding request fails at once, so nothing here can hang forever.
 */
import { createConnection, type Socket } from 'node:net';
import {
  ApiMethods,
  ApiSignals,
  BluechiError,
  ErrorCodes,
  lineTransport,
  RpcPeer,
  type MethodTable,
  type NodeInfo,
  type SignalTable,
  type UnitOp,
  type UnitProperties,
} from '@bluechi-ts/protocol';
import type { CtlClient, JobOutcome, NodeUnits } from './deps.js';

export type ApiClientOptions = {
  socketPath: string;
  /** Give up connecting after this long. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Per-request timeout for everything but lifecycle jobs; 0 disables it. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** Lifecycle jobs wait for systemd; 0 (the default) means no timeout beyond the socket's life. */
  jobTimeoutMs?: number;
  /** Largest frame accepted from the controller. Default 256 MiB (list-units of many nodes). */
  maxLineBytes?: number;
};

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Why the socket could not be opened; `reason` reads like strerror(). */
export class ConnectError extends Error {
  constructor(
    readonly socketPath: string,
    readonly reason: string,
    readonly errno?: string,
  ) {
    super(`Failed to connect to the controller at ${socketPath}: ${reason}`);
    this.name = 'ConnectError';
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ECONNREFUSED: 'Connection refused',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOTSOCK: 'Socket operation on non-socket',
  ETIMEDOUT: 'Connection timed out',
  ENAMETOOLONG: 'File name too long',
};

function openSocket(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            socket.destroy();
            reject(new ConnectError(path, REASONS.ETIMEDOUT!, 'ETIMEDOUT'));
          }, timeoutMs)
        : undefined;
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const code = err.code ?? '';
      reject(new ConnectError(path, REASONS[code] ?? err.message, code || undefined));
    });
  });
}

const NO_METHODS = {} satisfies MethodTable;
const NO_SIGNALS = {} satisfies SignalTable;

export class ApiClient implements CtlClient {
  private readonly peer: RpcPeer<typeof ApiMethods, typeof ApiSignals, typeof NO_METHODS, typeof NO_SIGNALS>;
  private readonly jobTimeoutMs: number;

  constructor(
    private readonly socket: Socket,
    opts: Omit<ApiClientOptions, 'socketPath' | 'connectTimeoutMs'> = {},
  ) {
    this.jobTimeoutMs = opts.jobTimeoutMs ?? 0;
    this.peer = new RpcPeer(lineTransport(socket, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES), {
      outgoing: { methods: ApiMethods, signals: ApiSignals },
      incoming: { methods: NO_METHODS, signals: NO_SIGNALS },
      defaultTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      closeError: (info) =>
        new BluechiError(
          ErrorCodes.CONNECTION_CLOSED,
          `Connection to the controller closed${info.reason ? ` (${info.reason})` : ''}`,
        ),
    });
  }

  get closed(): boolean {
    return this.peer.closed;
  }

  async listNodes(): Promise<NodeInfo[]> {
    return (await this.peer.call('ListNodes', {})).nodes;
  }

  unitJob(node: string, unit: string, op: UnitOp): Promise<JobOutcome> {
    return this.peer.call('UnitJob', { node, unit, op, mode: 'replace' }, { timeoutMs: this.jobTimeoutMs });
  }

  async listUnits(node?: string): Promise<NodeUnits[]> {
    return (await this.peer.call('ListUnits', node === undefined ? {} : { node })).nodes;
  }

  async getUnitProperties(node: string, unit: string): Promise<UnitProperties> {
    return (await this.peer.call('GetUnitProperties', { node, unit })).properties;
  }

  async version(): Promise<string> {
    return (await this.peer.call('Version', {})).version;
  }

  /** Drops the connection; outstanding requests fail with CONNECTION_CLOSED. */
  close(): void {
    this.socket.destroy();
  }
}

export async function connectApi(opts: ApiClientOptions): Promise<ApiClient> {
  const socket = await openSocket(opts.socketPath, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  return new ApiClient(socket, opts);
}
