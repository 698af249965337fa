import { describe, expect, it } from 'vitest';
import { DependencyCounter, type DepAction } from './dependency-counter.js';

const kinds = (a: DepAction[]) => a.map((x) => `${x.kind} ${x.node}:${x.unit}`);
const t = { node: 'worker2', unit: 'target.service' };

describe('DependencyCounter', () => {
  it('subscribes and starts the dep for the first proxy, only starts it for later ones', () => {
    const c = new DependencyCounter();
    expect(kinds(c.add({ requester: 'worker1', proxyId: 1 }, t))).toEqual(['Subscribe worker2:target.service', 'StartDep worker2:target.service']);
    expect(kinds(c.add({ requester: 'main', proxyId: 1 }, t))).toEqual(['StartDep worker2:target.service']);
    expect(c.count(t)).toBe(2);
  });

  it('stops the dep only when the last requester across nodes releases it', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'worker1', proxyId: 1 }, t);
    c.add({ requester: 'main', proxyId: 7 }, t);
    expect(c.remove({ requester: 'worker1', proxyId: 1 })).toEqual([]);
    expect(kinds(c.remove({ requester: 'main', proxyId: 7 }))).toEqual(['StopDep worker2:target.service', 'Unsubscribe worker2:target.service']);
    expect(c.count(t)).toBe(0);
  });

  it('counts two proxies of one node separately', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'main', proxyId: 1 }, t);
    c.add({ requester: 'main', proxyId: 2 }, t);
    expect(c.remove({ requester: 'main', proxyId: 2 })).toEqual([]);
    expect(kinds(c.remove({ requester: 'main', proxyId: 1 }))).toContain('StopDep worker2:target.service');
  });

  it('ignores removal of an unknown proxy', () => {
    expect(new DependencyCounter().remove({ requester: 'main', proxyId: 3 })).toEqual([]);
  });

  it('re-announcing a proxy does not double count it', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'main', proxyId: 1 }, t);
    const again = c.add({ requester: 'main', proxyId: 1 }, t);
    expect(kinds(again)).toEqual(['StartDep worker2:target.service']);
    expect(c.count(t)).toBe(1);
  });

  it('releases everything a disconnected requester held', () => {
    const c = new DependencyCounter();
    const t2 = { node: 'worker1', unit: 'other.service' };
    c.add({ requester: 'main', proxyId: 1 }, t);
    c.add({ requester: 'main', proxyId: 2 }, t2);
    c.add({ requester: 'worker1', proxyId: 1 }, t);
    expect(kinds(c.removeRequester('main'))).toEqual(['StopDep worker1:other.service', 'Unsubscribe worker1:other.service']);
    expect(c.count(t)).toBe(1);
    expect(c.proxiesFrom('main')).toEqual([]);
  });

  it('starts the deps again on a target node that reconnects (its subscriptions are the multiplexer\'s)', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'main', proxyId: 1 }, t);
    c.add({ requester: 'worker1', proxyId: 4 }, t);
    c.add({ requester: 'main', proxyId: 2 }, { node: 'worker1', unit: 'x.service' });
    expect(c.resend('worker2').map((a) => [a.kind, a.unit, a.reason])).toEqual([
      ['StartDep', 'target.service', "node 'worker2' connected; 2 dependencies on target.service"],
    ]);
  });

  it('explains each action', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'worker1', proxyId: 1 }, t);
    const [start] = c.add({ requester: 'main', proxyId: 9 }, t);
    expect(start!.reason).toBe("node 'main' (proxy 9) also needs target.service on worker2 (2 dependencies)");
    c.remove({ requester: 'worker1', proxyId: 1 });
    const [stop] = c.remove({ requester: 'main', proxyId: 9 });
    expect(stop!.reason).toBe("last dependency on target.service on worker2 released by node 'main' (proxy 9)");
  });

  it('lists the proxies waiting on a target', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'worker1', proxyId: 1 }, t);
    c.add({ requester: 'main', proxyId: 2 }, t);
    expect(c.proxiesOf(t)).toEqual([
      { requester: 'worker1', proxyId: 1 },
      { requester: 'main', proxyId: 2 },
    ]);
  });
});

describe('DependencyCounter.rekey', () => {
  it('moves a proxy to a new id without changing the count or the target', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'main', proxyId: 1 }, t);
    c.add({ requester: 'worker1', proxyId: 1 }, t);
    expect(c.rekey({ requester: 'main', proxyId: 1 }, 900)).toBe(true);
    expect(c.count(t)).toBe(2);
    expect(c.targetOf({ requester: 'main', proxyId: 900 })).toEqual(t);
    expect(c.targetOf({ requester: 'main', proxyId: 1 })).toBeUndefined();
    expect(c.remove({ requester: 'main', proxyId: 900 })).toEqual([]);
    expect(kinds(c.remove({ requester: 'worker1', proxyId: 1 }))).toContain('StopDep worker2:target.service');
  });

  it('refuses an unknown proxy and an id that is taken', () => {
    const c = new DependencyCounter();
    c.add({ requester: 'main', proxyId: 1 }, t);
    c.add({ requester: 'main', proxyId: 2 }, { node: 'worker2', unit: 'other.service' });
    expect(c.rekey({ requester: 'main', proxyId: 5 }, 6)).toBe(false);
    expect(c.rekey({ requester: 'main', proxyId: 1 }, 2)).toBe(false);
    expect(c.count(t)).toBe(1);
  });
});
