import { describe, expect, it } from 'vitest';
import { createLogger } from '@bluechi-ts/protocol/logging';
import type { AgentPeer } from './agent-peer.js';
import { NodeRegistry } from './node-registry.js';
import { UnitSubscriptions, type UnitEvent } from './unit-subscriptions.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });

/** Real nodes whose agents are fake peers that record every call as "node Method unit". */
function setup(names = ['n1', 'n2']) {
  const registry = new NodeRegistry(names.map((name) => ({ name, allowDependenciesOn: [] })));
  const units = new UnitSubscriptions(registry, log);
  const calls: string[] = [];
  const peers = new Map<string, AgentPeer>();
  const attach = (name: string) => {
    const node = registry.require(name);
    const peer = {
      call: (method: string, params: { unit: string }) => {
        calls.push(`${name} ${method} ${params.unit}`);
        return Promise.resolve({});
      },
      notify: () => {},
    } as unknown as AgentPeer;
    peers.set(name, peer);
    node.attach(peer, '', 0, 0, 0);
    units.nodeAttached(node);
  };
  const detach = (name: string) => {
    const node = registry.require(name);
    node.detach(peers.get(name)!);
    units.nodeDetached(node);
  };
  return { registry, units, calls, attach, detach };
}

/** A listener that records events as short strings. */
function recorder() {
  const seen: string[] = [];
  const listener = (e: UnitEvent) => {
    const tail = e.kind === 'UnitStateChanged' ? ` ${e.activeState}/${e.subState}` : e.kind === 'UnitPropertiesChanged' ? ` ${e.interface}` : '';
    seen.push(`${e.kind} ${e.node} ${e.unit}${tail}${'reason' in e ? ` ${e.reason}` : ''}`);
  };
  return { seen, listener };
}

const stateChanged = (node: string, unit: string, activeState: string, subState: string): UnitEvent => ({
  kind: 'UnitStateChanged',
  node,
  unit,
  activeState,
  subState,
  reason: 'real',
});

describe('UnitSubscriptions: agent subscriptions', () => {
  it('subscribes the agent once per (node, unit) however many listeners, and unsubscribes after the last', () => {
    const { units, calls, attach } = setup();
    attach('n1');
    const subs = [1, 2, 3].map(() => units.subscribe('n1', 'a.service', recorder().listener));
    expect(calls).toEqual(['n1 Subscribe a.service']);
    expect(units.agentSubscriptions('n1')).toEqual(new Map([['a.service', 3]]));
    units.unsubscribe(subs[0]!);
    units.unsubscribe(subs[1]!);
    expect(calls).toEqual(['n1 Subscribe a.service']);
    units.unsubscribe(subs[2]!);
    expect(calls).toEqual(['n1 Subscribe a.service', 'n1 Unsubscribe a.service']);
    expect(units.agentSubscriptions('n1').size).toBe(0);
    expect(units.size).toBe(0);
  });

  it('unsubscribing the same subscription twice counts once', () => {
    const { units, calls, attach } = setup();
    attach('n1');
    const a = units.subscribe('n1', 'a.service', recorder().listener);
    units.subscribe('n1', 'a.service', recorder().listener);
    units.unsubscribe(a);
    units.unsubscribe(a);
    expect(calls).toEqual(['n1 Subscribe a.service']);
    expect(units.agentSubscriptions('n1')).toEqual(new Map([['a.service', 1]]));
  });

  it('a `*` node covers every configured node, online now or later', () => {
    const { units, calls, attach } = setup(['n1', 'n2', 'n3']);
    attach('n1');
    const sub = units.subscribe('*', 'a.service', recorder().listener);
    expect(calls).toEqual(['n1 Subscribe a.service']);
    expect(units.agentSubscriptions('n2')).toEqual(new Map([['a.service', 1]]));
    attach('n3');
    expect(calls).toEqual(['n1 Subscribe a.service', 'n3 Subscribe a.service']);
    units.unsubscribe(sub);
    expect(calls.slice(2).sort()).toEqual(['n1 Unsubscribe a.service', 'n3 Unsubscribe a.service']);
    expect(units.agentSubscriptions('n2').size).toBe(0);
  });

  it('a `*` node and a named node share one agent subscription', () => {
    const { units, calls, attach } = setup();
    attach('n1');
    const all = units.subscribe('*', 'a.service', recorder().listener);
    const one = units.subscribe('n1', 'a.service', recorder().listener);
    units.unsubscribe(all);
    expect(calls).toEqual(['n1 Subscribe a.service']);
    units.unsubscribe(one);
    expect(calls).toEqual(['n1 Subscribe a.service', 'n1 Unsubscribe a.service']);
  });

  it('sends everything wanted again when the node attaches, and nothing while it is offline', () => {
    const { units, calls, attach, detach } = setup();
    units.subscribe('n1', 'a.service', recorder().listener);
    units.subscribe('n1', 'b.service', recorder().listener);
    units.subscribe('n1', '*', recorder().listener);
    expect(calls).toEqual([]);
    attach('n1');
    expect(calls).toEqual(['n1 Subscribe a.service', 'n1 Subscribe b.service', 'n1 Subscribe *']);
    detach('n1');
    attach('n1');
    expect(calls.slice(3)).toEqual(['n1 Subscribe a.service', 'n1 Subscribe b.service', 'n1 Subscribe *']);
  });

  it('a node that is not configured yields no agent subscription', () => {
    const { units, calls } = setup();
    const sub = units.subscribe('nosuch', 'a.service', recorder().listener);
    expect(units.size).toBe(1);
    units.unsubscribe(sub);
    expect(calls).toEqual([]);
    expect(units.size).toBe(0);
  });
});

