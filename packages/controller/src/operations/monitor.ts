/**
 * Monitors for API clients: each belongs to the session that created it, and
 * its events arrive there as UnitNew, UnitRemoved, UnitStateChanged and
 * UnitPropertiesChanged signals carrying the monitor's id.
 */
import { assertUnitName, type ApiSignals, type SignalParamsOf } from '@bluechi-ts/protocol';
import type { Monitor, MonitorSink } from '../monitors.js';
import { WILDCARD } from '../unit-subscriptions.js';
import { watchOnce, type ApiSession, type OperationsFor, type Services } from './context.js';

function checkUnits(units: readonly string[]): void {
  for (const u of units) if (u !== WILDCARD) assertUnitName(u);
}

/** Unit events as API signals, for the owner and each peer of a monitor. */
function sinkFor(session: ApiSession): MonitorSink {
  const toAll = <S extends 'UnitNew' | 'UnitRemoved' | 'UnitStateChanged' | 'UnitPropertiesChanged'>(
    m: Monitor,
    name: S,
    params: SignalParamsOf<typeof ApiSignals, S>,
  ) => {
    session.signal(name, params);
    for (const peer of m.peers.values()) session.signalPeer(peer, name, params);
  };
  return {
    event: (m, e) => {
      const monitorId = m.id;
      switch (e.kind) {
        case 'UnitNew':
        case 'UnitRemoved':
          toAll(m, e.kind, { monitorId, node: e.node, unit: e.unit, reason: e.reason });
          return;
        case 'UnitStateChanged':
          toAll(m, e.kind, { monitorId, node: e.node, unit: e.unit, activeState: e.activeState, subState: e.subState, reason: e.reason });
          return;
        case 'UnitPropertiesChanged':
          toAll(m, e.kind, { monitorId, node: e.node, unit: e.unit, interface: e.interface, properties: e.properties, signatures: e.signatures });
      }
    },
    peerRemoved: (m, peer, reason) => session.signalPeer(peer, 'PeerRemoved', { monitorId: m.id, reason }),
  };
}

export function monitorOperations(s: Services): OperationsFor<'CreateMonitor' | 'Subscribe' | 'SubscribeList' | 'Unsubscribe' | 'CloseMonitor' | 'AddPeer' | 'RemovePeer'> {
  const warnUnknown = (node: string) => {
    if (node !== WILDCARD && !s.registry.find(node)) s.log.warn({ node }, `Monitor subscribed to node '${node}', which is not configured`);
  };
  return {
    CreateMonitor: (_p, { session }) => {
      watchOnce(session, 'monitors', () => () => s.monitors.closeOwnedBy(session.id));
      const m = s.monitors.create(session.id, session.name, sinkFor(session));
      return { monitorId: m.id, path: m.path };
    },
    Subscribe: ({ monitorId, node, unit }, { session }) => {
      const m = s.monitors.get(monitorId, session.id);
      checkUnits([unit]);
      warnUnknown(node);
      return { subscriptionId: s.monitors.subscribe(m, node, [unit]) };
    },
    SubscribeList: ({ monitorId, node, units }, { session }) => {
      const m = s.monitors.get(monitorId, session.id);
      checkUnits(units);
      warnUnknown(node);
      return { subscriptionId: s.monitors.subscribe(m, node, units) };
    },
    Unsubscribe: ({ monitorId, subscriptionId }, { session }) => {
      s.monitors.unsubscribe(s.monitors.get(monitorId, session.id), subscriptionId);
      return {};
    },
    CloseMonitor: ({ monitorId }, { session }) => {
      s.monitors.close(s.monitors.get(monitorId, session.id));
      return {};
    },
    AddPeer: ({ monitorId, peer }, { session }) => ({ peerId: s.monitors.addPeer(s.monitors.get(monitorId, session.id), peer) }),
    RemovePeer: ({ monitorId, peerId, reason }, { session }) => {
      s.monitors.removePeer(s.monitors.get(monitorId, session.id), peerId, reason);
      return {};
    },
  };
}
