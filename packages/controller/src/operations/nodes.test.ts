import { describe, expect, it } from 'vitest';
import { VERSION } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import type { AgentPeer } from '../agent-peer.js';
import { JobRegistry } from '../jobs.js';
import { Metrics } from '../metrics.js';
import { MonitorRegistry } from '../monitors.js';
import { NodeRegistry } from '../node-registry.js';
import { UnitSubscriptions } from '../unit-subscriptions.js';
import type { ApiSession, OperationContext, Services } from './context.js';
import { apiOperations } from './index.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });

function setup() {
  const registry = new NodeRegistry([{ name: 'n1', allowDependenciesOn: [] }, { name: 'n2', allowDependenciesOn: [] }]);
  const agentCalls: string[] = [];
  const peer = {
    call: async (method: string, params: unknown) => {
      agentCalls.push(`${method} ${JSON.stringify(params)}`);
      return {};
    },
  } as unknown as AgentPeer;
  const jobs = new JobRegistry();
  const units = new UnitSubscriptions(registry, log);
  const levels: string[] = [];
  const s: Services = {
    registry,
    jobs,
    units,
    monitors: new MonitorRegistry(units, log),
    metrics: new Metrics(registry, jobs, log),
    log,
    setLogLevel: (level) => levels.push(level),
    isShuttingDown: () => false,
  };
  const online = (name: string) => {
    registry.require(name).attach(peer, '10.0.0.1', 0, 1_000, 1);
    registry.statusChanged(registry.require(name));
  };
  const offline = (name: string) => {
    registry.require(name).detach(peer);
    registry.statusChanged(registry.require(name));
  };
  return { s, ops: apiOperations(s), agentCalls, levels, online, offline };
}

function session() {
  const signals: string[] = [];
  const closers: Array<() => void> = [];
  const sess: ApiSession = { id: 1, signal: (name, p) => signals.push(`${name} ${JSON.stringify(p)}`), onClose: (c) => closers.push(c) };
  const ctx: OperationContext = { session: sess, signal: new AbortController().signal };
  return { ctx, signals, close: () => closers.splice(0).forEach((c) => c()) };
}

describe('node operations', () => {
  it('report the version and every configured node in order', async () => {
    const { ops, online } = setup();
    online('n2');
    const { ctx } = session();
    expect(await ops.Version({}, ctx)).toEqual({ version: VERSION });
    expect((await ops.ListNodes({}, ctx)).nodes).toEqual([
      { name: 'n1', status: 'offline', peerIp: '', lastSeen: 0, connectedSince: 0 },
      { name: 'n2', status: 'online', peerIp: '10.0.0.1', lastSeen: 1_000, connectedSince: 1_000 },
    ]);
  });

  it('WatchNodes sends every status change once, however often it is asked, until the session closes', async () => {
    const { ops, online, offline } = setup();
    const a = session();
    await ops.WatchNodes({}, a.ctx);
    await ops.WatchNodes({}, a.ctx);
    online('n1');
    offline('n1');
    expect(a.signals).toEqual(['NodeStatusChanged {"node":"n1","status":"online"}', 'NodeStatusChanged {"node":"n1","status":"offline"}']);
    a.close();
    online('n2');
    expect(a.signals).toHaveLength(2);
  });

  it("SetLogLevel without a node changes the controller's level", async () => {
    const { ops, levels, agentCalls } = setup();
    await ops.SetLogLevel({ level: 'DEBUG' }, session().ctx);
    expect(levels).toEqual(['DEBUG']);
    expect(agentCalls).toEqual([]);
  });

  it("SetLogLevel with a node forwards it to that node's agent", async () => {
    const { ops, levels, agentCalls, online } = setup();
    online('n1');
    await ops.SetLogLevel({ node: 'n1', level: 'WARN' }, session().ctx);
    expect(agentCalls).toEqual(['SetLogLevel {"level":"WARN"}']);
    expect(levels).toEqual([]);
    await expect(ops.SetLogLevel({ node: 'n2', level: 'WARN' }, session().ctx)).rejects.toMatchObject({ code: 'NODE_OFFLINE' });
  });

  it.each([['debug'], ['TRACE'], ['']])("refuses the level '%s' for the controller and for nodes", async (level) => {
    const { ops, levels, agentCalls, online } = setup();
    online('n1');
    for (const node of [undefined, 'n1']) {
      await expect(ops.SetLogLevel({ node, level }, session().ctx)).rejects.toMatchObject({ code: 'INVALID_ARGS', message: 'Invalid input for log level' });
    }
    expect(levels).toEqual([]);
    expect(agentCalls).toEqual([]);
  });
});
