/**
 * Monitors (reference §2.4, §6): a monitor belongs to one API session, holds
 * subscriptions on the unit multiplexer, and hands each matching event to its
 * sink once, however many of its subscriptions match. Monitor ids count from
 * 1, peer ids (controller-wide) from 1; subscription ids from 2, as upstream numbers them. Closing the owner's
 * session closes its monitors.
 */
import { EventEmitter } from 'node:events';
import { BluechiError, ErrorCodes, Messages, monitorObjectPath } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { Subscription, UnitEvent, UnitSubscriptions } from './unit-subscriptions.js';

/** Monitors one API session may hold at once. */
export const MAX_MONITORS_PER_SESSION = 64;
/** Peers one monitor may have. */
export const MAX_PEERS_PER_MONITOR = 64;
/** Unit subscriptions (counting each unit of a SubscribeList) one monitor may hold. */
export const MAX_UNITS_PER_MONITOR = 4096;

/** A unique bus name, `:` then at least two dot-separated elements of [A-Za-z0-9_-] (the D-Bus specification). */
const UNIQUE_NAME = /^:[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

/** Where a monitor's events go: its owner and each of its peers (the adapter knows how to reach them). */
export interface MonitorSink {
  /** One event for the owner and every peer. */
  event(m: Monitor, e: UnitEvent): void;
  /** `peer` stops receiving this monitor's events, told `reason`. */
  peerRemoved(m: Monitor, peer: string, reason: string): void;
}

export class Monitor {
  /** Subscription id -> the multiplexer subscriptions it stands for (several for SubscribeList). */
  readonly subscriptions = new Map<number, Subscription[]>();
  /** Peer id -> the peer's client name. */
  readonly peers = new Map<number, string>();
  closed = false;

  constructor(
    readonly id: number,
    /** The API session that created it. */
    readonly owner: number,
    /** The owner's client name (its D-Bus unique name). */
    readonly ownerName: string,
    readonly sink: MonitorSink,
  ) {}

  get path(): string {
    return monitorObjectPath(this.id);
  }

  readonly listener = (e: UnitEvent): void => {
    if (!this.closed) this.sink.event(this, e);
  };
}

/** Emits `closed` for every monitor closed, however it closed (Close, its owner leaving). */
export class MonitorRegistry extends EventEmitter<{ closed: [m: Monitor] }> {
  private nextMonitorId = 1;
  private nextSubscriptionId = 2;
  /** Peer ids are controller-wide, from 1, as upstream counts them. */
  private nextPeerId = 1;
  private readonly monitors = new Map<number, Monitor>();

  constructor(
    private readonly units: UnitSubscriptions,
    private readonly log: Logger,
    /** Monitors per client and unit subscriptions per monitor (`MaxMonitorsPerClient=`, `MaxSubscriptionsPerMonitor=`). */
    private readonly limits: { monitorsPerClient: number; unitsPerMonitor: number } = {
      monitorsPerClient: MAX_MONITORS_PER_SESSION,
      unitsPerMonitor: MAX_UNITS_PER_MONITOR,
    },
  ) {
    super();
  }

  get size(): number {
    return this.monitors.size;
  }

  /** TOO_MANY_REQUESTS when the session already holds MAX_MONITORS_PER_SESSION. */
  create(owner: number, ownerName: string, sink: MonitorSink): Monitor {
    let held = 0;
    for (const m of this.monitors.values()) if (m.owner === owner) held++;
    if (held >= this.limits.monitorsPerClient) {
      throw new BluechiError(ErrorCodes.TOO_MANY_REQUESTS, `too many monitors for one client (${this.limits.monitorsPerClient}, MaxMonitorsPerClient=)`);
    }
    const m = new Monitor(this.nextMonitorId++, owner, ownerName, sink);
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
    if (held + units.length > this.limits.unitsPerMonitor) {
      throw new BluechiError(ErrorCodes.TOO_MANY_REQUESTS, `too many subscriptions for one monitor (${this.limits.unitsPerMonitor} units, MaxSubscriptionsPerMonitor=)`);
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

  /**
   * `peer` receives this monitor's events too, under the returned id.
   * INVALID_ARGS for a name that is not a unique bus name, the owner's, or one already added.
   */
  addPeer(m: Monitor, peer: string): number {
    if (m.closed) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.monitorAlreadyClosed);
    if (!UNIQUE_NAME.test(peer) || peer.length > 255) throw new BluechiError(ErrorCodes.INVALID_ARGS, Messages.invalidPeerName(peer));
    if (peer === m.ownerName) throw new BluechiError(ErrorCodes.INVALID_ARGS, Messages.peerIsOwner);
    for (const name of m.peers.values()) {
      if (name === peer) throw new BluechiError(ErrorCodes.INVALID_ARGS, Messages.peerAlreadyAdded(peer));
    }
    if (m.peers.size >= MAX_PEERS_PER_MONITOR) {
      throw new BluechiError(ErrorCodes.TOO_MANY_REQUESTS, `too many peers for one monitor (${MAX_PEERS_PER_MONITOR})`);
    }
    const id = this.nextPeerId++;
    m.peers.set(id, peer);
    this.log.debug({ monitor: m.id, peer }, `Monitor ${m.id} added peer ${peer}`);
    return id;
  }

  /** Stops delivery to peer `id`, which is told `reason`; NOT_FOUND for an unknown id. */
  removePeer(m: Monitor, id: number, reason: string): void {
    const peer = m.peers.get(id);
    if (peer === undefined) throw new BluechiError(ErrorCodes.NOT_FOUND, Messages.peerNotFound(id));
    m.peers.delete(id);
    m.sink.peerRemoved(m, peer, reason);
  }

  /** A client went away: it is nobody's peer any more (it is not told). */
  forgetPeer(name: string): void {
    for (const m of this.monitors.values()) {
      for (const [id, peer] of m.peers) if (peer === name) m.peers.delete(id);
    }
  }

  close(m: Monitor): void {
    if (m.closed) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.monitorAlreadyClosed);
    m.closed = true;
    for (const peer of m.peers.values()) m.sink.peerRemoved(m, peer, Messages.monitorClosedReason);
    m.peers.clear();
    for (const subs of m.subscriptions.values()) for (const s of subs) this.units.unsubscribe(s);
    m.subscriptions.clear();
    this.monitors.delete(m.id);
    this.log.debug({ monitor: m.id }, `Closed monitor ${m.path}`);
    this.emit('closed', m);
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
