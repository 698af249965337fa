/**
 * Proxy services that cannot be provided, on real systemd: each refusal or
 * failure leaves the proxy unit failed (or stopped) with the reason in its
 * journal, and systemd decides what happens to the requesting unit.
 * Also the bluechi-proxy helper's own command line and the agent's D-Bus API.
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
  unitJournal,
  waitJournal,
  waitStates,
  jobOk,
  useProxyCluster,
} from './support/proxy-units.js';

let c: Cluster;
let units: TestUnits;

// worker2 has no [node worker2] section: it may not depend on anything.
useProxyCluster(ALLOW_DEPS, (cluster, u) => {
  c = cluster;
  units = u;
});

const start = (node: string, unit: string, result = 'done') => jobOk(c, 'start', node, unit, result);

const activateFailed = (proxy: string, node: string, reason: string) => `Failed to activate ${proxy} (on ${node}): ${reason}`;

describe('proxy services that fail', () => {
  it('proxy-service-denied-by-default: without AllowDependenciesOn the proxy fails, the Wants= requester starts', async () => {
    const proxy = proxyOf('worker1', 'pf-denied-target');
    await units.write('worker1', 'pf-denied-target.service', targetUnit());
    await units.write('worker2', 'pf-denied-src.service', sourceUnit('Wants', proxy));
    await start('worker2', 'pf-denied-src.service');
    await waitStates(c, 'worker2', { 'pf-denied-src.service': 'active/exited', [proxy]: 'failed/failed' });
    await expectStates(c, 'worker1', { 'pf-denied-target.service': 'inactive/dead', [depOf('pf-denied-target')]: 'inactive/dead' });
    await waitJournal(
      c,
      'worker2',
      proxy,
      activateFailed(
        proxy,
        'worker1',
        "Proxy on node not allowed: node 'worker2' may not depend on units of node 'worker1' (set AllowDependenciesOn in [node worker2] on the controller)",
      ),
    );
    const controller = await c.main.journal('bluechi-controller');
    expect(controller).toContain('Proxy request denied for worker2->worker1');
  });

  it('proxy-service-fails-on-non-existent-node: the proxy fails, the Wants= requester starts', async () => {
    const proxy = proxyOf('worker9', 'pf-nonode-target');
    await units.write('main', 'pf-nonode-src.service', sourceUnit('Wants', proxy));
    await start('main', 'pf-nonode-src.service');
    await waitStates(c, 'main', { 'pf-nonode-src.service': 'active/exited', [proxy]: 'failed/failed' });
    await waitJournal(c, 'main', proxy, activateFailed(proxy, 'worker9', "No such node: 'worker9' is not a configured node"));
  });

  it('proxy-service-fails-on-non-existent-service: the proxy fails with systemd\'s reason', async () => {
    const proxy = proxyOf('worker1', 'pf-nosuch-target');
    await units.write('main', 'pf-nosuch-src.service', sourceUnit('Wants', proxy));
    await start('main', 'pf-nosuch-src.service');
    await waitStates(c, 'main', { 'pf-nosuch-src.service': 'active/exited', [proxy]: 'failed/failed' });
    await waitJournal(
      c,
      'main',
      proxy,
      activateFailed(proxy, 'worker1', 'cannot start pf-nosuch-target.service on worker1: Unit pf-nosuch-target.service not found.'),
    );
  });

  it('proxy-service-fails-on-typo-in-file: a target with a bad section name fails the proxy, target and dep stay inactive', async () => {
    const proxy = proxyOf('worker1', 'pf-typo-target');
    await units.write('worker1', 'pf-typo-target.service', '[Unit]\nDescription=typo\n\n[Servic]\nExecStart=/bin/true\n');
    await units.write('main', 'pf-typo-src.service', sourceUnit('Wants', proxy));
    await start('main', 'pf-typo-src.service');
    await waitStates(c, 'main', { 'pf-typo-src.service': 'active/exited', [proxy]: 'failed/failed' });
    await expectStates(c, 'worker1', { 'pf-typo-target.service': 'inactive', [depOf('pf-typo-target')]: 'inactive/dead' });
    const journal = await waitJournal(c, 'main', proxy, activateFailed(proxy, 'worker1', 'cannot start pf-typo-target.service on worker1: Unit pf-typo-target.service has a bad unit file setting'));
    expect(journal).toMatch(/has a bad unit file setting/);
  });

  it('proxy-service-fails-on-execstart: a Type=simple target that exits 1 ends failed, the proxy inactive, the Wants= requester active', async () => {
    const proxy = proxyOf('worker1', 'pf-exec-target');
    await units.write('worker1', 'pf-exec-target.service', targetUnit({ exec: '/bin/false', remainAfterExit: false }));
    await units.write('main', 'pf-exec-src.service', sourceUnit('Wants', proxy));
    await start('main', 'pf-exec-src.service');
    await waitStates(c, 'worker1', { 'pf-exec-target.service': 'failed/failed', [depOf('pf-exec-target')]: 'inactive/dead' });
    await waitStates(c, 'main', { [proxy]: 'inactive/dead', 'pf-exec-src.service': 'active/exited' });
  });

  it('proxy-service-propagate-target-service-failure: a BindsTo= requester stops when the target fails', async () => {
    const proxy = proxyOf('worker1', 'pf-binds-target');
    await units.write('worker1', 'pf-binds-target.service', targetUnit({ exec: '/bin/false', remainAfterExit: false }));
    await units.write('main', 'pf-binds-src.service', sourceUnit('BindsTo', proxy));
    const r = await c.ctl('start main pf-binds-src.service');
    expect(r.exitCode).toBe(0);
    // Either the start job is cut short, or the source starts and is stopped at once.
    expect(r.stdout).toMatch(/^Unit pf-binds-src.service StartUnit operation result: (done|canceled|dependency)\n$/);
    await waitStates(c, 'worker1', { 'pf-binds-target.service': 'failed/failed' });
    await waitStates(c, 'main', { 'pf-binds-src.service': 'inactive/dead', [proxy]: 'inactive' });
  });

  it('a target that fails after it became active stops a Requires= requester', async () => {
    const proxy = proxyOf('worker1', 'pf-later-target');
    await units.write('worker1', 'pf-later-target.service', targetUnit({ exec: '/bin/sh -c "sleep 2; exit 3"', remainAfterExit: false }));
    await units.write('main', 'pf-later-src.service', sourceUnit('Requires', proxy));
    await start('main', 'pf-later-src.service');
    await expectStates(c, 'main', { 'pf-later-src.service': 'active/exited', [proxy]: 'active/exited' });
    await waitStates(c, 'worker1', { 'pf-later-target.service': 'failed/failed' });
    await waitStates(c, 'main', { 'pf-later-src.service': 'inactive/dead', [proxy]: 'inactive/dead' });
  });

  it('malformed proxy names fail with the reason in the journal', async () => {
    const cases = [
      ['bluechi-proxy@noseparator.service', "No underscore in unit name 'noseparator.service'"],
      ['bluechi-proxy@worker1_.service', "No service specified in unit name 'worker1_.service'"],
      ['bluechi-proxy@_pf-target.service', "No node specified in unit name '_pf-target.service'"],
    ] as const;
    for (const [i, [proxy]] of cases.entries()) {
      await units.write('main', `pf-bad${i}-src.service`, sourceUnit('Requires', proxy));
    }
    for (const [i, [proxy, reason]] of cases.entries()) {
      await start('main', `pf-bad${i}-src.service`, 'dependency');
      await waitStates(c, 'main', { [`pf-bad${i}-src.service`]: 'inactive/dead', [proxy]: 'failed/failed' });
      await waitJournal(c, 'main', proxy, reason);
    }
  });

  it('times out just before TimeoutStartSec= of the proxy, naming node and unit', async () => {
    const dropIn = '/etc/systemd/system/bluechi-proxy@.service.d/timeout.conf';
    const proxy = proxyOf('worker1', 'pf-slow-target');
    await c.main.writeFile(dropIn, '[Service]\nTimeoutStartSec=3s\n');
    try {
      await c.main.run('systemctl daemon-reload');
      await units.write('worker1', 'pf-slow-target.service', '[Service]\nType=oneshot\nExecStart=/bin/sleep 60\n');
      await units.write('main', 'pf-slow-src.service', sourceUnit('Requires', proxy));
      const started = Date.now();
      await start('main', 'pf-slow-src.service', 'dependency');
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(2700);
      expect(took).toBeLessThan(3000);
      await waitStates(c, 'main', { 'pf-slow-src.service': 'inactive/dead', [proxy]: 'failed/failed' });
      const journal = await waitJournal(
        c,
        'main',
        proxy,
        activateFailed(proxy, 'worker1', "timed out after 2750 ms waiting for pf-slow-target.service on node 'worker1' to become active"),
      );
      // The helper answered, not systemd's own timeout.
      expect(journal).not.toMatch(/timed out\. Terminating/);
      const result = await c.main.exec(`systemctl show -p Result ${proxy}`);
      expect(result.stdout).toBe('Result=exit-code\n');
    } finally {
      await c.main.exec(`rm -f ${dropIn}; systemctl daemon-reload`);
    }
  });
});

describe('the bluechi-proxy helper and the agent D-Bus API', () => {
  it('bluechi-proxy --help and -h print the usage and exit 0', async () => {
    const long = await c.main.exec('/usr/libexec/bluechi-proxy --help');
    const short = await c.main.exec('/usr/libexec/bluechi-proxy -h');
    expect(long.exitCode).toBe(0);
    expect(long.stdout).toContain('Usage: bluechi-proxy');
    expect(short).toEqual(long);
  });

  it('bluechi-proxy -v and --version print the version', async () => {
    const short = await c.main.exec('/usr/libexec/bluechi-proxy -v');
    const long = await c.main.exec('/usr/libexec/bluechi-proxy --version');
    expect(short.exitCode).toBe(0);
    expect(short.stdout).toMatch(/^bluechi-proxy version \d+\.\d+\.\d+\S*\n$/);
    expect(long).toEqual(short);
  });

  it('bluechi-proxy without arguments or with an unknown option exits 1', async () => {
    const none = await c.main.exec('/usr/libexec/bluechi-proxy');
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('Not enough arguments');
    const bad = await c.main.exec('/usr/libexec/bluechi-proxy --QWERTY');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("unrecognized option '--QWERTY'");
  });

  it('bluechi-proxy create/remove work from a plain shell', async () => {
    await units.write('worker1', 'pf-byhand-target.service', targetUnit());
    const created = await c.main.exec('/usr/libexec/bluechi-proxy create worker1_pf-byhand-target.service');
    expect(created).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    await expectStates(c, 'worker1', { 'pf-byhand-target.service': 'active/exited' });
    const removed = await c.main.exec('/usr/libexec/bluechi-proxy remove worker1_pf-byhand-target.service');
    expect(removed).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    await waitStates(c, 'worker1', { [depOf('pf-byhand-target')]: 'inactive' });
    await sleep(300);
    await expectStates(c, 'worker1', { 'pf-byhand-target.service': 'active/exited' });
  });

  it('bluechi-proxy falls back to busctl when dbus-send is missing, with the same messages', async () => {
    await units.write('worker1', 'pf-busctl-target.service', targetUnit());
    // A PATH with busctl but without dbus-send.
    await c.main.run('mkdir -p /var/tmp/busctl-only && ln -sf /usr/bin/busctl /var/tmp/busctl-only/busctl');
    const env = 'PATH=/var/tmp/busctl-only';
    const created = await c.main.exec(`${env} /usr/libexec/bluechi-proxy create worker1_pf-busctl-target.service`);
    expect(created).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    await expectStates(c, 'worker1', { 'pf-busctl-target.service': 'active/exited' });
    expect(await c.main.exec(`${env} /usr/libexec/bluechi-proxy remove worker1_pf-busctl-target.service`)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    const refused = await c.main.exec(`${env} /usr/libexec/bluechi-proxy create worker9_pf-busctl-target.service`);
    expect(refused).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: "Failed to activate bluechi-proxy@worker9_pf-busctl-target.service (on worker9): No such node: 'worker9' is not a configured node\n",
    });
  });

  it('the agent serves org.eclipse.bluechi.Agent with Status "online" on every node', async () => {
    for (const node of ['main', 'worker1', 'worker2']) {
      const r = await c.node(node).exec(
        'busctl get-property org.eclipse.bluechi.Agent /org/eclipse/bluechi org.eclipse.bluechi.Agent Status',
      );
      expect(r).toEqual({ exitCode: 0, stdout: 's "online"\n', stderr: '' });
    }
  });

  it('the journal of a refused proxy is written by bluechi-proxy', async () => {
    const proxy = proxyOf('worker9', 'pf-ident-target');
    await units.write('main', 'pf-ident-src.service', sourceUnit('Wants', proxy));
    await start('main', 'pf-ident-src.service');
    await waitJournal(c, 'main', proxy, 'No such node');
    const r = await c.main.exec(`journalctl --no-pager -o short -u ${proxy} | grep 'No such node'`);
    expect(r.stdout).toMatch(/ bluechi-proxy\[\d+\]: Failed to activate /);
    expect(await unitJournal(c, 'main', proxy)).toContain(`Failed to activate ${proxy} (on worker9)`);
  });
});
