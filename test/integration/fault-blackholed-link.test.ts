/**
 * A partition between one agent and the controller, on real systemd: worker1
 * reaches the controller only through the fault relay in the test process
 * (test/harness/fault-relay.ts). While the relay swallows every byte, both
 * sides give up on each other (the node shows offline in `bluechictl status`,
 * the agent's own org.eclipse.bluechi.Agent Status goes offline); once it
 * passes bytes again the link comes back by itself. Nothing is lost: a proxy
 * on main whose target runs on worker1 stays up on both sides throughout.
 *
 * Heartbeats every 500 ms both ways; each side cuts off a peer silent for
 * 2000 ms (controller NodeHeartbeatThreshold, agent ControllerHeartbeatThreshold).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { FaultRelay } from '../harness/fault-relay.js';
import { nodeRow, waitFor, waitForNodeState } from '../harness/wait.js';
import { BusCtl } from './support/busctl.js';
import { ALLOW_DEPS, depOf, expectStates, jobOk, proxyOf, sourceUnit, targetUnit, TestUnits, waitStates } from './support/proxy-units.js';

const AGENT_CONF = 'HeartbeatInterval=500\nControllerHeartbeatThreshold=2000';

let cluster: Cluster;
let relay: FaultRelay;
let units: TestUnits;

/** The agent's own view, as a user on worker1 reads it. */
async function agentStatus(): Promise<unknown> {
  const bus = new BusCtl(cluster.node('worker1'), undefined, 'org.eclipse.bluechi.Agent');
  return bus.get('/org/eclipse/bluechi', 'org.eclipse.bluechi.Agent', 'Status');
}

const invocation = async (node: string, unit: string) =>
  (await cluster.node(node).run(`systemctl show -p InvocationID --value ${unit}`)).stdout.trim();

beforeAll(async () => {
  cluster = await startCluster({
    agents: ['worker1'],
    controllerConf: `HeartbeatInterval=500\nNodeHeartbeatThreshold=2000\n${ALLOW_DEPS}`,
    agentConf: { main: AGENT_CONF, worker1: AGENT_CONF },
    start: false,
  });
  relay = await FaultRelay.start(cluster.port);
  // A later drop-in: worker1 dials the relay instead of the controller.
  await cluster.node('worker1').writeFile('/etc/bluechi/agent.conf.d/2.conf', `[bluechi-agent]\nControllerPort=${relay.port}\n`);
  await cluster.startServices();
  await cluster.waitOnline();
  units = new TestUnits(cluster);
});

afterAll(async () => {
  await units?.cleanup().catch(() => undefined);
  await relay?.close();
  await cluster?.stop();
});

describe('a blackholed link between worker1 and the controller', () => {
  it('worker1 reaches the controller through the relay', async () => {
    expect(relay.open).toBeGreaterThanOrEqual(1);
    expect(await agentStatus()).toBe('online');
  });

  it('both sides drop the link, the proxy and its target stay up, and the link heals by itself', async () => {
    const proxy = proxyOf('worker1', 'fb-target');
    await units.write('worker1', 'fb-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'fb-src.service', sourceUnit('Requires', proxy));
    await jobOk(cluster, 'start', 'main', 'fb-src.service');
    await waitStates(cluster, 'worker1', { 'fb-target.service': 'active/exited', [depOf('fb-target')]: 'active/exited' });
    const target = await invocation('worker1', 'fb-target.service');

    relay.blackhole();
    const row = await waitForNodeState(cluster, 'worker1', 'offline', { timeoutMs: 20_000 });
    expect(row.ip).toBe('');
    await waitFor('the agent on worker1 to show offline', async () => (await agentStatus()) === 'offline', { timeoutMs: 20_000 });
    const controllerLog = (await cluster.main.run('journalctl --no-pager -o cat -u bluechi-controller')).stdout;
    expect(controllerLog).toMatch(/^Did not receive a heartbeat from node 'worker1' for \d+ ms, disconnecting it/m);
    const agentLog = (await cluster.node('worker1').run('journalctl --no-pager -o cat -u bluechi-agent')).stdout;
    expect(agentLog).toMatch(/^Did not receive a heartbeat from the controller for \d+ ms, disconnecting/m);

    // While cut off, nothing is stopped on either side.
    await expectStates(cluster, 'main', { 'fb-src.service': 'active/exited', [proxy]: 'active/exited' });
    const onWorker1 = await cluster.node('worker1').exec(`systemctl is-active fb-target.service ${depOf('fb-target')}`);
    expect(onWorker1.stdout).toBe('active\nactive\n');
    expect((await nodeRow(cluster, 'main'))?.state).toBe('online');

    relay.heal();
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 20_000 });
    await waitFor('the agent on worker1 to show online', async () => (await agentStatus()) === 'online', { timeoutMs: 20_000 });
    // Same agent process (no restart), and the very same target run.
    expect((await cluster.node('worker1').run('systemctl show -p NRestarts --value bluechi-agent')).stdout).toBe('0\n');
    await waitStates(cluster, 'worker1', { 'fb-target.service': 'active/exited', [depOf('fb-target')]: 'active/exited' });
    await expectStates(cluster, 'main', { 'fb-src.service': 'active/exited', [proxy]: 'active/exited' });
    expect(await invocation('worker1', 'fb-target.service')).toBe(target);

    // And the link carries requests again: stopping the target stops the Requires= source.
    await jobOk(cluster, 'stop', 'worker1', 'fb-target.service');
    await waitStates(cluster, 'main', { 'fb-src.service': 'inactive/dead', [proxy]: 'inactive/dead' });
  });

  it('a reset link (every connection cut) comes back at once, without a restart', async () => {
    const before = relay.accepted;
    relay.cut();
    await waitFor('a new connection through the relay', async () => relay.accepted > before);
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 20_000 });
    expect(await agentStatus()).toBe('online');
    expect((await cluster.node('worker1').run('systemctl show -p NRestarts --value bluechi-agent')).stdout).toBe('0\n');
  });
});
