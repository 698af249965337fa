/**
 * The proxies hosted on this node: one per `bluechi-proxy@NODE_UNIT.service`
 * that is starting or active. A CreateProxy call is answered only when the
 * remote target is active, or fails with the reason. Proxies outlive
 * controller outages: they are announced again on every (re)connect.
 */
import { randomInt } from 'node:crypto';
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { STARTING, decide, type ProxyPhase, type TargetReport } from './decision.js';

/**
 * How long a new proxy waits before reading its service's start timeout. Most
 * targets are active sooner, and then the timeout is never read.
 */
export const TIMEOUT_READ_DELAY_MS = 100;

export type ProxyInfo = { id: number; serviceName: string; node: string; unit: string; phase: ProxyPhase };

export interface ProxyHost {
  /** Announces the proxy to the controller; rejects when refused or not connected. */
  announce(p: ProxyInfo): Promise<void>;
  /** Tells the controller the proxy is gone (no-op when not connected). */
  release(id: number): void;
  /** Whether the controller link is up right now. */
  connected(): boolean;
  /** Asks systemd to stop the proxy service unit. */
  stopService(serviceName: string): Promise<void>;
  /** How long this proxy service may wait, in ms (its TimeoutStartSec, or the agent's default). */
  startTimeout(serviceName: string): Promise<number>;
}

type Proxy = ProxyInfo & {
  settle?: { resolve: () => void; reject: (e: BluechiError) => void };
  timer?: NodeJS.Timeout;
  lastReport?: TargetReport;
  /** A real report showed the target starting since this proxy was created. */
  seenStarting?: boolean;
};

/** Proxy ids are 32-bit (the link's proxyId shape). */
const MAX_PROXY_ID = 0xffffffff;

export class ProxyManager {
  private readonly proxies = new Map<number, Proxy>();

