/**
 * Proxy services across nodes, in process: real controller and agents, the
 * proxy manager driven the way the D-Bus CreateProxy/RemoveProxy calls drive it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { proxyUnitName } from '@bluechi-ts/protocol';
import { DepAwareFake } from './dep-aware-fake.js';
import { startAgent, startController, waitFor, waitOnline, type TestAgent, type TestController } from './fixture.js';

const ALLOW = '[node main]\nAllowDependenciesOn=worker1,worker2\n[node worker2]\nAllowDependenciesOn=worker1\n';
let ctl: TestController;
let agents: TestAgent[] = [];

afterEach(async () => {
  for (const a of agents) await a.stop().catch(() => {});
  agents = [];
  await ctl?.stop();
});

async function cluster(extra = ALLOW, targetUnits: ConstructorParameters<typeof DepAwareFake>[0] = {}) {
  ctl = await startController(extra);
  const addr = `tcp:host=127.0.0.1,port=${ctl.port}`;
  const main = startAgent('main', `unix:path=${ctl.agentSocket}`, { systemd: new DepAwareFake({}) });
  const worker1 = startAgent('worker1', addr, {
    systemd: new DepAwareFake({ 'target.service': { runningSubState: 'exited', stopWhenUnneeded: true }, ...targetUnits }),
  });
  const worker2 = startAgent('worker2', addr, { systemd: new DepAwareFake({}) });
  agents.push(main, worker1, worker2);
  const api = await ctl.api();
  await waitOnline(api, ['main', 'worker1', 'worker2']);
  return { main, worker1, worker2, api };
}

const svc = (node: string, unit: string) => proxyUnitName({ node, unit });
const create = (a: TestAgent, node: string, unit: string) => a.agent.proxies.create(svc(node, unit), node, unit);
const count = (node: string, unit: string) => ctl.controller.proxies.dependencies({ node, unit });
const active = (a: TestAgent, unit: string) => a.systemd.unit(unit)?.activeState;

describe('proxy services (in process)', () => {
  it('answers CreateProxy once the remote target is active, counting the dependency', async () => {
    const { main, worker1 } = await cluster();
    await create(main, 'worker1', 'target.service');
    expect(active(worker1, 'target.service')).toBe('active');
    await waitFor('dep active', () => active(worker1, 'bluechi-dep@target.service') === 'active');
    expect(count('worker1', 'target.service')).toBe(1);
    expect(ctl.logs.lines.some((l) => l.includes("Node 'main' registered new proxy for unit 'target.service' on node 'worker1'"))).toBe(true);
  });

  it('refuses proxies by default (no AllowDependenciesOn)', async () => {
    const { main, worker1 } = await cluster('');
    await expect(create(main, 'worker1', 'target.service')).rejects.toThrow(
      "Proxy on node not allowed: node 'main' may not depend on units of node 'worker1'",
    );
    expect(active(worker1, 'target.service')).toBe('inactive');
    expect(ctl.logs.lines.some((l) => l.includes('Proxy request denied for main->worker1'))).toBe(true);
  });

  it('refuses a proxy to an unknown node, and to a missing or broken target', async () => {
    const { main } = await cluster(ALLOW, { 'broken.service': { loadState: 'bad-setting' } });
    await expect(create(main, 'worker9', 'target.service')).rejects.toThrow("No such node: 'worker9' is not a configured node");
    await expect(create(main, 'worker1', 'nosuch.service')).rejects.toThrow(/^cannot start nosuch.service on worker1: Unit nosuch.service not found\.$/);
    await expect(create(main, 'worker1', 'broken.service')).rejects.toThrow('Unit broken.service has a bad unit file setting');
    await waitFor('dependencies released', () => count('worker1', 'nosuch.service') === 0 && count('worker1', 'broken.service') === 0);
  });

  it('fails the proxy when the target fails to start', async () => {
    const { main } = await cluster(ALLOW, { 'bad.service': { failing: true } });
    await expect(create(main, 'worker1', 'bad.service')).rejects.toThrow("bad.service on node 'worker1': target failed (failed)");
    await waitFor('dependency released', () => count('worker1', 'bad.service') === 0);
  });

  it('stops the proxy service when the target stops after success', async () => {
    const { main, worker1 } = await cluster();
    await create(main, 'worker1', 'target.service');
    worker1.systemd.setState('target.service', 'failed', 'failed');
    await waitFor('proxy unit stop requested', () => main.systemd.calls.some((c) => c.op === 'stop' && c.unit === svc('worker1', 'target.service')));
    await waitFor('dependency released', () => count('worker1', 'target.service') === 0);
  });

  it('keeps the target until the last requester across nodes releases it', async () => {
    const { main, worker1, worker2 } = await cluster();
    await create(main, 'worker1', 'target.service');
    await create(worker2, 'worker1', 'target.service');
    expect(count('worker1', 'target.service')).toBe(2);
    main.agent.proxies.remove(svc('worker1', 'target.service'), 'worker1', 'target.service');
    await waitFor('count 1', () => count('worker1', 'target.service') === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(active(worker1, 'target.service')).toBe('active');
    worker2.agent.proxies.remove(svc('worker1', 'target.service'), 'worker1', 'target.service');
    await waitFor('target stopped (StopWhenUnneeded)', () => active(worker1, 'target.service') === 'inactive');
    expect(active(worker1, 'bluechi-dep@target.service')).toBe('inactive');
  });

  it('keeps proxies active while the target node is away and restarts the dep when it returns', async () => {
    const { main, worker1 } = await cluster();
    await create(main, 'worker1', 'target.service');
    const addr = `tcp:host=127.0.0.1,port=${ctl.port}`;
    await worker1.stop();
    await waitOnline(await ctl.api(), ['worker1'], 'offline');
    expect(count('worker1', 'target.service')).toBe(1);
    // Kept, but not trusted: whatever the target does until its node returns is unknown.
    expect(main.agent.proxies.list()).toMatchObject([{ phase: 'reacquiring', unit: 'target.service' }]);
    // The node comes back with a fresh systemd where the target is not running.
    const back = startAgent('worker1', addr, { systemd: new DepAwareFake({ 'target.service': { runningSubState: 'exited' } }) });
    agents.push(back);
    await waitFor('target started again on return', () => active(back, 'target.service') === 'active');
    await waitFor('proxy active again', () => main.agent.proxies.list()[0]?.phase === 'active');
    expect(main.systemd.calls.filter((c) => c.op === 'stop')).toEqual([]);
  });

  it('keeps the dependencies of a requesting node through a short drop', async () => {
    const { main, worker1 } = await cluster();
    await create(main, 'worker1', 'target.service');
    const link = main.agent.link as unknown as { peer?: { close(code: number, reason: string): void } };
    link.peer!.close(1006, 'network cut');
    await waitFor('kept for the grace period', () => ctl.logs.lines.some((l) => l.includes("Node 'main' disconnected; keeping its 1 proxies for 10000 ms")));
    await waitFor('re-announced after reconnect', () =>
      ctl.logs.lines.filter((l) => l.includes("Node 'main' registered new proxy for unit 'target.service'")).length === 2,
    );
    await waitFor('proxy active again', () => main.agent.proxies.list()[0]?.phase === 'active');
    expect(count('worker1', 'target.service')).toBe(1);
    expect(active(worker1, 'target.service')).toBe('active');
    expect(ctl.logs.lines.some((l) => l.includes('Stopping dependency'))).toBe(false);
    expect(main.systemd.calls.filter((c) => c.op === 'stop')).toEqual([]);
  });

  it('releases a requesting node away longer than ProxyReleaseDelay, and re-counts it on return', async () => {
    const { main, worker1 } = await cluster(`${ALLOW}\n[bluechi-controller]\nProxyReleaseDelay=100\n`);
    await create(main, 'worker1', 'target.service');
    // Cut the link and hold the agent back, so it stays away past the delay.
    const link = main.agent.link as unknown as { peer?: { close(code: number, reason: string): void }; connect: () => void };
    const connect = link.connect;
    link.connect = () => {};
    link.peer!.close(1006, 'network cut');
    await waitFor('released after the delay', () => count('worker1', 'target.service') === 0);
    await waitFor('target stopped (StopWhenUnneeded)', () => active(worker1, 'target.service') === 'inactive');
    link.connect = connect;
    await waitFor('re-counted after return', () => main.agent.link.status === 'connected' && count('worker1', 'target.service') === 1);
    await waitFor('target running again', () => active(worker1, 'target.service') === 'active');
    await waitFor('proxy active again', () => main.agent.proxies.list()[0]?.phase === 'active');
    expect(main.systemd.calls.filter((c) => c.op === 'stop')).toEqual([]);
  });

  it('counts a proxy once when its agent restarts and announces it under a new id', async () => {
    const { main, worker1 } = await cluster();
    await create(main, 'worker1', 'target.service');
    const oldId = main.agent.proxies.list()[0]!.id;
    // The agent stops (as on SIGTERM: the proxy service itself keeps running)
    // and a new agent process starts, finds the active proxy service and
    // announces it under an id of its own.
    await main.stop();
    const proxyUnit = svc('worker1', 'target.service');
    const restarted = startAgent('main', `unix:path=${ctl.agentSocket}`, {
      systemd: new DepAwareFake({ [proxyUnit]: { activeState: 'active', subState: 'running' } }),
    });
    agents.push(restarted);
    await waitFor('proxy adopted and active', () => restarted.agent.proxies.list()[0]?.phase === 'active');
    const newId = restarted.agent.proxies.list()[0]!.id;
    expect(newId).not.toBe(oldId);
    await waitFor('announced again under the new id', () =>
      ctl.logs.lines.some((l) => l.includes(`Node 'main' announced its proxy for target.service on node worker1 again as proxy ${newId} (was ${oldId})`)),
    );
    expect(count('worker1', 'target.service')).toBe(1);
    // Released now, without waiting for ProxyReleaseDelay (10 s).
    restarted.agent.proxies.remove(proxyUnit, 'worker1', 'target.service');
    await waitFor('target stopped (StopWhenUnneeded)', () => count('worker1', 'target.service') === 0 && active(worker1, 'target.service') === 'inactive', 3000);
  });

  it('rebuilds the counts after a controller restart and still propagates a target stop', async () => {
    const { main, worker2, worker1 } = await cluster();
    await create(main, 'worker1', 'target.service');
    await create(worker2, 'worker1', 'target.service');
    const { dir, port } = ctl;
    await ctl.stop();
    ctl = await startController(ALLOW, ['main', 'worker1', 'worker2'], dir, port);
    await waitOnline(await ctl.api(), ['main', 'worker1', 'worker2']);
    await waitFor('counts rebuilt', () => count('worker1', 'target.service') === 2);
    worker1.systemd.setState('target.service', 'inactive', 'dead');
    await waitFor('both proxies stopped', () =>
      [main, worker2].every((a) => a.systemd.calls.some((c) => c.op === 'stop' && c.unit === svc('worker1', 'target.service'))),
    );
  });

  it('fails a proxy whose target never becomes active, naming node and unit', async () => {
    const { main } = await cluster(ALLOW, { 'slow.service': { hang: true } });
    main.systemd.addUnit(svc('worker1', 'slow.service'), { properties: { TimeoutStartUSec: 600_000 } });
    const started = Date.now();
    await expect(create(main, 'worker1', 'slow.service')).rejects.toThrow(
      "timed out after 350 ms waiting for slow.service on node 'worker1' to become active",
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(340);
    await waitFor('released', () => count('worker1', 'slow.service') === 0);
  });

  it('waits for an offline target node and reports it on timeout', async () => {
    const { main, worker2 } = await cluster();
    await worker2.stop();
    await waitOnline(await ctl.api(), ['worker2'], 'offline');
    main.systemd.addUnit(svc('worker2', 'target.service'), { properties: { TimeoutStartUSec: 500_000 } });
    await expect(create(main, 'worker2', 'target.service')).rejects.toThrow("node 'worker2' is offline");
  });
});
