import { describe, expect, it } from 'vitest';
import { createLogger } from '@bluechi-ts/protocol/logging';
import type { AgentPeer } from '../agent-peer.js';
import { JobRegistry } from '../jobs.js';
import { Metrics } from '../metrics.js';
import { MonitorRegistry } from '../monitors.js';
import { NodeRegistry } from '../node-registry.js';
import { UnitSubscriptions } from '../unit-subscriptions.js';
import type { ApiSession, OperationContext, Services } from './context.js';
import { apiOperations } from './index.js';

/** Runs an operation as the API edge does, so a synchronous throw is a rejection. */
const attempt = <T>(op: () => T) => Promise.resolve().then(op);

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });

function setup() {
  const registry = new NodeRegistry([{ name: 'n1', allowDependenciesOn: [] }]);
  const agentCalls: string[] = [];
  const peer = {
    call: async (method: string, params: { unit: string }) => {
      agentCalls.push(`${method} ${params.unit}`);
      return {};
    },
  } as unknown as AgentPeer;
  registry.require('n1').attach(peer, '', 0, 0, 0);
  const jobs = new JobRegistry();
  const units = new UnitSubscriptions(registry, log);
  const s: Services = {
    registry,
    jobs,
    units,
    monitors: new MonitorRegistry(units, log),
    metrics: new Metrics(registry, jobs, log),
    log,
    setLogLevel: () => {},
    isShuttingDown: () => false,
  };
  return { s, ops: apiOperations(s), agentCalls };
}

let nextId = 1;
function session() {
  const signals: string[] = [];
  const closers: Array<() => void> = [];
  const sess: ApiSession = { id: nextId++, signal: (name, p) => signals.push(`${name} ${JSON.stringify(p)}`), onClose: (c) => closers.push(c) };
  const ctx: OperationContext = { session: sess, signal: new AbortController().signal };
  return { ctx, signals, close: () => closers.splice(0).forEach((c) => c()) };
}

describe('monitor operations', () => {
  it('sends the events of a monitor to its session as signals carrying the monitor id', async () => {
    const { s, ops } = setup();
    const a = session();
    const { monitorId, path } = await ops.CreateMonitor({}, a.ctx);
    expect(path).toBe(`/org/eclipse/bluechi/monitor/${monitorId}`);
    await ops.Subscribe({ monitorId, node: 'n1', unit: 'a.service' }, a.ctx);
    s.units.agentEvent({ kind: 'UnitNew', node: 'n1', unit: 'a.service', reason: 'virtual' });
    s.units.agentEvent({ kind: 'UnitStateChanged', node: 'n1', unit: 'a.service', activeState: 'active', subState: 'running', reason: 'real' });
    s.units.agentEvent({ kind: 'UnitPropertiesChanged', node: 'n1', unit: 'a.service', interface: 'org.freedesktop.systemd1.Unit', properties: { X: 1 }, signatures: { X: 'u' } });
    s.units.agentEvent({ kind: 'UnitRemoved', node: 'n1', unit: 'a.service', reason: 'real' });
    const m = `"monitorId":${monitorId},"node":"n1","unit":"a.service"`;
    expect(a.signals).toEqual([
      `UnitNew {${m},"reason":"virtual"}`,
      `UnitStateChanged {${m},"activeState":"active","subState":"running","reason":"real"}`,
      `UnitPropertiesChanged {${m},"interface":"org.freedesktop.systemd1.Unit","properties":{"X":1},"signatures":{"X":"u"}}`,
      `UnitRemoved {${m},"reason":"real"}`,
    ]);
  });

  it("refuses another session's monitor as not found", async () => {
    const { ops } = setup();
    const a = session();
    const b = session();
    const { monitorId } = await ops.CreateMonitor({}, a.ctx);
    const notFound = { code: 'NOT_FOUND', message: `Monitor '${monitorId}' not found` };
    await expect(attempt(() => ops.Subscribe({ monitorId, node: 'n1', unit: 'a.service' }, b.ctx))).rejects.toMatchObject(notFound);
    await expect(attempt(() => ops.CloseMonitor({ monitorId }, b.ctx))).rejects.toMatchObject(notFound);
    await ops.CloseMonitor({ monitorId }, a.ctx);
    await expect(attempt(() => ops.CloseMonitor({ monitorId }, a.ctx))).rejects.toMatchObject(notFound);
  });

  it('checks unit names, allowing `*`', async () => {
    const { ops, agentCalls } = setup();
    const a = session();
    const { monitorId } = await ops.CreateMonitor({}, a.ctx);
    await expect(attempt(() => ops.SubscribeList({ monitorId, node: 'n1', units: ['a.service', 'bad name'] }, a.ctx))).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
    expect(agentCalls).toEqual([]);
    const { subscriptionId } = await ops.SubscribeList({ monitorId, node: '*', units: ['a.service', '*'] }, a.ctx);
    expect(agentCalls).toEqual(['Subscribe a.service', 'Subscribe *']);
    await ops.Unsubscribe({ monitorId, subscriptionId }, a.ctx);
    expect(agentCalls.slice(2)).toEqual(['Unsubscribe a.service', 'Unsubscribe *']);
  });

  it('accepts a node that is not configured; it yields nothing', async () => {
    const { ops, agentCalls } = setup();
    const a = session();
    const { monitorId } = await ops.CreateMonitor({}, a.ctx);
    expect((await ops.Subscribe({ monitorId, node: 'elsewhere', unit: '*' }, a.ctx)).subscriptionId).toBeGreaterThan(1);
    expect(agentCalls).toEqual([]);
    expect(a.signals).toEqual([]);
  });

  it("closes a session's monitors when it goes away, and only its own", async () => {
    const { s, ops, agentCalls } = setup();
    const a = session();
    const b = session();
    for (let i = 0; i < 3; i++) {
      const { monitorId } = await ops.CreateMonitor({}, a.ctx);
      await ops.Subscribe({ monitorId, node: 'n1', unit: `u${i}.service` }, a.ctx);
    }
    const theirs = await ops.CreateMonitor({}, b.ctx);
    await ops.Subscribe({ monitorId: theirs.monitorId, node: 'n1', unit: 'u0.service' }, b.ctx);
    a.close();
    expect(s.monitors.size).toBe(1);
    expect(agentCalls.filter((c) => c.startsWith('Unsubscribe'))).toEqual(['Unsubscribe u1.service', 'Unsubscribe u2.service']);
    b.close();
    expect(s.monitors.size).toBe(0);
    expect(s.units.size).toBe(0);
  });
});
