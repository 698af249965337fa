/**
 * The agent's connection to the controller. A periodic tick sends heartbeats
 * (and checks the controller's) while connected, and abandons an attempt whose
 * connection was not accepted within one tick. Once accepted, the Register
 * reply has longer (REGISTER_REPLY_MS): a controller busy with a fleet
 * registering at once queues it, and dropping it would only queue it again.
 * After a loss the agent tries again at once, then after growing, jittered
 * delays capped at the heartbeat interval (`backoff.ts`), forever; a refusal
 * that says when to retry (503 with a retry hint) is retried after a short
 * jittered delay around that hint instead, without growing the backoff. A
 * controller that went silent is terminated, never closed politely.
 * `reconnect()` drops the connection and dials `url()` again at once (the
 * agent's SwitchController). It records when the controller was last seen
 * (registration, its heartbeats) and when a registered connection was lost.
 */
import { tlsMismatchHint } from './tls-options.js';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  AGENT_SUBPROTOCOL,
  AgentMethods,
  AgentSignals,
  CLOSE_TERMINATE,
  ControllerMethods,
  ControllerSignals,
  RpcPeer,
  VERSION,
  webSocketTransport,
  type MethodHandlers,
  type SignalHandlers,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { backoffDelay, RECONNECT_FIRST_MS, refusalDelay, retryHintMs } from './backoff.js';
import { NEVER, now, type Timestamp } from './clock.js';

export type ControllerPeer = RpcPeer<typeof ControllerMethods, typeof AgentSignals, typeof AgentMethods, typeof ControllerSignals>;

export type LinkState = 'disconnected' | 'connecting' | 'connected';

export type ControllerLinkOptions = {
  url: () => string;
  /** Extra headers of the upgrade request (the node token), read anew for each try; throws when unreadable. */
  headers?: () => Record<string, string>;
  /** TLS options for a `wss:` URL (CA, client certificate, server name), read anew for each try; throws when unreadable. */
  tls?: () => import('node:tls').ConnectionOptions;
  nodeName: string;
  heartbeatInterval: number;
  controllerHeartbeatThreshold: number;
  retryCountUntilQuiet: number;
  maxFrameBytes: number;
  /** Requests from the controller are served by these handlers. */
  handlers: MethodHandlers<typeof AgentMethods>;
  /** Signals from the controller other than Heartbeat. */
  signalHandlers?: Omit<SignalHandlers<typeof ControllerSignals>, 'Heartbeat'>;
  log: Logger;
  onConnected?: (peer: ControllerPeer) => void;
  onDisconnected?: () => void;
  /** Randomness for the retry jitter, in [0, 1); Math.random unless a test fixes it. */
  random?: () => number;
};

/** Longest retry delay when heartbeats are disabled: the agent never gives up. */
const FALLBACK_RETRY_MS = 2000;

/** How long an accepted connection waits for the Register reply: at least this, and at least five ticks. */
export const REGISTER_REPLY_MS = 10_000;

export class ControllerLink {
  private state: LinkState = 'disconnected';
  private peer: ControllerPeer | undefined;
  private ws: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private connectingSince = 0;
  private failedTries = 0;
  private lastControllerSeen = 0;
  private stopped = false;
  /** Which try the next one is since the last loss (0: at once); see backoff.ts. */
  private retries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The retry hint of the refusal that ended the current attempt, ms. */
  private refusalHint: number | undefined;
  private seenAt: Timestamp = NEVER;
  private lostAt: Timestamp = NEVER;

  constructor(private readonly opts: ControllerLinkOptions) {}

  get status(): LinkState {
    return this.state;
  }

  get connection(): ControllerPeer | undefined {
    return this.state === 'connected' ? this.peer : undefined;
  }

  /** The last registration or controller heartbeat; NEVER before the first registration. */
  get lastSeen(): Timestamp {
    return this.seenAt;
  }

  /** When the registered connection was lost; NEVER while connected or before the first loss. */
  get disconnectedAt(): Timestamp {
    return this.state === 'connected' ? NEVER : this.lostAt;
  }

