/**
 * One client connection on the local API socket, as a session: it receives
 * signals, and everything it holds (monitors, followed jobs, watches) is
 * released when it closes. Requests reach the controller operations with the
 * session and the request's AbortSignal.
 */
import {
  ApiMethods,
  ApiSignals,
  RpcPeer,
  type MethodHandlers,
  type SignalParamsOf,
  type Transport,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { ApiOperations, ApiSession } from './operations/index.js';

export type ApiPeer = RpcPeer<{}, typeof ApiSignals, typeof ApiMethods, {}>;

let nextSessionId = 1;
/** Open sessions by name, so a monitor's peer on the socket can be reached. */
const byName = new Map<string, SocketSession>();

export class SocketSession implements ApiSession {
  readonly id = nextSessionId++;
  readonly name = `:api.${this.id}`;
  readonly peer: ApiPeer;
  private readonly cleanups: Array<() => void> = [];
  private ended = false;

  constructor(
    transport: Transport,
    operations: ApiOperations,
    private readonly log: Logger,
  ) {
    this.peer = new RpcPeer(transport, {
      outgoing: { methods: {}, signals: ApiSignals },
      incoming: { methods: ApiMethods, signals: {} },
      handlers: bind(operations, this),
      onProtocolError: (err) => log.debug({ session: this.id, code: err.code }, `Refused an API message: ${err.message}`),
    });
    this.peer.onClose(() => this.end());
    byName.set(this.name, this);
  }

  signal<S extends keyof typeof ApiSignals & string>(name: S, params: SignalParamsOf<typeof ApiSignals, S>): void {
    this.peer.notify(name, params);
  }

  signalPeer<S extends keyof typeof ApiSignals & string>(peer: string, name: S, params: SignalParamsOf<typeof ApiSignals, S>): void {
    byName.get(peer)?.signal(name, params);
  }

  onClose(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    byName.delete(this.name);
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch (err) {
        this.log.error({ session: this.id }, `Releasing an API session failed: ${(err as Error).message}, ignoring`);
      }
    }
  }
}

/** The operations as RpcPeer handlers, each called with this session and the request's AbortSignal. */
function bind(operations: ApiOperations, session: ApiSession): MethodHandlers<typeof ApiMethods> {
  const handlers: Record<string, (params: unknown, ctx: { signal: AbortSignal }) => unknown> = {};
  for (const [name, op] of Object.entries(operations) as Array<[string, (p: unknown, c: unknown) => unknown]>) {
    handlers[name] = (params, ctx) => op(params, { session, signal: ctx.signal });
  }
  return handlers as MethodHandlers<typeof ApiMethods>;
}
