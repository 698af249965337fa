/**
 * Proxy services on real systemd: a unit on one node that needs
 * `bluechi-proxy@NODE_UNIT.service` gets UNIT started on NODE, and the ways that
 * dependency ends again (upstream's proxy-service-* scenarios, plus reference
 * counting and unit names with underscores).
 */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../harness/cluster.js';
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

let c: Cluster;
let units: TestUnits;

useProxyCluster(ALLOW_DEPS, (cluster, u) => {
  c = cluster;
  units = u;
});

const start = (node: string, unit: string) => jobOk(c, 'start', node, unit);

const stop = (node: string, unit: string) => jobOk(c, 'stop', node, unit);

describe('proxy services', () => {
  it('proxy-service-start: requester, proxy, target and bluechi-dep are all active', async () => {
    const proxy = proxyOf('worker1', 'ps-start-target');
    await units.write('worker1', 'ps-start-target.service', targetUnit());
    await units.write('main', 'ps-start-src.service', sourceUnit('Wants', proxy));
    await start('main', 'ps-start-src.service');
    await waitStates(c, 'main', { 'ps-start-src.service': 'active/exited', [proxy]: 'active/exited' });
    await waitStates(c, 'worker1', { 'ps-start-target.service': 'active/exited', [depOf('ps-start-target')]: 'active/exited' });
  });

  it('proxy-service-stop-requesting: proxy and dep stop, the target keeps running', async () => {
    const proxy = proxyOf('worker1', 'ps-stopreq-target');
    await units.write('worker1', 'ps-stopreq-target.service', targetUnit());
    await units.write('main', 'ps-stopreq-src.service', sourceUnit('Wants', proxy));
    await start('main', 'ps-stopreq-src.service');
    await waitStates(c, 'worker1', { 'ps-stopreq-target.service': 'active', [depOf('ps-stopreq-target')]: 'active' });
    await stop('main', 'ps-stopreq-src.service');
    await waitStates(c, 'main', { 'ps-stopreq-src.service': 'inactive', [proxy]: 'inactive' });
    await waitStates(c, 'worker1', { [depOf('ps-stopreq-target')]: 'inactive' });
    await expectStates(c, 'worker1', { 'ps-stopreq-target.service': 'active/exited' });
  });

  it('proxy-service-stop-requesting-with-unneeded: a StopWhenUnneeded target stops too', async () => {
    const proxy = proxyOf('worker1', 'ps-unneeded-target');
    await units.write('worker1', 'ps-unneeded-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'ps-unneeded-src.service', sourceUnit('Wants', proxy));
    await start('main', 'ps-unneeded-src.service');
    await waitStates(c, 'worker1', { 'ps-unneeded-target.service': 'active', [depOf('ps-unneeded-target')]: 'active' });
    await stop('main', 'ps-unneeded-src.service');
    await waitStates(c, 'main', { 'ps-unneeded-src.service': 'inactive/dead', [proxy]: 'inactive/dead' });
    await waitStates(c, 'worker1', {
      'ps-unneeded-target.service': 'inactive/dead',
      [depOf('ps-unneeded-target')]: 'inactive/dead',
    });
  });

  it('proxy-service-stop-target: dep and proxy stop, a Wants= requester stays active', async () => {
    const proxy = proxyOf('worker1', 'ps-stoptgt-target');
    await units.write('worker1', 'ps-stoptgt-target.service', targetUnit());
    await units.write('main', 'ps-stoptgt-src.service', sourceUnit('Wants', proxy));
    await start('main', 'ps-stoptgt-src.service');
    await waitStates(c, 'main', { [proxy]: 'active' });
    await stop('worker1', 'ps-stoptgt-target.service');
    await waitStates(c, 'worker1', { 'ps-stoptgt-target.service': 'inactive', [depOf('ps-stoptgt-target')]: 'inactive' });
    await waitStates(c, 'main', { [proxy]: 'inactive/dead' });
    await expectStates(c, 'main', { 'ps-stoptgt-src.service': 'active/exited' });
  });

  it('proxy-service-stop-bluechi-dep: the target and the proxy stay active', async () => {
    const proxy = proxyOf('worker1', 'ps-stopdep-target');
    const dep = depOf('ps-stopdep-target');
    await units.write('worker1', 'ps-stopdep-target.service', targetUnit());
    await units.write('main', 'ps-stopdep-src.service', sourceUnit('Wants', proxy));
    await start('main', 'ps-stopdep-src.service');
    await waitStates(c, 'worker1', { [dep]: 'active' });
    await stop('worker1', dep);
    await waitStates(c, 'worker1', { [dep]: 'inactive' });
    await sleep(1000);
    await expectStates(c, 'worker1', { 'ps-stopdep-target.service': 'active/exited', [dep]: 'inactive/dead' });
    await expectStates(c, 'main', { 'ps-stopdep-src.service': 'active/exited', [proxy]: 'active/exited' });
  });

  it('proxy-service-multiple-services-one-node: two requesters share one proxy; the target stops after both', async () => {
    const proxy = proxyOf('worker1', 'ps-one-target');
    await units.write('worker1', 'ps-one-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'ps-one-src1.service', sourceUnit('Wants', proxy));
    await units.write('main', 'ps-one-src2.service', sourceUnit('Wants', proxy));
    await start('main', 'ps-one-src1.service');
    await start('main', 'ps-one-src2.service');
    await waitStates(c, 'worker1', { 'ps-one-target.service': 'active' });
    await stop('main', 'ps-one-src1.service');
    await sleep(1000);
    await expectStates(c, 'main', { [proxy]: 'active/exited', 'ps-one-src2.service': 'active/exited' });
    await expectStates(c, 'worker1', { 'ps-one-target.service': 'active/exited', [depOf('ps-one-target')]: 'active/exited' });
    await stop('main', 'ps-one-src2.service');
    await waitStates(c, 'main', { [proxy]: 'inactive/dead' });
    await waitStates(c, 'worker1', { 'ps-one-target.service': 'inactive/dead', [depOf('ps-one-target')]: 'inactive/dead' });
  });

  it('proxy-service-multiple-services-multiple-nodes: the target stops only after the second node lets go', async () => {
    const proxy = proxyOf('worker2', 'ps-multi-target');
    await units.write('worker2', 'ps-multi-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'ps-multi-src.service', sourceUnit('Wants', proxy));
    await units.write('worker1', 'ps-multi-src.service', sourceUnit('Wants', proxy));
    await start('main', 'ps-multi-src.service');
    await start('worker1', 'ps-multi-src.service');
    await waitStates(c, 'worker2', { 'ps-multi-target.service': 'active' });
    await stop('worker1', 'ps-multi-src.service');
    await waitStates(c, 'worker1', { [proxy]: 'inactive/dead' });
    await sleep(1000);
    await expectStates(c, 'worker2', { 'ps-multi-target.service': 'active/exited', [depOf('ps-multi-target')]: 'active/exited' });
    await expectStates(c, 'main', { 'ps-multi-src.service': 'active/exited', [proxy]: 'active/exited' });
    await stop('main', 'ps-multi-src.service');
    await waitStates(c, 'main', { [proxy]: 'inactive/dead' });
    await waitStates(c, 'worker2', { 'ps-multi-target.service': 'inactive/dead', [depOf('ps-multi-target')]: 'inactive/dead' });
  });

  it('counts dependencies across requesting nodes in either release order', async () => {
    // The reverse of the previous test: the controller's local node lets go first.
    const proxy = proxyOf('worker2', 'ps-refcount-target');
    await units.write('worker2', 'ps-refcount-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'ps-refcount-a.service', sourceUnit('Wants', proxy));
    await units.write('worker1', 'ps-refcount-b.service', sourceUnit('Requires', proxy));
    await start('worker1', 'ps-refcount-b.service');
    await start('main', 'ps-refcount-a.service');
    await stop('main', 'ps-refcount-a.service');
    await waitStates(c, 'main', { [proxy]: 'inactive' });
    await sleep(1000);
    await expectStates(c, 'worker2', { 'ps-refcount-target.service': 'active/exited' });
    await expectStates(c, 'worker1', { 'ps-refcount-b.service': 'active/exited', [proxy]: 'active/exited' });
    // Starting the first requester again while the second still holds the target.
    await start('main', 'ps-refcount-a.service');
    await stop('worker1', 'ps-refcount-b.service');
    await sleep(1000);
    await expectStates(c, 'worker2', { 'ps-refcount-target.service': 'active/exited' });
    await stop('main', 'ps-refcount-a.service');
    await waitStates(c, 'worker2', { 'ps-refcount-target.service': 'inactive/dead', [depOf('ps-refcount-target')]: 'inactive/dead' });
  });

  it('splits the instance at the first underscore: bluechi-proxy@worker1_my_svc.service runs my_svc.service', async () => {
    const proxy = 'bluechi-proxy@worker1_ps_under_score.service';
    await units.write('worker1', 'ps_under_score.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'ps-underscore-src.service', sourceUnit('Requires', proxy));
    await start('main', 'ps-underscore-src.service');
    await waitStates(c, 'main', { 'ps-underscore-src.service': 'active/exited', [proxy]: 'active/exited' });
    await waitStates(c, 'worker1', { 'ps_under_score.service': 'active/exited', 'bluechi-dep@ps_under_score.service': 'active/exited' });
    await stop('main', 'ps-underscore-src.service');
    await waitStates(c, 'worker1', { 'ps_under_score.service': 'inactive/dead' });
  });

  it('a Type=notify target counts as started only once it is ready', async () => {
    const proxy = proxyOf('worker1', 'ps-notify-target');
    await units.write(
      'worker1',
      'ps-notify-target.service',
      '[Service]\nType=notify\nNotifyAccess=all\nExecStart=/bin/sh -c "sleep 2; systemd-notify --ready; exec sleep infinity"\n',
    );
    await units.write('main', 'ps-notify-src.service', sourceUnit('Requires', proxy));
    const started = Date.now();
    await start('main', 'ps-notify-src.service');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    await expectStates(c, 'worker1', { 'ps-notify-target.service': 'active/running' });
    await expectStates(c, 'main', { [proxy]: 'active/exited', 'ps-notify-src.service': 'active/exited' });
  });
});