describe('UnitSubscriptions: events', () => {
  it('delivers agent events to the listeners whose subscriptions match, `*` units included', () => {
    const { units, attach } = setup();
    attach('n1');
    attach('n2');
    const a = recorder();
    const all = recorder();
    const other = recorder();
    units.subscribe('n1', 'a.service', a.listener);
    units.subscribe('n1', '*', all.listener);
    units.subscribe('n2', 'a.service', other.listener);
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    units.agentEvent(stateChanged('n1', 'b.service', 'active', 'running'));
    expect(a.seen).toEqual(['UnitStateChanged n1 a.service active/running real']);
    expect(all.seen).toEqual([
      'UnitNew n1 * virtual',
      'UnitStateChanged n1 a.service active/running real',
      'UnitStateChanged n1 b.service active/running real',
    ]);
    expect(other.seen).toEqual([]);
  });

  it('a listener matched by several subscriptions gets each event once', () => {
    const { units, attach } = setup();
    attach('n1');
    const r = recorder();
    units.subscribe('n1', 'a.service', r.listener);
    units.subscribe('*', 'a.service', r.listener);
    units.subscribe('n1', '*', r.listener);
    units.subscribe('*', '*', r.listener);
    r.seen.length = 0;
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    units.agentEvent({ kind: 'UnitPropertiesChanged', node: 'n1', unit: 'a.service', interface: 'org.freedesktop.systemd1.Service', properties: {}, signatures: {} });
    expect(r.seen).toEqual(['UnitStateChanged n1 a.service active/running real', 'UnitPropertiesChanged n1 a.service org.freedesktop.systemd1.Service']);
  });

  it('a listener that throws does not keep the event from the others', () => {
    const { units, attach } = setup();
    attach('n1');
    const r = recorder();
    units.subscribe('n1', 'a.service', () => {
      throw new Error('listener bug');
    });
    units.subscribe('n1', 'a.service', r.listener);
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    expect(r.seen).toEqual(['UnitStateChanged n1 a.service active/running real']);
  });

  it('a `*` unit subscription gets a virtual UnitNew for `*` of every online node, at once and on attach', () => {
    const { units, attach } = setup(['n1', 'n2', 'n3']);
    attach('n1');
    attach('n2');
    const r = recorder();
    const named = recorder();
    units.subscribe('*', '*', r.listener);
    units.subscribe('n3', 'a.service', named.listener);
    expect(r.seen).toEqual(['UnitNew n1 * virtual', 'UnitNew n2 * virtual']);
    attach('n3');
    expect(r.seen).toEqual(['UnitNew n1 * virtual', 'UnitNew n2 * virtual', 'UnitNew n3 * virtual']);
    expect(named.seen).toEqual([]);
  });

  it('a second listener on a known unit gets a virtual UnitNew and the last state from the cache', () => {
    const { units, calls, attach } = setup();
    attach('n1');
    const first = recorder();
    units.subscribe('n1', 'a.service', first.listener);
    units.agentEvent({ kind: 'UnitNew', node: 'n1', unit: 'a.service', reason: 'virtual' });
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    const second = recorder();
    units.subscribe('n1', 'a.service', second.listener);
    expect(second.seen).toEqual(['UnitNew n1 a.service virtual', 'UnitStateChanged n1 a.service active/running virtual']);
    expect(first.seen).toEqual(['UnitNew n1 a.service virtual', 'UnitStateChanged n1 a.service active/running real']);
    expect(calls).toEqual(['n1 Subscribe a.service']);
  });

  it('a unit reported through `*` is known to a later listener of that unit', () => {
    const { units, calls, attach } = setup();
    attach('n1');
    units.subscribe('n1', 'a.service', recorder().listener);
    units.subscribe('n1', '*', recorder().listener);
    units.agentEvent({ kind: 'UnitNew', node: 'n1', unit: 'a.service', reason: 'real' });
    const later = recorder();
    units.subscribe('n1', 'a.service', later.listener);
    expect(later.seen).toEqual(['UnitNew n1 a.service virtual', 'UnitStateChanged n1 a.service inactive/dead virtual']);
    expect(calls).toEqual(['n1 Subscribe a.service', 'n1 Subscribe *']);
  });

  it('nothing virtual for a unit that was removed, or that nobody watches any more', () => {
    const { units, attach } = setup();
    attach('n1');
    const s = units.subscribe('n1', 'a.service', recorder().listener);
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    units.agentEvent({ kind: 'UnitRemoved', node: 'n1', unit: 'a.service', reason: 'real' });
    const afterRemoval = recorder();
    const keep = units.subscribe('n1', 'a.service', afterRemoval.listener);
    expect(afterRemoval.seen).toEqual([]);
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    units.unsubscribe(s);
    units.unsubscribe(keep);
    units.subscribe('n1', 'a.service', recorder().listener);
    const second = recorder();
    units.subscribe('n1', 'a.service', second.listener);
    expect(second.seen).toEqual([]);
  });
});

