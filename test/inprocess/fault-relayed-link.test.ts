/**
 * The agent link through the fault relay (test/harness/fault-relay.ts), with
 * a real controller and agent in this process: a partition is noticed by both
 * sides and the silent peer is terminated, a reset link comes back by itself,
 * a slow link stays up. Heartbeats every 100 ms, thresholds of 500 ms on both
 * sides. A silent peer is terminated at once, so each side cuts it off once; a
 * polite close would wait for an answer (up to ws's 30 s closing timeout) and
 * leave the link half-open until a later check tore it down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultRelay } from '../harness/fault-relay.js';
import { runJob, startAgent, startController, waitFor, waitOnline, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController | undefined;
let agent: TestAgent | undefined;
let relay: FaultRelay | undefined;

afterEach(async () => {
  await agent?.stop();
  await ctl?.stop();
  await relay?.close();
  agent = ctl = relay = undefined;
});

async function relayedCluster() {
  ctl = await startController('HeartbeatInterval=100\nNodeHeartbeatThreshold=500', ['worker1']);
  relay = await FaultRelay.start(ctl.port);
  agent = startAgent('worker1', `tcp:host=127.0.0.1,port=${relay.port}`, {
    extra: 'HeartbeatInterval=100\nControllerHeartbeatThreshold=500',
  });
  const api = await ctl.api();
  await waitOnline(api, ['worker1']);
  return { ctl, relay, agent, api };
}

describe('the agent link through a faulty network', () => {
  it('a blackholed link: both sides drop it, and it comes back by itself once healed', async () => {
    const { ctl, relay, agent, api } = await relayedCluster();
    relay.blackhole();
    await waitOnline(api, ['worker1'], 'offline');
    await waitFor('the agent to give up on the controller', () => agent.agent.link.status !== 'connected');
    // Each side cut the silent peer off once, at once: terminated, not closed
    // politely (a polite close would leave it half-open until a later tick).
    expect(ctl.logs.lines.filter((l) => l.includes("Did not receive a heartbeat from node 'worker1'"))).toHaveLength(1);
    expect(agent.logs.lines.filter((l) => l.includes('Did not receive a heartbeat from the controller'))).toHaveLength(1);

    relay.heal();
    await waitOnline(api, ['worker1']);
    await waitFor('the agent to be connected', () => agent.agent.link.status === 'connected');
    expect((await runJob(api, 'start', 'worker1', 'bench.service')).result).toBe('done');
  });

  it('a reset link: the agent reconnects at once', async () => {
    const { relay, agent, api } = await relayedCluster();
    const before = relay.accepted;
    relay.cut();
    await waitFor('a new connection through the relay', () => relay.accepted > before);
    await waitOnline(api, ['worker1']);
    expect(agent.logs.lines.filter((l) => l.includes("Connected to controller as 'worker1'"))).toHaveLength(2);
  });

  it('a slow link below the thresholds stays up and carries jobs', async () => {
    const { ctl, relay, agent, api } = await relayedCluster();
    relay.slow(50);
    expect((await runJob(api, 'start', 'worker1', 'bench.service')).result).toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 700));
    relay.heal();
    await waitOnline(api, ['worker1']);
    expect(agent.logs.lines.filter((l) => l.includes("Connected to controller as 'worker1'"))).toHaveLength(1);
    expect(ctl.logs.lines.some((l) => l.includes('Did not receive a heartbeat'))).toBe(false);
  });
});
