/**
 * One multiplexer for every interest in unit events (reference §6): monitors,
 * `status -w`, proxy targets. Subscriptions are (node, unit) pairs where
 * either may be `*`. Per node and unit the agent is sent one Subscribe on the
 * first interest and one Unsubscribe after the last, and everything again when
 * the node (re)attaches. Each agent event goes once to every listener whose
 * subscriptions match it, however many of them do.
 *
 * Virtual events, as upstream synthesises them:
 * - a listener subscribing to a unit the controller already knows is loaded
 *   gets UnitNew and UnitStateChanged (virtual) with its last known state; the
 *   first subscriber gets them from the agent;
 * - a `*` unit subscription gets UnitNew(node, "*") for every online node,
 *   now and whenever a node attaches;
 * - when a node detaches, every unit it reported as loaded gets
 *   UnitStateChanged(inactive, agent-offline) unless already inactive, then
 *   UnitRemoved, and `*` subscriptions get the same for the pseudo-unit `*`.
 */
import type { UnitEventReason } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { ControllerNode } from './node.js';
import type { NodeRegistry } from './node-registry.js';

export const WILDCARD = '*';

export type UnitEvent =
  | { kind: 'UnitNew'; node: string; unit: string; reason: UnitEventReason }
  | { kind: 'UnitRemoved'; node: string; unit: string; reason: UnitEventReason }
  | { kind: 'UnitStateChanged'; node: string; unit: string; activeState: string; subState: string; reason: UnitEventReason }
  | {
      kind: 'UnitPropertiesChanged';
      node: string;
      unit: string;
      interface: string;
      properties: Record<string, unknown>;
      signatures: Record<string, string>;
    };

/** Receives the events of all its subscriptions, once each. */
export type UnitListener = (e: UnitEvent) => void;

export type Subscription = { readonly id: number; readonly node: string; readonly unit: string; readonly listener: UnitListener };

type State = { activeState: string; subState: string };

const AGENT_OFFLINE: State = { activeState: 'inactive', subState: 'agent-offline' };

export class UnitSubscriptions {
  private nextId = 1;
  /** node (or `*`) -> unit (or `*`) -> subscriptions. */
  private readonly index = new Map<string, Map<string, Set<Subscription>>>();
  /** node -> units it reported loaded (to some subscription) -> last known state. */
  private readonly known = new Map<string, Map<string, State>>();

  constructor(
    private readonly registry: NodeRegistry,
    private readonly log: Logger,
  ) {}

  /** Adds a subscription; events start flowing at once (virtual ones first, see above). */
  subscribe(node: string, unit: string, listener: UnitListener): Subscription {
    const sub: Subscription = { id: this.nextId++, node, unit, listener };
    const nodes = this.nodesOf(node).map((n) => ({ n, first: this.interest(n.name, unit) === 0 }));
    let byUnit = this.index.get(node);
    if (!byUnit) this.index.set(node, (byUnit = new Map()));
    let set = byUnit.get(unit);
    if (!set) byUnit.set(unit, (set = new Set()));
    set.add(sub);
    for (const { n, first } of nodes) {
      if (n.status !== 'online') continue;
      if (first) this.send(n, 'Subscribe', unit);
      if (unit === WILDCARD) {
        listener({ kind: 'UnitNew', node: n.name, unit: WILDCARD, reason: 'virtual' });
      } else if (!first) {
        const state = this.known.get(n.name)?.get(unit);
        if (state) {
          listener({ kind: 'UnitNew', node: n.name, unit, reason: 'virtual' });
          listener({ kind: 'UnitStateChanged', node: n.name, unit, ...state, reason: 'virtual' });
        }
      }
    }
    return sub;
  }

  unsubscribe(sub: Subscription): void {
    const set = this.index.get(sub.node)?.get(sub.unit);
    if (!set?.delete(sub)) return;
    if (set.size === 0) this.index.get(sub.node)!.delete(sub.unit);
    if (this.index.get(sub.node)?.size === 0) this.index.delete(sub.node);
    for (const n of this.nodesOf(sub.node)) {
      if (this.interest(n.name, sub.unit) > 0) continue;
      if (n.status === 'online') this.send(n, 'Unsubscribe', sub.unit);
      this.forget(n.name, sub.unit);
    }
  }

  /** Subscriptions in place (for tests and logs). */
  get size(): number {
    let n = 0;
    for (const byUnit of this.index.values()) for (const set of byUnit.values()) n += set.size;
    return n;
  }

