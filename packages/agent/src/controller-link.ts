/**
 * The agent's connection to the controller. One timer drives everything: on
 * each tick a connected agent sends a heartbeat (and checks the controller's),
 * a disconnected one tries again. After a disconnect it retries at once, then
 * on every tick, forever. Registration must finish within one tick.
 * `reconnect()` drops the connection and dials `url()` again at once (the
 * agent's SwitchController). It records when the controller was last seen
 * (registration, its heartbeats) and when a registered connection was lost.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  AGENT_SUBPROTOCOL,
  AgentMethods,
  AgentSignals,
  ControllerMethods,
  ControllerSignals,
  RpcPeer,
  VERSION,
  webSocketTransport,
  type MethodHandlers,
  type SignalHandlers,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { NEVER, now, type Timestamp } from './clock.js';

export type ControllerPeer = RpcPeer<typeof ControllerMethods, typeof AgentSignals, typeof AgentMethods, typeof ControllerSignals>;

export type LinkState = 'disconnected' | 'connecting' | 'connected';

export type ControllerLinkOptions = {
  url: () => string;
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
};

/** Reconnect period when heartbeats are disabled: the agent never gives up. */
const FALLBACK_RETRY_MS = 2000;
/**
 * Quick retries after a lost connection (and at start-up), before the regular
 * once-per-tick retries: a restarted controller is usually back within a few
 * hundred milliseconds, and its nodes should be too.
 */
export const FAST_RETRY_DELAYS_MS = [0, 100, 200, 400, 800] as const;

export class ControllerLink {
  private state: LinkState = 'disconnected';
  private peer: ControllerPeer | undefined;
  private ws: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private connectingSince = 0;
  private failedTries = 0;
  private lastControllerSeen = 0;
  private stopped = false;
  private fastRetries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
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

  start(): void {
    const period = this.opts.heartbeatInterval > 0 ? this.opts.heartbeatInterval : FALLBACK_RETRY_MS;
    this.timer = setInterval(() => this.tick(), period);
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
    this.fastRetries = 0;
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
        this.peer?.close(1001, 'controller heartbeat timeout');
        return;
      }
      if (this.opts.heartbeatInterval > 0) this.peer?.notify('Heartbeat', {});
      return;
    }
    if (this.state === 'connecting') {
      const period = this.opts.heartbeatInterval > 0 ? this.opts.heartbeatInterval : FALLBACK_RETRY_MS;
      if (performance.now() - this.connectingSince < period) return;
      this.opts.log.debug('Connection attempt did not complete within one interval, retrying');
      this.ws?.terminate();
      return;
    }
    this.connect();
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
    });
    ws.on('error', (err) => {
      if (this.ws === ws && this.state === 'connecting') {
        (this.quiet() ? log.debug : log.warn).call(log, `Failed to connect to controller: ${err.message}`);
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
    const timeoutMs = this.opts.heartbeatInterval > 0 ? Math.max(this.opts.heartbeatInterval, 1000) : FALLBACK_RETRY_MS;
    try {
      const reply = await peer.call(
        'Register',
        { name: this.opts.nodeName, version: VERSION, heartbeatInterval: this.opts.heartbeatInterval },
        { timeoutMs },
      );
      if (this.peer !== peer) return;
      this.state = 'connected';
      this.failedTries = 0;
      this.fastRetries = 0;
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
      this.fastRetries = 0;
      this.opts.log.warn(`Disconnected from controller${reason ? ` (${reason})` : ''}`);
      this.opts.onDisconnected?.();
    } else if (failed) {
      this.failedTries++;
    }
    // A few quick tries first; afterwards the timer retries on every tick.
    if (this.stopped || this.fastRetries >= FAST_RETRY_DELAYS_MS.length) return;
    const delay = FAST_RETRY_DELAYS_MS[this.fastRetries++]!;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
