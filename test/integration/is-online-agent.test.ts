/**
 * `bluechi-is-online agent` on an agent node, on real systemd (upstream's
 * bluechi-is-online-agent, -agent-wait and -agent-monitor): it reads the
 * agent's own Status (org.eclipse.bluechi.Agent on the node's system bus).
 *
 *   online                          exit 0, no output
 *   agent stopped (name unowned)    exit 1, the failed read and the offline line
 *   controller stopped              exit 1, the offline line (the agent is up, but offline)
 *   --wait=MS                       0 at once when online; 0 as soon as it comes online
 *                                   mid-wait; 1 when the time is up
 *   --monitor                       runs while online, exits 1 with the offline line
 *                                   once the agent or its controller goes away
 *
 * "At once" and "as soon as" are shown by a wait far longer than the test may
 * take; nothing here measures time.
 */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { AGENT_OFFLINE, agentStatus, FOREVER_MS, NO_ROUTE, run, useIsOnlineCluster } from './support/is-online.js';

const NOT_RUNNING = `${NO_ROUTE}${AGENT_OFFLINE}`;

let cluster: Cluster;
let worker1: SystemdNode;

/** Every test starts from a cluster that is up: controller and agent running, worker1 online. */
const { bg } = useIsOnlineCluster({ agents: ['worker1'], localAgent: null }, (c) => {
  cluster = c;
  worker1 = cluster.node('worker1');
});

describe('bluechi-is-online agent', () => {
  it('exits 0 without output while the agent is online', async () => {
    expect(await run(worker1, 'agent')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('exits 1 when the agent is stopped: the name has no owner, so the read fails', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    expect(await run(worker1, 'agent')).toEqual({ exitCode: 1, stdout: '', stderr: NOT_RUNNING });
  });

  it('exits 1 when the agent runs but has lost its controller', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus(worker1, 'offline');
    expect(await run(worker1, 'agent')).toEqual({ exitCode: 1, stdout: '', stderr: AGENT_OFFLINE });
  });
});

describe('bluechi-is-online agent --wait', () => {
  it('returns 0 at once when the agent is online', async () => {
    expect(await run(worker1, `agent --wait=${FOREVER_MS}`)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('returns 1 with the message once the wait is over and the agent is still stopped', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    expect(await run(worker1, 'agent --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: NOT_RUNNING });
  });

  it('returns 1 once the wait is over while the agent stays offline', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus(worker1, 'offline');
    expect(await run(worker1, 'agent --wait=1500')).toEqual({ exitCode: 1, stdout: '', stderr: AGENT_OFFLINE });
  });

  it('returns 0 as soon as a stopped agent is started and connects', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    const waiting = await bg(worker1, 'wait-agent-start', `agent --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await worker1.run('systemctl start bluechi-agent');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });

  it('returns 0 as soon as the agent reconnects to a controller that comes back', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus(worker1, 'offline');
    const waiting = await bg(worker1, 'wait-controller-start', `agent --wait=${FOREVER_MS}`);
    expect(await waiting.running()).toBe(true);
    await cluster.main.run('systemctl start bluechi-controller');
    expect(await waiting.waitExit()).toBe(0);
    expect(await waiting.err()).toBe('');
  });
});

describe('bluechi-is-online agent --monitor', () => {
  it('exits 1 at once when the agent is offline to begin with', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    expect(await run(worker1, 'agent --monitor')).toEqual({ exitCode: 1, stdout: '', stderr: NOT_RUNNING });
  });

  it('keeps running while the agent is online and exits 1 when the agent is stopped', async () => {
    const monitor = await bg(worker1, 'monitor-agent-stop', 'agent --monitor');
    // Still running after an unrelated change (another unit starts) and a fresh check.
    await worker1.run('systemctl start systemd-tmpfiles-clean.service || true');
    expect(await run(worker1, 'agent')).toMatchObject({ exitCode: 0 });
    expect(await monitor.running()).toBe(true);
    await worker1.run('systemctl stop bluechi-agent');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
    expect(await monitor.out()).toBe('');
  });

  it('exits 1 when the controller goes away and the agent goes offline', async () => {
    const monitor = await bg(worker1, 'monitor-controller-stop', 'agent --monitor');
    expect(await monitor.running()).toBe(true);
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
  });

  it('with --wait, waits for the agent to come online, then monitors it', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    const monitor = await bg(worker1, 'wait-then-monitor', `agent --wait=${FOREVER_MS} --monitor`);
    expect(await monitor.running()).toBe(true);
    await worker1.run('systemctl start bluechi-agent');
    await agentStatus(worker1, 'online');
    // Online now: it keeps running (monitoring) rather than returning 0.
    expect(await monitor.running()).toBe(true);
    await cluster.main.run('systemctl stop bluechi-controller');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
  });
});
