/**
 * Monitors for API clients: each belongs to the session that created it, and
 * its events arrive there as UnitNew, UnitRemoved, UnitStateChanged and
 * UnitPropertiesChanged signals carrying the monitor's id.
 */
import { assertUnitName } from '@bluechi-ts/protocol';
import type { MonitorSink } from '../monitors.js';
import { WILDCARD } from '../unit-subscriptions.js';
import { watchOnce, type ApiSession, type OperationsFor, type Services } from './context.js';

function checkUnits(units: readonly string[]): void {
  for (const u of units) if (u !== WILDCARD) assertUnitName(u);
}

function sinkFor(session: ApiSession): MonitorSink {
  return (monitorId, e) => {
    switch (e.kind) {
      case 'UnitNew':
      case 'UnitRemoved':
        session.signal(e.kind, { monitorId, node: e.node, unit: e.unit, reason: e.reason });
        return;
      case 'UnitStateChanged':
        session.signal(e.kind, { monitorId, node: e.node, unit: e.unit, activeState: e.activeState, subState: e.subState, reason: e.reason });
        return;
      case 'UnitPropertiesChanged':
        session.signal(e.kind, {
          monitorId,
          node: e.node,
          unit: e.unit,
          interface: e.interface,
          properties: e.properties,
          signatures: e.signatures,
        });
    }
  };
}

export function monitorOperations(s: Services): OperationsFor<'CreateMonitor' | 'Subscribe' | 'SubscribeList' | 'Unsubscribe' | 'CloseMonitor'> {
  const warnUnknown = (node: string) => {
    if (node !== WILDCARD && !s.registry.find(node)) s.log.warn({ node }, `Monitor subscribed to node '${node}', which is not configured`);
  };
  return {
    CreateMonitor: (_p, { session }) => {
      watchOnce(session, 'monitors', () => () => s.monitors.closeOwnedBy(session.id));
      const m = s.monitors.create(session.id, sinkFor(session));
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
  };
}
