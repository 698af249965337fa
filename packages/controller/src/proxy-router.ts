/**
 * Proxy services across nodes: admits or refuses each proxy a requesting node
 * announces, counts dependencies (DependencyCounter), carries out what the
 * counter decides on the target nodes, and forwards the target's state to every
 * proxy waiting on it. Survives outages on either side and a controller
 * restart: everything is rebuilt from what agents (re-)announce. The targets'
 * states come from the unit subscription multiplexer, like everyone else's.
 */
import {
  BluechiError,
  ErrorCodes,
  assertUnitName,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { DependencyCounter, type DepAction, type Target } from './dependency-counter.js';
import type { ControllerNode } from './node.js';
import type { NodeRegistry } from './node-registry.js';
import type { Subscription, UnitEvent, UnitSubscriptions } from './unit-subscriptions.js';

type UnitState = { activeState: string; subState: string };

const key = (t: Target) => `${t.node}\u0000${t.unit}`;

/** What a proxy hears while its target's node is out of reach. */
const TARGET_NODE_OFFLINE = { activeState: 'inactive', subState: 'agent-offline', reason: 'virtual' } as const;

export class ProxyRouter {
  private readonly counter = new DependencyCounter();
  /** Last state reported for each watched target, so a new proxy learns it at once. */
  private readonly lastState = new Map<string, UnitState>();
  /** Requesters that dropped: proxies not re-announced before the timer fires are released. */
  private readonly orphans = new Map<string, { timer: NodeJS.Timeout; unconfirmed: Set<number> }>();
  /** One multiplexer subscription per watched target. */
  private readonly watching = new Map<string, Subscription>();

  constructor(
    private readonly registry: NodeRegistry,
    private readonly units: UnitSubscriptions,
    private readonly log: Logger,
    /** How long a dropped requester's dependencies are kept before they are released (ms). */
    private readonly releaseDelay = 0,
  ) {}

  dependencies(target: Target): number {
    return this.counter.count(target);
  }

  /** ProxyNew from a requesting node: refuse, or count it and start the target. */
  proxyNew(requester: ControllerNode, proxyId: number, node: string, unit: string): void {
    const log = this.log.child({ requester: requester.name, proxyId, node, unit });
    log.info(`Node '${requester.name}' registered new proxy for unit '${unit}' on node '${node}'`);
    const target = this.registry.find(node);
    if (!target) {
      log.warn(`Proxy requested for non-existing node '${node}'`);
      throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, `No such node: '${node}' is not a configured node`);
    }
    if (!requester.config.allowDependenciesOn.includes(node)) {
      log.warn(`Proxy request denied for ${requester.name}->${node}`);
      throw new BluechiError(
        ErrorCodes.PROXY_NOT_ALLOWED,
        `Proxy on node not allowed: node '${requester.name}' may not depend on units of node '${node}' (set AllowDependenciesOn in [node ${requester.name}] on the controller)`,
      );
    }
    assertUnitName(unit);
    const t = { node, unit };
    this.confirm(requester.name, proxyId, t);
    this.apply(this.counter.add({ requester: requester.name, proxyId }, t));
    if (target.status !== 'online') {
      requester.notify('ProxyTargetState', { proxyId, ...TARGET_NODE_OFFLINE });
      log.info(`Target node '${node}' is offline; the proxy waits for it`);
      return;
    }
    const known = this.lastState.get(key(t));
    if (known) requester.notify('ProxyTargetState', { proxyId, ...known, reason: 'virtual' });
  }

  /**
   * A returning requester announced a proxy: it is no longer waiting to be
   * released. An agent that restarted numbers its proxies afresh, so a new id
   * for a target that one of its unconfirmed proxies points at is that proxy
   * again: it takes over the old id's place, and the target is counted once,
   * not twice until the release delay ends.
   */
  private confirm(requester: string, proxyId: number, t: Target): void {
    const orphaned = this.orphans.get(requester);
    if (!orphaned || orphaned.unconfirmed.delete(proxyId)) return;
    for (const oldId of orphaned.unconfirmed) {
      const old = this.counter.targetOf({ requester, proxyId: oldId });
      if (!old || key(old) !== key(t) || !this.counter.rekey({ requester, proxyId: oldId }, proxyId)) continue;
      orphaned.unconfirmed.delete(oldId);
      this.log.info({ requester, proxyId, node: t.node, unit: t.unit }, `Node '${requester}' announced its proxy for ${t.unit} on node ${t.node} again as proxy ${proxyId} (was ${oldId})`);
      return;
    }
  }

  proxyRemoved(requester: ControllerNode, proxyId: number): void {
    const target = this.counter.targetOf({ requester: requester.name, proxyId });
    if (!target) {
      this.log.debug({ requester: requester.name, proxyId }, 'ProxyRemoved for an unknown proxy, ignoring');
      return;
    }
    this.log.info(`Node '${requester.name}' unregistered proxy for unit '${target.unit}' on node '${target.node}'`);
    this.apply(this.counter.remove({ requester: requester.name, proxyId }));
  }

  /** A watched target's state, from the multiplexer. Outages are handled in nodeDisconnected. */
  private targetEvent(e: UnitEvent): void {
    if (e.kind !== 'UnitStateChanged' || (e.reason === 'virtual' && e.subState === 'agent-offline')) return;
    const t = { node: e.node, unit: e.unit };
    if (this.counter.count(t) === 0) return;
    const state = { activeState: e.activeState, subState: e.subState };
    this.lastState.set(key(t), state);
    for (const p of this.counter.proxiesOf(t)) {
      this.registry.find(p.requester)?.notify('ProxyTargetState', { proxyId: p.proxyId, ...state, reason: e.reason });
    }
  }

  nodeConnected(node: ControllerNode): void {
    this.apply(this.counter.resend(node.name));
  }

  nodeDisconnected(node: ControllerNode): void {
    // As a requester: its proxies are released (after the grace period); the agent
    // re-announces the ones it still has when it returns.
    this.orphan(node.name);
    // As a target: keep the counts, tell waiting proxies the target is out of reach.
    for (const { unit } of this.counter.targetsOn(node.name)) {
      const t = { node: node.name, unit };
      this.lastState.delete(key(t));
      for (const p of this.counter.proxiesOf(t)) {
        this.registry.find(p.requester)?.notify('ProxyTargetState', { proxyId: p.proxyId, ...TARGET_NODE_OFFLINE });
      }
    }
  }

  private orphan(requester: string): void {
    const held = this.counter.proxiesFrom(requester).map((p) => p.proxyId);
    const previous = this.orphans.get(requester);
    if (previous) clearTimeout(previous.timer);
    this.orphans.delete(requester);
    if (held.length === 0) return;
    if (this.releaseDelay <= 0) {
      this.release(requester, new Set(held));
      return;
    }
    this.log.info(`Node '${requester}' disconnected; keeping its ${held.length} proxies for ${this.releaseDelay} ms`);
    const entry = { unconfirmed: new Set(held), timer: setTimeout(() => this.release(requester, entry.unconfirmed), this.releaseDelay) };
    entry.timer.unref();
    this.orphans.set(requester, entry);
  }

  private release(requester: string, proxyIds: Set<number>): void {
    this.orphans.delete(requester);
    if (proxyIds.size === 0) return;
    this.log.info(`Releasing ${proxyIds.size} proxies of node '${requester}' that were not announced again`);
    for (const proxyId of proxyIds) this.apply(this.counter.remove({ requester, proxyId }));
  }

  /** Controller shutdown: drop timers; dependencies stay up and are rebuilt on restart. */
  stop(): void {
    for (const o of this.orphans.values()) clearTimeout(o.timer);
    this.orphans.clear();
  }

  private apply(actions: DepAction[]): void {
    for (const a of actions) {
      if (a.kind === 'Subscribe' || a.kind === 'Unsubscribe') {
        this.watch(a);
        continue;
      }
      const node = this.registry.find(a.node);
      if (!node || node.status !== 'online') {
        this.log.debug({ node: a.node, unit: a.unit }, `${a.kind} deferred until node '${a.node}' connects: ${a.reason}`);
        continue;
      }
      const verb = a.kind === 'StartDep' ? 'Starting dependency' : 'Stopping dependency';
      this.log.info({ node: a.node, unit: a.unit, reason: a.reason }, `${verb} ${a.unit} on node ${a.node}`);
      node.call(a.kind, { unit: a.unit }).catch((err: BluechiError) => this.actionFailed(a, err));
    }
  }

  /** Starts or stops following a target's state through the multiplexer. */
  private watch(a: DepAction): void {
    const k = key(a);
    if (a.kind === 'Subscribe') {
      if (this.watching.has(k)) return;
      this.log.debug({ node: a.node, unit: a.unit, reason: a.reason }, `Watching ${a.unit} on node ${a.node}`);
      this.watching.set(k, this.units.subscribe(a.node, a.unit, (e) => this.targetEvent(e)));
      return;
    }
    this.lastState.delete(k);
    const sub = this.watching.get(k);
    if (!sub) return;
    this.watching.delete(k);
    this.log.debug({ node: a.node, unit: a.unit, reason: a.reason }, `No longer watching ${a.unit} on node ${a.node}`);
    this.units.unsubscribe(sub);
  }

  private actionFailed(a: DepAction, err: BluechiError): void {
    if (err.code === ErrorCodes.NODE_OFFLINE || err.code === ErrorCodes.CONNECTION_CLOSED) {
      this.log.debug({ node: a.node, unit: a.unit }, `${a.kind} lost with node '${a.node}'; it is re-sent on reconnect`);
      return;
    }
    this.log.warn({ node: a.node, unit: a.unit, code: err.code }, `${a.kind} ${a.unit} on node ${a.node} failed: ${err.message}`);
    if (a.kind !== 'StartDep') return;
    for (const p of this.counter.proxiesOf(a)) {
      this.registry.find(p.requester)?.notify('ProxyError', {
        proxyId: p.proxyId,
        message: `cannot start ${a.unit} on ${a.node}: ${err.message}`,
      });
    }
  }
}
