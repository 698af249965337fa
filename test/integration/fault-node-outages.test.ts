/**
 * A node's agent hanging, dying and the whole node going down, on real
 * systemd, each seen the way users see it (`bluechictl status`, the units'
 * states) and each losing nothing: worker1 runs a long-lived service and the
 * target of a proxy whose source runs on main.
 *
 *   SIGSTOP     the node shows offline (heartbeats stop), and online again on
 *               SIGCONT, the same agent process; the units run on untouched
 *   SIGKILL     systemd starts the agent again (Restart=on-abnormal); the node
 *               is back online, the units still the same runs
 *   power-off   the container stopped and started: offline, then online once
 *               it has booted, and the controller asks for the proxy's target
 *               again, so it runs again
 *
 * The controller beats every 500 ms and cuts off a node silent for 2000 ms;
 * the agents beat every 500 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';
import { ALLOW_DEPS, depOf, expectStates, jobOk, proxyOf, sourceUnit, targetUnit, TestUnits, waitStates } from './support/proxy-units.js';

const LONG = '[Service]\nExecStart=/bin/sleep infinity\n';
const PROXY = proxyOf('worker1', 'fn-target');

let cluster: Cluster;
let units: TestUnits;

const show = async (node: string, unit: string, props: string) =>
  (await cluster.node(node).run(`systemctl show ${props.split(' ').map((p) => `-p ${p}`).join(' ')} ${unit} | sort`)).stdout;

/** What must not change while the agent is away: the runs of the units on worker1. */
const runs = () => show('worker1', 'fn-long.service fn-target.service', 'InvocationID MainPID');

async function expectProxyUp(): Promise<void> {
  await expectStates(cluster, 'main', { 'fn-src.service': 'active/exited', [PROXY]: 'active/exited' });
  await waitStates(cluster, 'worker1', {
    'fn-long.service': 'active/running',
    'fn-target.service': 'active/exited',
    [depOf('fn-target')]: 'active/exited',
  });
}

beforeAll(async () => {
  cluster = await startCluster({
    agents: ['worker1'],
    controllerConf: `HeartbeatInterval=500\nNodeHeartbeatThreshold=2000\n${ALLOW_DEPS}`,
    agentConf: { main: 'HeartbeatInterval=500', worker1: 'HeartbeatInterval=500' },
  });
  units = new TestUnits(cluster);
  await units.write('worker1', 'fn-long.service', LONG);
  await units.write('worker1', 'fn-target.service', targetUnit());
  await units.write('main', 'fn-src.service', sourceUnit('Requires', PROXY));
  await jobOk(cluster, 'start', 'worker1', 'fn-long.service');
  await jobOk(cluster, 'start', 'main', 'fn-src.service');
  await expectProxyUp();
});

afterAll(async () => {
  await units?.cleanup().catch(() => undefined);
  await cluster?.stop();
});

describe('a node whose agent hangs, dies, or whose machine goes down', () => {
  it('a hung agent (SIGSTOP) shows offline, and online again by itself on SIGCONT', async () => {
    const worker1 = cluster.node('worker1');
    const before = await runs();
    const pid = (await worker1.run('systemctl show -p MainPID --value bluechi-agent')).stdout.trim();
    await worker1.run(`kill -STOP ${pid}`);
    try {
      const row = await waitForNodeState(cluster, 'worker1', 'offline', { timeoutMs: 20_000 });
      expect(row.ip).toBe('');
      await expectStates(cluster, 'main', { 'fn-src.service': 'active/exited', [PROXY]: 'active/exited' });
      expect(await cluster.ctl('list-units worker1')).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: 'Failed to issue method call: Node is offline\n',
      });
    } finally {
      await worker1.run(`kill -CONT ${pid}`);
    }
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 20_000 });
    expect(await show('worker1', 'bluechi-agent', 'MainPID NRestarts')).toBe(`MainPID=${pid}\nNRestarts=0\n`);
    await expectProxyUp();
    expect(await runs()).toBe(before);
  });

  it('a killed agent (SIGKILL) is started again by systemd; its units are untouched', async () => {
    const before = await runs();
    await cluster.node('worker1').run('systemctl kill -s KILL bluechi-agent');
    await waitFor('systemd to start the agent again', async () => {
      const state = await show('worker1', 'bluechi-agent', 'ActiveState NRestarts');
      return state === 'ActiveState=active\nNRestarts=1\n' && state;
    }, { timeoutMs: 20_000 });
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 20_000 });
    await expectProxyUp();
    expect(await runs()).toBe(before);
    // The new agent serves requests.
    expect(await cluster.ctl('restart worker1 fn-long.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit fn-long.service RestartUnit operation result: done\n',
      stderr: '',
    });
  });

  it('a node powered off shows offline; booted again, it comes online and runs the proxy target again', async () => {
    const worker1 = cluster.node('worker1');
    // As an installed node would: the agent starts at boot.
    await worker1.run('systemctl enable bluechi-agent');
    const target = (await worker1.run('systemctl show -p InvocationID --value fn-target.service')).stdout;
    expect((await worker1.exec('systemctl is-active fn-long.service')).stdout).toBe('active\n');
    await worker1.halt();
    const row = await waitForNodeState(cluster, 'worker1', 'offline', { timeoutMs: 20_000 });
    expect(row.ip).toBe('');
    await expectStates(cluster, 'main', { 'fn-src.service': 'active/exited', [PROXY]: 'active/exited' });

    await worker1.boot();
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 60_000 });
    // Nothing on worker1 was enabled but the agent; the controller kept the
    // dependency and sent it again, so the target runs again.
    await waitStates(cluster, 'worker1', { 'fn-target.service': 'active/exited', [depOf('fn-target')]: 'active/exited' });
    await expectStates(cluster, 'main', { 'fn-src.service': 'active/exited', [PROXY]: 'active/exited' });
    // A new run of the target on a freshly booted node, where the unit that was not enabled is down.
    expect((await worker1.run('systemctl show -p InvocationID --value fn-target.service')).stdout).not.toBe(target);
    expect((await worker1.exec('systemctl is-active fn-long.service')).stdout).toBe('inactive\n');
  });
});
