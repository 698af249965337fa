/**
 * Monitors (reference §2.4, §6): a monitor belongs to one API session, holds
 * subscriptions on the unit multiplexer, and hands each matching event to its
 * sink once, however many of its subscriptions match. Monitor ids count from
 * 1; subscription ids from 2, as upstream numbers them. Closing the owner's
 * session closes its monitors.
 */
import { BluechiError, ErrorCodes, Messages, monitorObjectPath } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { Subscription, UnitEvent, UnitSubscriptions } from './unit-subscriptions.js';

/** Monitors one API session may hold at once. */
export const MAX_MONITORS_PER_SESSION = 64;
/** Unit subscriptions (counting each unit of a SubscribeList) one monitor may hold. */
export const MAX_UNITS_PER_MONITOR = 4096;

/** Where a monitor's events go: its owner, and later any peers. */
export type MonitorSink = (monitorId: number, e: UnitEvent) => void;

export class Monitor {
  /** Subscription id -> the multiplexer subscriptions it stands for (several for SubscribeList). */
  readonly subscriptions = new Map<number, Subscription[]>();
  closed = false;

  constructor(
    readonly id: number,
    /** The API session that created it. */
    readonly owner: number,
    readonly sink: MonitorSink,
  ) {}

  get path(): string {
    return monitorObjectPath(this.id);
  }

  readonly listener = (e: UnitEvent): void => {
    if (!this.closed) this.sink(this.id, e);
  };
}

export class MonitorRegistry {
  private nextMonitorId = 1;
  private nextSubscriptionId = 2;
  private readonly monitors = new Map<number, Monitor>();

  constructor(
    private readonly units: UnitSubscriptions,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.monitors.size;
  }

  /** TOO_MANY_REQUESTS when the session already holds MAX_MONITORS_PER_SESSION. */
  create(owner: number, sink: MonitorSink): Monitor {
    let held = 0;
    for (const m of this.monitors.values()) if (m.owner === owner) held++;
    if (held >= MAX_MONITORS_PER_SESSION) {
      throw new BluechiError(ErrorCodes.TOO_MANY_REQUESTS, `too many monitors for one client (${MAX_MONITORS_PER_SESSION})`);
    }
    const m = new Monitor(this.nextMonitorId++, owner, sink);
    this.monitors.set(m.id, m);
    this.log.debug({ monitor: m.id, session: owner }, `Created monitor ${m.path}`);
    return m;
  }

  /** The monitor `id` if `owner` may use it; NOT_FOUND otherwise (another session's monitors are invisible). */
  get(id: number, owner: number): Monitor {
    const m = this.monitors.get(id);
    if (!m || m.owner !== owner) throw new BluechiError(ErrorCodes.NOT_FOUND, Messages.monitorNotFound(id));
    return m;
  }

  /** Subscribes to `units` on `node` (either may be `*`) under one subscription id. */
  subscribe(m: Monitor, node: string, units: readonly string[]): number {
    if (m.closed) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.monitorAlreadyClosed);
    let held = 0;
    for (const subs of m.subscriptions.values()) held += subs.length;
    if (held + units.length > MAX_UNITS_PER_MONITOR) {
      throw new BluechiError(ErrorCodes.TOO_MANY_REQUESTS, `too many subscriptions for one monitor (${MAX_UNITS_PER_MONITOR} units)`);
    }
    const id = this.nextSubscriptionId++;
    const subs = [...new Set(units)].map((unit) => this.units.subscribe(node, unit, m.listener));
    m.subscriptions.set(id, subs);
    this.log.debug({ monitor: m.id, subscription: id, node, units }, `Monitor ${m.id} subscribed to ${units.join(',')} on ${node}`);
    return id;
  }

  unsubscribe(m: Monitor, subscriptionId: number): void {
    const subs = m.subscriptions.get(subscriptionId);
    if (!subs) throw new BluechiError(ErrorCodes.NOT_FOUND, Messages.subscriptionNotFound(subscriptionId));
    m.subscriptions.delete(subscriptionId);
    for (const s of subs) this.units.unsubscribe(s);
  }

  close(m: Monitor): void {
    if (m.closed) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.monitorAlreadyClosed);
    m.closed = true;
    for (const subs of m.subscriptions.values()) for (const s of subs) this.units.unsubscribe(s);
    m.subscriptions.clear();
    this.monitors.delete(m.id);
    this.log.debug({ monitor: m.id }, `Closed monitor ${m.path}`);
  }

  /** Closes every monitor of a session that went away. */
  closeOwnedBy(owner: number): number {
    let n = 0;
    for (const m of [...this.monitors.values()]) {
      if (m.owner !== owner) continue;
      this.close(m);
      n++;
    }
    return n;
  }
}
