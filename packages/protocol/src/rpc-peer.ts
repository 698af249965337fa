/**
 * One end of a link: sends requests and matches replies by id, serves incoming
 * requests from a handler table, and validates every incoming frame against the
 * catalogue before any handler sees it.
 *
 * Every outgoing request ends: with the reply, with a timeout, with its
 * AbortSignal (the peer is then sent a `cancel` frame), or (all of them at once)
 * when the transport closes. Every incoming request's handler gets an
 * AbortSignal that fires when the peer cancels it or the link closes.
 */
import { BluechiError, ErrorCodes, toBluechiError } from './errors.js';
import { decodeFrame, encodeFrame, type Frame } from './frames.js';
import type { MethodTable, ParamsOf, ResultOf, SignalParamsOf, SignalTable } from './catalogue/spec.js';
import type { CloseInfo, Transport } from './transport.js';
import { SchemaError } from './schema.js';

/** What a handler learns about the request it serves. */
export type RequestContext = {
  /** The request id, unique per link and direction. */
  id: number;
  /** Aborted when the peer sends `cancel` for this request or the link closes. */
  signal: AbortSignal;
};

export type MethodHandler<T extends MethodTable, M extends keyof T, C = RequestContext> = (
  params: ParamsOf<T, M>,
  ctx: C,
) => Promise<ResultOf<T, M>> | ResultOf<T, M>;

export type MethodHandlers<T extends MethodTable, C = RequestContext> = {
  [M in keyof T]?: MethodHandler<T, M, C>;
};
export type SignalHandlers<T extends SignalTable> = {
  [S in keyof T]?: (params: SignalParamsOf<T, S>) => void;
};

export type CallOptions = { timeoutMs?: number; signal?: AbortSignal };

export interface PeerOptions<Out extends MethodTable, OutSig extends SignalTable, In extends MethodTable, InSig extends SignalTable> {
  outgoing: { methods: Out; signals: OutSig };
  incoming: { methods: In; signals: InSig };
  handlers?: MethodHandlers<In>;
  signalHandlers?: SignalHandlers<InSig>;
  /** Default per-request timeout; 0 disables it. */
  defaultTimeoutMs?: number;
  /** Outgoing requests allowed to wait for a reply at once. */
  maxPendingOutgoing?: number;
  /** Incoming requests being served at once; more are refused with TOO_MANY_REQUESTS. */
  maxInFlightIncoming?: number;
  /** Protocol violations tolerated before the link is closed. */
  maxProtocolErrors?: number;
  /** Called for every protocol violation by the peer (for logging at the edge). */
  onProtocolError?: (err: BluechiError) => void;
  /** The error pending requests fail with when the link closes. */
  closeError?: (info: CloseInfo) => BluechiError;
}

type Pending = {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: BluechiError) => void;
  cleanup: () => void;
};

