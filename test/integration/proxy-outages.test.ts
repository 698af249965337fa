/**
 * Proxy services across outages, on real systemd: the target node's agent
 * going away and back, the requesting node's agent going away and back, and a
 * controller restart while proxies are registered.
 */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../harness/cluster.js';
import { waitForNodeState } from '../harness/wait.js';
import {
  ALLOW_DEPS,
  TestUnits,
  depOf,
  expectStates,
  proxyOf,
  sleep,
  sourceUnit,
  targetUnit,
  waitStates,
  jobOk,
  useProxyCluster,
} from './support/proxy-units.js';

const RELEASE_DELAY_MS = 1000;

let c: Cluster;
let units: TestUnits;

useProxyCluster(
  `ProxyReleaseDelay=${RELEASE_DELAY_MS}\n${ALLOW_DEPS}`,
  (cluster, u) => {
    c = cluster;
    units = u;
  },
  // A failed test may leave an agent or the controller stopped.
  async (cluster) => {
    await Promise.all(['main', 'worker1', 'worker2'].map((n) => cluster.node(n).exec('systemctl start bluechi-agent')));
    await cluster.main.exec('systemctl start bluechi-controller');
    await cluster.waitOnline();
  },
);

const start = (node: string, unit: string) => jobOk(c, 'start', node, unit);

const since = async (node: string) => (await c.node(node).run('date +%s.%N')).stdout.trim();

