import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, startController, waitFor, waitOnline, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let agents: TestAgent[] = [];

afterEach(async () => {
  for (const a of agents) await a.stop();
  agents = [];
  await ctl?.stop();
});

describe('registration', () => {
  it('brings three nodes online over TCP and the Unix socket, with peer IPs', async () => {
    ctl = await startController();
    agents.push(startAgent('main', `unix:path=${ctl.agentSocket}`));
    agents.push(startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`));
    agents.push(startAgent('worker2', `tcp:host=127.0.0.1,port=${ctl.port}`));
    const api = await ctl.api();
    await waitOnline(api, ['main', 'worker1', 'worker2']);
    const { nodes } = await api.call('ListNodes', {});
    expect(nodes.map((n) => [n.name, n.status, n.peerIp])).toEqual([
      ['main', 'online', ''],
      ['worker1', 'online', '::ffff:127.0.0.1'],
      ['worker2', 'online', '::ffff:127.0.0.1'],
    ]);
    for (const n of nodes) expect(n.lastSeen).toBeGreaterThan(Date.now() - 10_000);
  });

  it('refuses an unknown node name; it never appears and the agent logs why', async () => {
    ctl = await startController();
    const intruder = startAgent('intruder', `tcp:host=127.0.0.1,port=${ctl.port}`);
    agents.push(intruder);
    await waitFor('refusal logged', () => intruder.logs.lines.some((l) => l.includes("Registration as 'intruder' refused: Unexpected node name")));
    const api = await ctl.api();
    const { nodes } = await api.call('ListNodes', {});
    expect(nodes.map((n) => n.name)).toEqual(['main', 'worker1', 'worker2']);
    expect(nodes.every((n) => n.status === 'offline')).toBe(true);
    expect(ctl.logs.lines.some((l) => l.includes("Refused registration of node 'intruder': Unexpected node name"))).toBe(true);
  });

  it('refuses a second agent claiming an online name and keeps the first', async () => {
    ctl = await startController();
    const first = startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`);
    agents.push(first);
    const api = await ctl.api();
    await waitOnline(api, ['worker1']);
    const before = (await api.call('ListNodes', {})).nodes.find((n) => n.name === 'worker1')!;
    const second = startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`);
    agents.push(second);
    await waitFor('duplicate refused', () => second.logs.lines.some((l) => l.includes('refused: The node is already connected')));
    const after = (await api.call('ListNodes', {})).nodes.find((n) => n.name === 'worker1')!;
    expect(after.status).toBe('online');
    expect(after.connectedSince).toBe(before.connectedSince);
    expect(first.agent.link.status).toBe('connected');
    expect(second.agent.link.status).not.toBe('connected');
  });

  it('shows a stopped agent offline with its last-seen time, and online again after restart', async () => {
    ctl = await startController();
    const w1 = startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`);
    const api = await ctl.api();
    await waitOnline(api, ['worker1']);
    await w1.stop();
    await waitOnline(api, ['worker1'], 'offline');
    const offline = (await api.call('ListNodes', {})).nodes.find((n) => n.name === 'worker1')!;
    expect(offline).toMatchObject({ status: 'offline', peerIp: '', connectedSince: 0 });
    expect(offline.lastSeen).toBeGreaterThan(0);
    agents.push(startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`));
    await waitOnline(api, ['worker1']);
  });

  it('comes back through quick retries, without waiting for the next heartbeat tick', async () => {
    ctl = await startController();
    const { port, dir } = ctl;
    // With a one-minute heartbeat, only the quick retries can bring it back in time.
    const w1 = startAgent('worker1', `tcp:host=127.0.0.1,port=${port}`, { extra: 'HeartbeatInterval=60000' });
    agents.push(w1);
    await waitOnline(await ctl.api(), ['worker1']);
    await ctl.stop();
    await waitFor('agent notices', () => w1.agent.link.status !== 'connected');
    await new Promise((r) => setTimeout(r, 150));
    ctl = await startController('', ['main', 'worker1', 'worker2'], dir, port);
    await waitOnline(await ctl.api(), ['worker1']);
  });

  it('cuts off a node whose heartbeats stop, past NodeHeartbeatThreshold', async () => {
    ctl = await startController('HeartbeatInterval=100\nNodeHeartbeatThreshold=400');
    const w1 = startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`, { extra: 'HeartbeatInterval=100' });
    agents.push(w1);
    const api = await ctl.api();
    await waitOnline(api, ['worker1']);
    // Freeze the agent's timer: it stays connected but goes silent.
    const link = w1.agent.link as unknown as { timer: NodeJS.Timeout };
    clearInterval(link.timer);
    await waitFor('controller cuts the node off', () => ctl.logs.lines.some((l) => l.includes("Did not receive a heartbeat from node 'worker1'")));
    // Terminated, not closed politely: the agent sees the connection drop, without a reason.
    await waitFor('agent sees the disconnect', () => w1.logs.lines.some((l) => l.includes('Disconnected from controller')));
    expect(w1.logs.lines.some((l) => l.includes('heartbeat timeout'))).toBe(false);
  });

  it('agent cuts off a silent controller past ControllerHeartbeatThreshold and reconnects', async () => {
    ctl = await startController('HeartbeatInterval=0');
    const w1 = startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`, { extra: 'HeartbeatInterval=100\nControllerHeartbeatThreshold=300' });
    agents.push(w1);
    await waitFor('agent gives up on the silent controller', () => w1.logs.lines.some((l) => l.includes('Did not receive a heartbeat from the controller')));
    await waitFor('reconnected', () => w1.agent.link.status === 'connected');
  });

  it('reconnects by itself after the controller restarts', async () => {
    ctl = await startController();
    const port = ctl.port;
    const dir = ctl.dir;
    const w1 = startAgent('worker1', `tcp:host=127.0.0.1,port=${port}`);
    agents.push(w1);
    await waitOnline(await ctl.api(), ['worker1']);
    await ctl.stop();
    await waitFor('agent notices', () => w1.agent.link.status !== 'connected');
    ctl = await startController('', ['main', 'worker1', 'worker2'], dir, port);
    await waitOnline(await ctl.api(), ['worker1']);
  });
});
