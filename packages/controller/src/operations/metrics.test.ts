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
  registry.require('n1').attach({ call: async (m: string) => (agentCalls.push(m), {}) } as unknown as AgentPeer, '', 0, 0, 0);
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

function session() {
  const signals: string[] = [];
  const closers: Array<() => void> = [];
  const sess: ApiSession = { id: 1, signal: (name, p) => signals.push(`${name} ${JSON.stringify(p)}`), onClose: (c) => closers.push(c) };
  const ctx: OperationContext = { session: sess, signal: new AbortController().signal };
  return { ctx, signals, close: () => closers.splice(0).forEach((c) => c()) };
}

describe('metrics operations', () => {
  it('switch metrics on the agents, refusing a switch to the state they are in', async () => {
    const { ops, agentCalls } = setup();
    const { ctx } = session();
    await expect(attempt(() => ops.DisableMetrics({}, ctx))).rejects.toMatchObject({ code: 'INVALID_STATE', message: 'Metrics already disabled' });
    await ops.EnableMetrics({}, ctx);
    await expect(attempt(() => ops.EnableMetrics({}, ctx))).rejects.toMatchObject({ code: 'INVALID_STATE', message: 'Metrics already enabled' });
    await ops.DisableMetrics({}, ctx);
    expect(agentCalls).toEqual(['EnableMetrics', 'DisableMetrics']);
  });

  it('WatchMetrics sends each metric once, however often it is asked, until the session closes', async () => {
    const { s, ops } = setup();
    const a = session();
    const idle = session();
    await ops.EnableMetrics({}, a.ctx);
    await ops.WatchMetrics({}, a.ctx);
    await ops.WatchMetrics({}, a.ctx);
    const n1 = s.registry.require('n1');
    s.metrics.agentJob(n1, { unit: 'a.service', method: 'StartUnit', systemdJobTimeUs: 5 });
    expect(a.signals).toEqual(['AgentJobMetrics {"node":"n1","unit":"a.service","method":"StartUnit","systemdJobTimeUs":5}']);
    expect(idle.signals).toEqual([]);
    a.close();
    expect(s.metrics.listenerCount('agentJob')).toBe(0);
    expect(s.metrics.listenerCount('startUnitJob')).toBe(0);
  });
});