describe('proxy services across outages', () => {
  it('target node outage: the proxy stays active, and on return the dependency is sent again', async () => {
    const proxy = proxyOf('worker2', 'po-tnode-target');
    await units.write('worker2', 'po-tnode-target.service', targetUnit());
    await units.write('worker1', 'po-tnode-src.service', sourceUnit('Requires', proxy));
    await start('worker1', 'po-tnode-src.service');
    await waitStates(c, 'worker2', { 'po-tnode-target.service': 'active/exited', [depOf('po-tnode-target')]: 'active/exited' });

    await c.node('worker2').run('systemctl stop bluechi-agent');
    await waitForNodeState(c, 'worker2', 'offline', { timeoutMs: 15_000 });
    await sleep(1000);
    await expectStates(c, 'worker1', { 'po-tnode-src.service': 'active/exited', [proxy]: 'active/exited' });

    // While nobody watches, the target goes down on its own.
    await c.node('worker2').run('systemctl stop po-tnode-target.service');
    await c.node('worker2').run('systemctl start bluechi-agent');
    await waitForNodeState(c, 'worker2', 'online', { timeoutMs: 15_000 });
    await waitStates(c, 'worker2', { 'po-tnode-target.service': 'active/exited', [depOf('po-tnode-target')]: 'active/exited' });
    await expectStates(c, 'worker1', { 'po-tnode-src.service': 'active/exited', [proxy]: 'active/exited' });
  });

  it('requesting node outage: dependencies are released after ProxyReleaseDelay and counted again on return', async () => {
    const proxy = proxyOf('worker2', 'po-rnode-target');
    await units.write('worker2', 'po-rnode-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('worker1', 'po-rnode-src.service', sourceUnit('Wants', proxy));
    await start('worker1', 'po-rnode-src.service');
    await waitStates(c, 'worker2', { 'po-rnode-target.service': 'active/exited' });

    const t0 = await since('main');
    await c.node('worker1').run('systemctl stop bluechi-agent');
    // A clean shutdown, with proxies registered.
    expect((await c.node('worker1').exec('systemctl show -p Result bluechi-agent')).stdout).toBe('Result=success\n');
    await waitForNodeState(c, 'worker1', 'offline', { timeoutMs: 15_000 });
    await waitStates(c, 'worker2', { 'po-rnode-target.service': 'inactive/dead', [depOf('po-rnode-target')]: 'inactive/dead' }, 10_000);
    const controller = (await c.main.exec(`journalctl --no-pager -o cat -u bluechi-controller --since=@${t0}`)).stdout;
    expect(controller).toContain(`Node 'worker1' disconnected; keeping its 1 proxies for ${RELEASE_DELAY_MS} ms`);
    expect(controller).toContain("Releasing 1 proxies of node 'worker1' that were not announced again");
    // The requesting node itself did not notice: systemd keeps its units as they were.
    const local = await c.node('worker1').exec(`systemctl is-active po-rnode-src.service ${proxy}`);
    expect(local.stdout).toBe('active\nactive\n');

    await c.node('worker1').run('systemctl start bluechi-agent');
    await waitForNodeState(c, 'worker1', 'online', { timeoutMs: 15_000 });
    await waitStates(c, 'worker2', { 'po-rnode-target.service': 'active/exited', [depOf('po-rnode-target')]: 'active/exited' });
    await expectStates(c, 'worker1', { 'po-rnode-src.service': 'active/exited', [proxy]: 'active/exited' });

    // And the re-counted dependency is released normally.
    await c.ctl('stop worker1 po-rnode-src.service');
    await waitStates(c, 'worker1', { [proxy]: 'inactive/dead' });
    await waitStates(c, 'worker2', { 'po-rnode-target.service': 'inactive/dead' });
  });

  it('a short requesting-node outage within ProxyReleaseDelay leaves the target running', async () => {
    const proxy = proxyOf('worker2', 'po-blip-target');
    await units.write('worker2', 'po-blip-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'po-blip-src.service', sourceUnit('Wants', proxy));
    await start('main', 'po-blip-src.service');
    await waitStates(c, 'worker2', { 'po-blip-target.service': 'active/exited' });
    const before = (await c.node('worker2').run('systemctl show -p InvocationID --value po-blip-target.service')).stdout;
    await c.main.run('systemctl restart bluechi-agent');
    await waitForNodeState(c, 'main', 'online', { timeoutMs: 15_000 });
    await sleep(RELEASE_DELAY_MS + 500);
    await expectStates(c, 'worker2', { 'po-blip-target.service': 'active/exited' });
    const after = (await c.node('worker2').run('systemctl show -p InvocationID --value po-blip-target.service')).stdout;
    expect(after).toBe(before);
  });

  it('controller restart: proxies stay active, nothing crashes, and stop propagation still works', async () => {
    const proxy = proxyOf('worker2', 'po-ctl-target');
    await units.write('worker2', 'po-ctl-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('worker1', 'po-ctl-src.service', sourceUnit('Requires', proxy));
    await start('worker1', 'po-ctl-src.service');
    await waitStates(c, 'worker2', { 'po-ctl-target.service': 'active/exited' });
    const invocation = (await c.node('worker2').run('systemctl show -p InvocationID --value po-ctl-target.service')).stdout;

    const t0 = await since('main');
    await c.main.run('systemctl restart bluechi-controller');
    await c.waitOnline();
    await sleep(1000);
    const controller = await c.main.exec('systemctl show -p ActiveState -p Result -p NRestarts bluechi-controller | sort');
    expect(controller.stdout).toBe('ActiveState=active\nNRestarts=0\nResult=success\n');
    const errors = await c.main.exec(`journalctl --no-pager -o cat -p err -u bluechi-controller -u bluechi-agent --since=@${t0}`);
    expect(errors.stdout).toBe('');
    for (const node of ['main', 'worker1', 'worker2']) {
      const agent = await c.node(node).exec('systemctl show -p ActiveState -p Result bluechi-agent | sort');
      expect(agent.stdout, node).toBe('ActiveState=active\nResult=success\n');
    }
    await expectStates(c, 'worker1', { 'po-ctl-src.service': 'active/exited', [proxy]: 'active/exited' });
    await expectStates(c, 'worker2', { 'po-ctl-target.service': 'active/exited', [depOf('po-ctl-target')]: 'active/exited' });
    const after = (await c.node('worker2').run('systemctl show -p InvocationID --value po-ctl-target.service')).stdout;
    expect(after).toBe(invocation);

    // The rebuilt proxy still hears about its target: stopping it stops the Requires= source.
    const r = await c.ctl('stop worker2 po-ctl-target.service');
    expect(r.stdout).toBe('Unit po-ctl-target.service StopUnit operation result: done\n');
    await waitStates(c, 'worker1', { 'po-ctl-src.service': 'inactive/dead', [proxy]: 'inactive/dead' });
    await waitStates(c, 'worker2', { [depOf('po-ctl-target')]: 'inactive/dead' });
  });
});