export class RpcPeer<Out extends MethodTable, OutSig extends SignalTable, In extends MethodTable, InSig extends SignalTable> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Incoming requests being served, by id, so a `cancel` frame or a close can abort them. */
  private readonly serving = new Map<number, AbortController>();
  private protocolErrors = 0;
  private closedWith: CloseInfo | undefined;
  private readonly closeListeners: Array<(info: CloseInfo) => void> = [];
  handlers: MethodHandlers<In>;
  signalHandlers: SignalHandlers<InSig>;

  constructor(
    private readonly transport: Transport,
    private readonly opts: PeerOptions<Out, OutSig, In, InSig>,
  ) {
    this.handlers = opts.handlers ?? {};
    this.signalHandlers = opts.signalHandlers ?? {};
    transport.onMessage((text) => this.receive(text));
    transport.onClose((info) => this.onTransportClosed(info));
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Incoming requests whose handlers have not finished yet. */
  get servingCount(): number {
    return this.serving.size;
  }

  onClose(listener: (info: CloseInfo) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  call<M extends keyof Out & string>(method: M, params: ParamsOf<Out, M>, options: CallOptions = {}): Promise<ResultOf<Out, M>> {
    if (this.closedWith) return Promise.reject(this.closeError(this.closedWith));
    const spec = this.opts.outgoing.methods[method];
    if (!spec) return Promise.reject(new BluechiError(ErrorCodes.UNKNOWN_METHOD, `unknown method ${method}`));
    const max = this.opts.maxPendingOutgoing ?? 1024;
    if (this.pending.size >= max) {
      return Promise.reject(new BluechiError(ErrorCodes.TOO_MANY_REQUESTS, `too many requests outstanding (${max})`));
    }
    if (options.signal?.aborted) return Promise.reject(new BluechiError(ErrorCodes.CANCELLED, `${method} cancelled`));
    const id = this.nextId++;
    return new Promise<ResultOf<Out, M>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.opts.defaultTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        const p = this.settle(id);
        if (!p) return;
        this.send({ type: 'cancel', id });
        p.reject(new BluechiError(ErrorCodes.CANCELLED, `${method} cancelled`));
      };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, {
        method,
        resolve: (raw) => {
          try {
            resolve(spec.result.parse(raw) as ResultOf<Out, M>);
          } catch (err) {
            reject(new BluechiError(ErrorCodes.INVALID_RESULT, `invalid result for ${method}: ${(err as Error).message}`));
          }
        },
        reject,
        cleanup,
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.settle(id)?.reject(new BluechiError(ErrorCodes.TIMEOUT, `${method} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.send({ type: 'request', id, method, params });
    });
  }

  notify<S extends keyof OutSig & string>(name: S, params: SignalParamsOf<OutSig, S>): void {
    if (this.closedWith) return;
    this.send({ type: 'signal', name, params });
  }

  close(code = 1000, reason = ''): void {
    this.transport.close(code, reason);
  }

  private send(frame: Frame): void {
    this.transport.send(encodeFrame(frame));
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    p.cleanup();
    return p;
  }

  private protocolError(err: BluechiError, replyId?: number | null): void {
    this.protocolErrors++;
    this.opts.onProtocolError?.(err);
    if (replyId !== undefined) this.send({ type: 'error', id: replyId, error: err.toWire() });
    const max = this.opts.maxProtocolErrors ?? 64;
    if (this.protocolErrors > max) this.close(1008, `too many protocol errors (${this.protocolErrors})`);
  }

  private receive(text: string): void {
    let frame: Frame;
    try {
      frame = decodeFrame(text);
    } catch (err) {
      this.protocolError(toBluechiError(err, ErrorCodes.MALFORMED_FRAME), null);
      return;
    }
    switch (frame.type) {
      case 'request':
        this.serve(frame.id, frame.method, frame.params);
        return;
      case 'response':
        this.settle(frame.id)?.resolve(frame.result);
        return;
      case 'error':
        if (frame.id === null) {
          // The peer refused something we sent without an id: nothing to settle.
          this.opts.onProtocolError?.(new BluechiError(frame.error.code, `peer reported: ${frame.error.message}`));
          return;
        }
        this.settle(frame.id)?.reject(new BluechiError(frame.error.code, frame.error.message, frame.error.data));
        return;
      case 'signal':
        this.dispatchSignal(frame.name, frame.params);
        return;
      case 'cancel':
        // Unknown ids are fine: the request may have finished meanwhile.
        this.serving.get(frame.id)?.abort(new BluechiError(ErrorCodes.CANCELLED, 'cancelled by the caller'));
        return;
    }
  }

  private dispatchSignal(name: string, rawParams: unknown): void {
    const spec = Object.hasOwn(this.opts.incoming.signals, name) ? this.opts.incoming.signals[name] : undefined;
    if (!spec) {
      this.protocolError(new BluechiError(ErrorCodes.UNKNOWN_METHOD, `unknown signal ${name}`), null);
      return;
    }
    let params: unknown;
    try {
      params = spec.params.parse(rawParams);
    } catch (err) {
      this.protocolError(new BluechiError(ErrorCodes.INVALID_PARAMS, `invalid params for signal ${name}: ${(err as Error).message}`), null);
      return;
    }
    const handler = (this.signalHandlers as Record<string, ((p: unknown) => void) | undefined>)[name];
    handler?.(params);
  }

  private serve(id: number, method: string, rawParams: unknown): void {
    const spec = Object.hasOwn(this.opts.incoming.methods, method) ? this.opts.incoming.methods[method] : undefined;
    const handler = (this.handlers as Record<string, ((p: unknown, ctx: RequestContext) => unknown) | undefined>)[method];
    if (!spec || !handler) {
      this.protocolError(new BluechiError(ErrorCodes.UNKNOWN_METHOD, `unknown method ${method}`), id);
      return;
    }
    let params: unknown;
    try {
      params = spec.params.parse(rawParams);
    } catch (err) {
      const msg = err instanceof SchemaError ? err.message : String(err);
      this.protocolError(new BluechiError(ErrorCodes.INVALID_PARAMS, `invalid params for ${method}: ${msg}`), id);
      return;
    }
    const max = this.opts.maxInFlightIncoming ?? 256;
    if (this.serving.size >= max || this.serving.has(id)) {
      const message = this.serving.has(id) ? `request id ${id} is already in flight` : `too many requests in flight (${max})`;
      this.send({ type: 'error', id, error: { code: ErrorCodes.TOO_MANY_REQUESTS, message } });
      return;
    }
    this.protocolErrors = 0;
    const abort = new AbortController();
    this.serving.set(id, abort);
    const ctx: RequestContext = { id, signal: abort.signal };
    Promise.resolve()
      .then(() => handler(params, ctx))
      .then(
        (result) => this.send({ type: 'response', id, result: result ?? {} }),
        (err) => this.send({ type: 'error', id, error: toBluechiError(err).toWire() }),
      )
      .catch((err: Error) => {
        // The answer could not be encoded (a BigInt, a cycle): the caller still gets one.
        this.send({ type: 'error', id, error: { code: ErrorCodes.INTERNAL, message: `cannot send the reply to ${method}: ${err.message}` } });
      })
      .finally(() => {
        if (this.serving.get(id) === abort) this.serving.delete(id);
      });
  }

  private closeError(info: CloseInfo): BluechiError {
    return this.opts.closeError?.(info) ?? new BluechiError(ErrorCodes.CONNECTION_CLOSED, `connection closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`);
  }

  private onTransportClosed(info: CloseInfo): void {
    if (this.closedWith) return;
    this.closedWith = info;
    const err = this.closeError(info);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
    for (const abort of this.serving.values()) abort.abort(err);
    this.serving.clear();
    for (const l of this.closeListeners.splice(0)) l(info);
  }
}