  /** Units the agent of `node` is asked to report, with how many subscriptions want each. */
  agentSubscriptions(node: string): Map<string, number> {
    const wanted = new Map<string, number>();
    for (const key of [node, WILDCARD]) {
      for (const unit of this.index.get(key)?.keys() ?? []) wanted.set(unit, this.interest(node, unit));
    }
    return wanted;
  }

  /** An event from a node's agent. */
  agentEvent(e: UnitEvent): void {
    let known = this.known.get(e.node);
    if (!known) this.known.set(e.node, (known = new Map()));
    switch (e.kind) {
      case 'UnitNew':
        if (!known.has(e.unit)) known.set(e.unit, { activeState: 'inactive', subState: 'dead' });
        break;
      case 'UnitStateChanged':
        known.set(e.unit, { activeState: e.activeState, subState: e.subState });
        break;
      case 'UnitRemoved':
        known.delete(e.unit);
        break;
      case 'UnitPropertiesChanged':
        break;
    }
    this.dispatch(e, true);
  }

  /** A node's agent registered: subscribe it to everything wanted, tell `*` listeners. */
  nodeAttached(node: ControllerNode): void {
    for (const unit of this.agentSubscriptions(node.name).keys()) this.send(node, 'Subscribe', unit);
    this.dispatch({ kind: 'UnitNew', node: node.name, unit: WILDCARD, reason: 'virtual' }, false);
  }

  /** A node's agent went away: its units are gone as far as anyone here can tell. */
  nodeDetached(node: ControllerNode): void {
    const known = this.known.get(node.name);
    this.known.delete(node.name);
    for (const [unit, state] of known ?? []) {
      if (state.activeState !== 'inactive') {
        this.dispatch({ kind: 'UnitStateChanged', node: node.name, unit, ...AGENT_OFFLINE, reason: 'virtual' }, true);
      }
      this.dispatch({ kind: 'UnitRemoved', node: node.name, unit, reason: 'virtual' }, true);
    }
    this.dispatch({ kind: 'UnitStateChanged', node: node.name, unit: WILDCARD, ...AGENT_OFFLINE, reason: 'virtual' }, false);
    this.dispatch({ kind: 'UnitRemoved', node: node.name, unit: WILDCARD, reason: 'virtual' }, false);
  }

  /**
   * Delivers one event once to each listener whose subscriptions match it. With
   * `viaWildcard`, `*` unit subscriptions match too; pseudo-unit `*` events go
   * only to them.
   */
  private dispatch(e: UnitEvent, viaWildcard: boolean): void {
    const listeners = new Set<UnitListener>();
    for (const nodeKey of [e.node, WILDCARD]) {
      const byUnit = this.index.get(nodeKey);
      if (!byUnit) continue;
      for (const unitKey of viaWildcard && e.unit !== WILDCARD ? [e.unit, WILDCARD] : [e.unit]) {
        for (const sub of byUnit.get(unitKey) ?? []) listeners.add(sub.listener);
      }
    }
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ node: e.node, unit: e.unit }, `A unit event listener failed: ${(err as Error).message}, ignoring`);
      }
    }
  }

  /** The configured nodes a subscription's node pattern covers. */
  private nodesOf(pattern: string): ControllerNode[] {
    if (pattern === WILDCARD) return this.registry.list();
    const node = this.registry.find(pattern);
    return node ? [node] : [];
  }

  /**
   * How many subscriptions want the agent of `nodeName` to report `unit` (or
   * `*`): those naming the node and those for every node. The agent is sent
   * Subscribe when this leaves 0 and Unsubscribe when it returns to 0.
   */
  private interest(nodeName: string, unit: string): number {
    return (this.index.get(nodeName)?.get(unit)?.size ?? 0) + (this.index.get(WILDCARD)?.get(unit)?.size ?? 0);
  }

  /** Known state is kept only for units someone still watches. */
  private forget(nodeName: string, unit: string): void {
    const known = this.known.get(nodeName);
    if (!known) return;
    if (unit === WILDCARD) {
      for (const u of [...known.keys()]) if (this.interest(nodeName, u) === 0) known.delete(u);
    } else if (this.interest(nodeName, WILDCARD) === 0) {
      known.delete(unit);
    }
  }

  private send(node: ControllerNode, method: 'Subscribe' | 'Unsubscribe', unit: string): void {
    this.log.debug({ node: node.name, unit }, `${method === 'Subscribe' ? 'Subscribing to' : 'Unsubscribing from'} ${unit} on node ${node.name}`);
    node.call(method, { unit }).catch((err: Error) => {
      this.log.warn({ node: node.name, unit }, `${method} ${unit} on node ${node.name} failed: ${err.message}, ignoring`);
    });
  }
}