  /** The tick period, which is also the longest retry delay. */
  private get period(): number {
    return this.opts.heartbeatInterval > 0 ? this.opts.heartbeatInterval : FALLBACK_RETRY_MS;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.period);
    // This first try is the immediate one; a failure waits like a second try.
    this.retries = 1;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.peer?.close(1001, 'agent shutting down');
    this.ws?.terminate();
  }

  /**
   * Drops the connection, or the attempt in progress, without waiting for it to
   * close, and connects again at once to `url()` as it is now. Returns at once.
   */
  reconnect(reason: string): void {
    if (this.stopped) return;
    const { peer, ws } = this;
    const wasConnected = this.state === 'connected';
    // Detached first, so their close events no longer count.
    this.peer = undefined;
    this.ws = undefined;
    if (peer) peer.close(1000, reason);
    else ws?.terminate();
    this.failedTries = 0;
    this.retries = 0;
    this.refusalHint = undefined;
    this.onLost(wasConnected, reason, false);
  }

  private quiet(): boolean {
    return this.failedTries > this.opts.retryCountUntilQuiet;
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.state === 'connected') {
      const threshold = this.opts.controllerHeartbeatThreshold;
      const silentFor = performance.now() - this.lastControllerSeen;
      if (threshold > 0 && silentFor > threshold) {
        this.opts.log.warn(`Did not receive a heartbeat from the controller for ${Math.round(silentFor)} ms, disconnecting`);
        // Silent: terminate, a polite close would wait for an answer that never comes.
        this.peer?.close(CLOSE_TERMINATE, 'controller heartbeat timeout');
        return;
      }
      if (this.opts.heartbeatInterval > 0) this.peer?.notify('Heartbeat', {});
      return;
    }
    if (this.state === 'connecting') {
      // Accepted: the Register call's own timeout ends the wait for its reply.
      if (this.peer) return;
      if (performance.now() - this.connectingSince < this.period) return;
      this.opts.log.debug('Connection attempt did not complete within one interval, retrying');
      this.ws?.terminate();
      return;
    }
    // Disconnected: the retry timer brings the next try; start one if none is due.
    if (!this.retryTimer) this.scheduleRetry();
  }

  private connect(): void {
    if (this.stopped || this.state !== 'disconnected') return;
    const url = this.opts.url();
    const log = this.opts.log;
    this.state = 'connecting';
    this.connectingSince = performance.now();
    if (this.failedTries === this.opts.retryCountUntilQuiet + 1) {
      log.info(`Quieting down logs after connection retry failed ${this.opts.retryCountUntilQuiet}x...`);
    }
    (this.quiet() ? log.debug : log.info).call(log, { url, try: this.failedTries + 1 }, `Connecting to controller on ${url}`);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, AGENT_SUBPROTOCOL, {
        maxPayload: this.opts.maxFrameBytes,
        perMessageDeflate: false,
        handshakeTimeout: 10_000,
        // Read at each try, so certificates and tokens renewed on disk are used by the next connection.
        ...(url.startsWith('wss:') ? this.opts.tls?.() : undefined),
        ...(this.opts.headers && { headers: this.opts.headers() }),
      });
    } catch (err) {
      // An address ws cannot dial at all: a failed try like any other.
      (this.quiet() ? log.debug : log.warn).call(log, `Failed to connect to controller: ${(err as Error).message}`);
      this.onLost(false);
      return;
    }
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      (this.quiet() ? log.debug : log.warn).call(log, `Controller refused the connection: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`);
      if (this.ws !== ws) return;
      if (res.statusCode === 503) this.refusalHint = retryHintMs(res.headers);
      // ws leaves the attempt open when this event is listened to: end it now, not at the next tick.
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (this.ws === ws && this.state === 'connecting') {
        (this.quiet() ? log.debug : log.warn).call(log, `Failed to connect to controller: ${err.message}${tlsMismatchHint(url, err)}`);
      }
    });
    ws.once('close', () => {
      if (this.ws === ws && this.state === 'connecting' && !this.peer) this.onLost(false);
    });
    ws.once('open', () => {
      const peer: ControllerPeer = new RpcPeer(webSocketTransport(ws), {
        outgoing: { methods: ControllerMethods, signals: AgentSignals },
        incoming: { methods: AgentMethods, signals: ControllerSignals },
        handlers: this.opts.handlers,
        signalHandlers: {
          ...this.opts.signalHandlers,
          Heartbeat: () => {
            if (this.peer !== peer) return;
            this.lastControllerSeen = performance.now();
            this.seenAt = now();
          },
        },
        onProtocolError: (err) => log.warn({ code: err.code }, `Refused a message from the controller: ${err.message}`),
      });
      this.peer = peer;
      peer.onClose((info) => {
        if (this.peer !== peer) return;
        this.peer = undefined;
        this.onLost(this.state === 'connected', info.reason);
      });
      this.register(peer);
    });
  }

  private async register(peer: ControllerPeer): Promise<void> {
    const log = this.opts.log;
    const timeoutMs = Math.max(REGISTER_REPLY_MS, 5 * this.period);
    try {
      const reply = await peer.call(
        'Register',
        { name: this.opts.nodeName, version: VERSION, heartbeatInterval: this.opts.heartbeatInterval },
        { timeoutMs },
      );
      if (this.peer !== peer) return;
      this.state = 'connected';
      this.failedTries = 0;
      this.retries = 0;
      this.lastControllerSeen = performance.now();
      this.seenAt = now();
      log.info({ controllerVersion: reply.controllerVersion }, `Connected to controller as '${this.opts.nodeName}'`);
      this.opts.onConnected?.(peer);
    } catch (err) {
      if (this.peer !== peer) return;
      (this.quiet() ? log.debug : log.warn).call(log, `Registration as '${this.opts.nodeName}' refused: ${(err as Error).message}`);
      peer.close(1000, 'registration refused');
    }
  }

  /** `failed`: the loss counts as a failed try (not for a reconnect() asked for). */
  private onLost(wasConnected: boolean, reason = '', failed = true): void {
    this.state = 'disconnected';
    this.ws = undefined;
    if (wasConnected) {
      this.lostAt = now();
      this.retries = 0;
      this.opts.log.warn(`Disconnected from controller${reason ? ` (${reason})` : ''}`);
      this.opts.onDisconnected?.();
    } else if (failed) {
      this.failedTries++;
    }
    this.scheduleRetry();
  }

  /** The next try: at once after a loss, then backing off up to one tick period. */
  private scheduleRetry(): void {
    if (this.stopped) return;
    const hint = this.refusalHint;
    this.refusalHint = undefined;
    const delay =
      hint !== undefined
        ? refusalDelay(hint, this.period, this.opts.random)
        : backoffDelay(this.retries++, { firstMs: RECONNECT_FIRST_MS, capMs: this.period }, this.opts.random);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }
}