describe('UnitSubscriptions: node detach', () => {
  it('reports known units agent-offline (unless inactive), then removed, and `*` likewise', () => {
    const { units, attach, detach } = setup();
    attach('n1');
    const r = recorder();
    units.subscribe('n1', 'a.service', r.listener);
    units.subscribe('n1', 'b.service', r.listener);
    units.subscribe('n1', '*', r.listener);
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    units.agentEvent({ kind: 'UnitNew', node: 'n1', unit: 'b.service', reason: 'virtual' });
    r.seen.length = 0;
    detach('n1');
    expect(r.seen).toEqual([
      'UnitStateChanged n1 a.service inactive/agent-offline virtual',
      'UnitRemoved n1 a.service virtual',
      'UnitRemoved n1 b.service virtual',
      'UnitStateChanged n1 * inactive/agent-offline virtual',
      'UnitRemoved n1 * virtual',
    ]);
  });

  it('reports nothing for units never reported loaded, and nothing `*` without a `*` subscription', () => {
    const { units, attach, detach } = setup();
    attach('n1');
    const r = recorder();
    units.subscribe('n1', 'a.service', r.listener);
    detach('n1');
    expect(r.seen).toEqual([]);
  });

  it('forgets the units of a detached node: after reattaching, a second listener gets nothing virtual until the agent reports', () => {
    const { units, attach, detach } = setup();
    attach('n1');
    units.subscribe('n1', 'a.service', recorder().listener);
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    detach('n1');
    attach('n1');
    const r = recorder();
    units.subscribe('n1', 'a.service', r.listener);
    expect(r.seen).toEqual([]);
  });

  it('only the detached node is reported', () => {
    const { units, attach, detach } = setup();
    attach('n1');
    attach('n2');
    const r = recorder();
    units.subscribe('*', 'a.service', r.listener);
    units.agentEvent(stateChanged('n1', 'a.service', 'active', 'running'));
    units.agentEvent(stateChanged('n2', 'a.service', 'active', 'running'));
    r.seen.length = 0;
    detach('n2');
    expect(r.seen).toEqual(['UnitStateChanged n2 a.service inactive/agent-offline virtual', 'UnitRemoved n2 a.service virtual']);
  });
});
