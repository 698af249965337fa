/**
 * The controller's local API over its Unix socket: newline-delimited JSON frames
 * carried by an RpcPeer, typed by the API link of the catalogue. Connecting has
 * a timeout, every request has one (unless the caller says otherwise), and when
 * the socket closes every outstanding request fails at once, so nothing here
 * can hang forever. Signals from the controller go to listeners added with on().
 */
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import {
  ApiMethods,
  ApiSignals,
  BluechiError,
  ErrorCodes,
  lineTransport,
  RpcPeer,
  type CallOptions,
  type ParamsOf,
  type ResultOf,
  type SignalHandlers,
  type SignalParamsOf,
} from '@bluechi-ts/protocol';
import type { ApiMethod, ApiSignal, CtlClient } from './deps.js';

export type ApiClientOptions = {
  socketPath: string;
  /** Give up connecting after this long. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Per-request timeout unless a call sets its own; 0 disables it. Default 30000 ms. */
  requestTimeoutMs?: number;
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

export class ApiClient implements CtlClient {
  private readonly peer: RpcPeer<typeof ApiMethods, {}, {}, typeof ApiSignals>;
  private readonly signals = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly socket: Socket,
    opts: Omit<ApiClientOptions, 'socketPath' | 'connectTimeoutMs'> = {},
  ) {
    const signalHandlers: Record<string, (p: unknown) => void> = {};
    for (const name of Object.keys(ApiSignals)) signalHandlers[name] = (p) => this.dispatch(name, p);
    this.peer = new RpcPeer(lineTransport(socket, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES), {
      outgoing: { methods: ApiMethods, signals: {} },
      incoming: { methods: {}, signals: ApiSignals },
      signalHandlers: signalHandlers as SignalHandlers<typeof ApiSignals>,
      defaultTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      closeError: (info) =>
        new BluechiError(ErrorCodes.CONNECTION_CLOSED, `Connection to the controller closed${info.reason ? ` (${info.reason})` : ''}`),
    });
  }

  get closed(): boolean {
    return this.peer.closed;
  }

  call<M extends ApiMethod>(method: M, params: ParamsOf<typeof ApiMethods, M>, options?: CallOptions): Promise<ResultOf<typeof ApiMethods, M>> {
    return this.peer.call(method, params, options);
  }

  on<S extends ApiSignal>(signal: S, listener: (params: SignalParamsOf<typeof ApiSignals, S>) => void): () => void {
    this.signals.on(signal, listener);
    return () => this.signals.off(signal, listener);
  }

  onClose(listener: () => void): void {
    this.peer.onClose(() => listener());
  }

  /** Drops the connection; outstanding requests fail with CONNECTION_CLOSED. */
  close(): void {
    this.socket.destroy();
  }

  private dispatch(name: string, params: unknown): void {
    this.signals.emit(name, params);
  }
}

export async function connectApi(opts: ApiClientOptions): Promise<ApiClient> {
  const socket = await openSocket(opts.socketPath, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  return new ApiClient(socket, opts);
}
