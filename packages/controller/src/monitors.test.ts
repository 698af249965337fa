import { describe, expect, it } from 'vitest';
import { createLogger } from '@bluechi-ts/protocol/logging';
import type { AgentPeer } from './agent-peer.js';
import { MAX_MONITORS_PER_SESSION, MAX_UNITS_PER_MONITOR, MonitorRegistry, type MonitorSink } from './monitors.js';
import { NodeRegistry } from './node-registry.js';
import { UnitSubscriptions, type UnitEvent } from './unit-subscriptions.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });

function setup() {
  const registry = new NodeRegistry([{ name: 'n1', allowDependenciesOn: [] }]);
  const calls: string[] = [];
  const peer = {
    call: (method: string, p: { unit: string }) => {
      calls.push(`${method} ${p.unit}`);
      return Promise.resolve({});
    },
  } as unknown as AgentPeer;
  registry.require('n1').attach(peer, '', 0, 0, 0);
  const units = new UnitSubscriptions(registry, log);
  const monitors = new MonitorRegistry(units, log);
  const events: string[] = [];
  const sink: MonitorSink = {
    event: (m, e) => events.push(`${m.id} ${e.kind} ${e.node} ${e.unit}`),
    peerRemoved: (m, peer, reason) => events.push(`${m.id} PeerRemoved ${peer} ${reason}`),
  };
  return { units, monitors, calls, events, sink };
}

const state = (unit: string): UnitEvent => ({ kind: 'UnitStateChanged', node: 'n1', unit, activeState: 'active', subState: 'running', reason: 'real' });

describe('MonitorRegistry', () => {
  it('numbers monitors from 1 and subscriptions from 2, as upstream does', () => {
    const { monitors, sink } = setup();
    const a = monitors.create(7, ':1.7', sink);
    const b = monitors.create(8, ':1.8', sink);
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(a.path).toBe('/org/eclipse/bluechi/monitor/1');
    expect(monitors.subscribe(a, 'n1', ['a.service'])).toBe(2);
    expect(monitors.subscribe(b, 'n1', ['a.service'])).toBe(3);
    expect(monitors.subscribe(a, '*', ['*'])).toBe(4);
    expect(monitors.size).toBe(2);
  });

  it("hides another session's monitor: NOT_FOUND", () => {
    const { monitors, sink } = setup();
    const m = monitors.create(1, ':1.1', sink);
    expect(monitors.get(m.id, 1)).toBe(m);
    expect(() => monitors.get(m.id, 2)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: "Monitor '1' not found" }));
    expect(() => monitors.get(99, 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: "Monitor '99' not found" }));
  });

  it("closing twice is INVALID_STATE 'Monitor already closed', and a closed monitor is gone", () => {
    const { monitors, sink } = setup();
    const m = monitors.create(1, ':1.1', sink);
    monitors.close(m);
    expect(() => monitors.close(m)).toThrow(expect.objectContaining({ code: 'INVALID_STATE', message: 'Monitor already closed' }));
    expect(() => monitors.subscribe(m, 'n1', ['a.service'])).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => monitors.get(m.id, 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(monitors.size).toBe(0);
  });

  it("an unknown subscription is NOT_FOUND \"Subscription 'N' not found\"", () => {
    const { monitors, sink } = setup();
    const m = monitors.create(1, ':1.1', sink);
    const other = monitors.create(1, ':1.1', sink);
    const id = monitors.subscribe(other, 'n1', ['a.service']);
    expect(() => monitors.unsubscribe(m, 9)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: "Subscription '9' not found" }));
    expect(() => monitors.unsubscribe(m, id)).toThrow(expect.objectContaining({ message: `Subscription '${id}' not found` }));
    monitors.unsubscribe(other, id);
    expect(() => monitors.unsubscribe(other, id)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('hands each event to the sink once, with the monitor id, however many subscriptions match', () => {
    const { units, monitors, events, sink } = setup();
    const m = monitors.create(1, ':1.1', sink);
    monitors.subscribe(m, 'n1', ['a.service']);
    monitors.subscribe(m, '*', ['a.service', 'b.service']);
    monitors.subscribe(m, 'n1', ['*']);
    events.length = 0;
    units.agentEvent(state('a.service'));
    units.agentEvent(state('c.service'));
    expect(events).toEqual(['1 UnitStateChanged n1 a.service', '1 UnitStateChanged n1 c.service']);
  });

  it('unsubscribing a list drops every unit of it from the agent', () => {
    const { units, monitors, calls, sink } = setup();
    const m = monitors.create(1, ':1.1', sink);
    const id = monitors.subscribe(m, 'n1', ['a.service', 'b.service', 'a.service']);
    expect(calls).toEqual(['Subscribe a.service', 'Subscribe b.service']);
    monitors.unsubscribe(m, id);
    expect(calls.slice(2)).toEqual(['Unsubscribe a.service', 'Unsubscribe b.service']);
    expect(units.size).toBe(0);
  });

  it('closes only the monitors of a session that went away, and their subscriptions', () => {
    const { units, monitors, calls, events, sink } = setup();
    const mine = [monitors.create(1, ':1.1', sink), monitors.create(1, ':1.1', sink)];
    const theirs = monitors.create(2, ':1.2', sink);
    monitors.subscribe(mine[0]!, 'n1', ['a.service']);
    monitors.subscribe(mine[1]!, 'n1', ['b.service']);
    monitors.subscribe(theirs, 'n1', ['b.service']);
    expect(monitors.closeOwnedBy(1)).toBe(2);
    expect(monitors.size).toBe(1);
    expect(mine.map((m) => m.closed)).toEqual([true, true]);
    expect(calls).toEqual(['Subscribe a.service', 'Subscribe b.service', 'Unsubscribe a.service']);
    expect(units.size).toBe(1);
    units.agentEvent(state('b.service'));
    expect(events).toEqual(['3 UnitStateChanged n1 b.service']);
    expect(monitors.closeOwnedBy(1)).toBe(0);
  });

  it(`allows ${MAX_MONITORS_PER_SESSION} monitors per session`, () => {
    const { monitors, sink } = setup();
    for (let i = 0; i < MAX_MONITORS_PER_SESSION; i++) monitors.create(1, ':1.1', sink);
    expect(() => monitors.create(1, ':1.1', sink)).toThrow(expect.objectContaining({ code: 'TOO_MANY_REQUESTS' }));
    expect(monitors.create(2, ':1.2', sink).id).toBe(MAX_MONITORS_PER_SESSION + 1);
    monitors.closeOwnedBy(1);
    expect(monitors.create(1, ':1.1', sink).owner).toBe(1);
  });

  it(`allows ${MAX_UNITS_PER_MONITOR} units per monitor`, () => {
    const { units, monitors, sink } = setup();
    const m = monitors.create(1, ':1.1', sink);
    const names = Array.from({ length: MAX_UNITS_PER_MONITOR - 1 }, (_, i) => `u${i}.service`);
    monitors.subscribe(m, 'n1', names);
    const last = monitors.subscribe(m, 'n1', ['last.service']);
    expect(() => monitors.subscribe(m, 'n1', ['one-too-many.service'])).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_REQUESTS', message: `too many subscriptions for one monitor (${MAX_UNITS_PER_MONITOR} units, MaxSubscriptionsPerMonitor=)` }),
    );
    expect(units.size).toBe(MAX_UNITS_PER_MONITOR);
    monitors.unsubscribe(m, last);
    monitors.subscribe(m, 'n1', ['one-more.service']);
  });
});