  constructor(
    private readonly host: ProxyHost,
    private readonly log: Logger,
    /**
     * The first proxy id. Random by default, so that the ids of an agent that
     * restarted do not meet the ids the controller still holds from before
     * (it keeps them for ProxyReleaseDelay) for other targets.
     */
    private nextId = randomInt(1, 2 ** 31),
  ) {}

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= MAX_PROXY_ID ? 1 : id + 1;
    return id;
  }

  list(): ProxyInfo[] {
    return [...this.proxies.values()].map(({ id, serviceName, node, unit, phase }) => ({ id, serviceName, node, unit, phase }));
  }

  private find(serviceName: string, node: string, unit: string): Proxy | undefined {
    for (const p of this.proxies.values()) if (p.serviceName === serviceName && p.node === node && p.unit === unit) return p;
    return undefined;
  }

  /** Resolves once the target is active; rejects with PROXY_FAILED and the reason. */
  async create(serviceName: string, node: string, unit: string): Promise<void> {
    this.log.info({ service: serviceName }, `CreateProxy request from ${serviceName}`);
    const old = this.find(serviceName, node, unit);
    if (old) {
      // A proxy service that was killed or restarted before its ExecStop ran.
      this.log.info({ service: serviceName, proxyId: old.id }, `Replacing the earlier proxy for ${serviceName}`);
      this.drop(old, `replaced by a new request from ${serviceName}`);
    }
    const p: Proxy = { id: this.takeId(), serviceName, node, unit, phase: 'waiting' };
    this.proxies.set(p.id, p);
    this.log.info({ proxyId: p.id, node, unit }, `Registering new proxy for ${unit} (on ${node})`);
    const done = new Promise<void>((resolve, reject) => {
      p.settle = { resolve, reject };
    });
    // A refusal can settle `done` before the caller awaits it; that must not
    // count as unhandled (Node would end the agent). The caller still sees
    // the rejection.
    done.catch(() => {});
    if (this.host.connected()) void this.announce(p);
    else this.log.info({ proxyId: p.id }, `Not connected to the controller; ${serviceName} waits for the connection`);
    // The start timeout is read (a LoadUnit and a GetAll on systemd) only for
    // a proxy still waiting a little later, so a target that comes up at once
    // costs no systemd calls on this node besides its own start. The timeout
    // still counts from this request.
    const created = performance.now();
    p.timer = setTimeout(() => void this.armTimeout(p, created), TIMEOUT_READ_DELAY_MS);
    p.timer.unref();
    return done;
  }

  private async armTimeout(p: Proxy, created: number): Promise<void> {
    p.timer = undefined;
    const waiting = () => this.proxies.get(p.id) === p && p.phase === 'waiting';
    if (!waiting()) return;
    const timeoutMs = await this.host.startTimeout(p.serviceName).catch(() => 0);
    if (!waiting() || timeoutMs <= 0) return;
    p.timer = setTimeout(
      () => {
        const where = p.lastReport ? ` (last seen ${p.lastReport.activeState}/${p.lastReport.subState})` : '';
        const offline = p.lastReport?.subState === 'agent-offline' ? `; node '${p.node}' is offline` : '';
        this.fail(p, `timed out after ${timeoutMs} ms waiting for ${p.unit} on node '${p.node}' to become active${offline || where}`);
      },
      Math.max(0, timeoutMs - (performance.now() - created)),
    );
    p.timer.unref();
  }

  /**
   * A proxy service that is already active (this agent was restarted while it
   * ran): track it again, so it is announced and its target counted and
   * watched. It starts `reacquiring`, as after a reconnect.
   */
  adopt(serviceName: string, node: string, unit: string): void {
    if (this.find(serviceName, node, unit)) return;
    const p: Proxy = { id: this.takeId(), serviceName, node, unit, phase: 'reacquiring' };
    this.proxies.set(p.id, p);
    this.log.info({ proxyId: p.id, node, unit }, `Adopting running proxy ${serviceName} for ${unit} (on ${node})`);
    if (this.host.connected()) void this.announce(p);
  }

  /** RemoveProxy: always succeeds, whether or not such a proxy exists. */
  remove(serviceName: string, node: string, unit: string): void {
    this.log.info({ service: serviceName }, `RemoveProxy request from ${serviceName}`);
    const p = this.find(serviceName, node, unit);
    if (p) this.drop(p, 'proxy service stopped');
  }

  /** The controller reported the target's state. */
  targetState(id: number, report: TargetReport): void {
    const p = this.proxies.get(id);
    if (!p) return;
    p.lastReport = report;
    if (report.reason === 'real' && STARTING.has(report.activeState)) p.seenStarting = true;
    const d = decide(p.phase, report, p.seenStarting);
    if (d.action === 'ignore') return;
    if (d.action === 'reacquire') {
      p.phase = 'reacquiring';
      this.log.info({ proxyId: id, why: d.why }, `Proxy ${p.serviceName} keeps running: ${d.why}`);
      return;
    }
    if (d.action === 'resume') {
      p.phase = 'active';
      this.log.debug({ proxyId: id, why: d.why }, `Proxy ${p.serviceName} reacquired its target`);
      return;
    }
    if (d.action === 'succeed') {
      p.phase = 'active';
      if (p.timer) clearTimeout(p.timer);
      this.log.info({ proxyId: id, why: d.why }, `Replying to ${p.serviceName} successfully`);
      p.settle?.resolve();
      p.settle = undefined;
      return;
    }
    if (d.action === 'fail') {
      this.fail(p, `${p.unit} on node '${p.node}': ${d.why}`);
      return;
    }
    this.targetStopped(p, d.why);
  }

  /** The target is gone for good: drop the proxy and stop its service, so systemd propagates it. */
  private targetStopped(p: Proxy, why: string): void {
    this.log.info({ proxyId: p.id, why }, `Proxy for ${p.serviceName} stopping due to ${why}`);
    this.drop(p, why);
    this.host.stopService(p.serviceName).catch((err: Error) => {
      this.log.warn({ service: p.serviceName }, `Failed to stop ${p.serviceName}: ${err.message}, ignoring`);
    });
  }

  /** The controller could not provide the target. */
  targetError(id: number, message: string): void {
    const p = this.proxies.get(id);
    if (!p) return;
    if (p.phase === 'waiting') this.fail(p, message);
    else if (p.phase === 'reacquiring') this.targetStopped(p, message);
    else this.log.warn({ proxyId: id }, `Proxy ${p.serviceName}: ${message}, ignoring while the target runs`);
  }

  /** After (re)connecting: announce every proxy again so the controller can count it. */
  reannounce(): void {
    for (const p of this.proxies.values()) {
      if (p.phase === 'active') p.phase = 'reacquiring';
      void this.announce(p);
    }
  }

  /** Agent shutdown: pending requests fail; the controller releases on disconnect. */
  stopAll(): void {
    for (const p of this.proxies.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.settle?.reject(new BluechiError(ErrorCodes.PROXY_FAILED, 'Proxy service stopped: the agent is shutting down'));
    }
    this.proxies.clear();
  }

  private async announce(p: Proxy): Promise<void> {
    try {
      await this.host.announce(p);
    } catch (err) {
      if (this.proxies.get(p.id) !== p) return;
      const e = err as BluechiError;
      if (e.code === ErrorCodes.NODE_OFFLINE || e.code === ErrorCodes.CONNECTION_CLOSED || e.code === ErrorCodes.TIMEOUT) {
        this.log.info({ proxyId: p.id }, `Could not announce proxy ${p.serviceName} (${e.message}); announcing it again on reconnect`);
        return;
      }
      if (p.phase === 'waiting') {
        this.fail(p, e.message, false);
        return;
      }
      // A refused running proxy (e.g. AllowDependenciesOn changed) is stopped.
      this.log.warn({ proxyId: p.id }, `Controller refused the running proxy ${p.serviceName}: ${e.message}; stopping it`);
      this.proxies.delete(p.id);
      void this.host.stopService(p.serviceName).catch(() => {});
    }
  }

  private fail(p: Proxy, reason: string, release = true): void {
    this.log.warn({ proxyId: p.id, service: p.serviceName }, `Replying to ${p.serviceName} with failure: ${reason}`);
    p.settle?.reject(new BluechiError(ErrorCodes.PROXY_FAILED, reason));
    p.settle = undefined;
    this.unregister(p, release);
  }

  private drop(p: Proxy, reason: string): void {
    p.settle?.reject(new BluechiError(ErrorCodes.PROXY_FAILED, reason));
    p.settle = undefined;
    this.unregister(p, true);
  }

  private unregister(p: Proxy, release: boolean): void {
    if (p.timer) clearTimeout(p.timer);
    if (!this.proxies.delete(p.id)) return;
    this.log.info({ proxyId: p.id }, `Unregistering proxy for ${p.unit} (on ${p.node})`);
    if (release) this.host.release(p.id);
  }
}
