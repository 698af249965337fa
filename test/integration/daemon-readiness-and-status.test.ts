/**
 * Both daemons are Type=notify on real systemd: `systemctl start` returns once
 * they are ready, and `systemctl status` shows a status line kept current —
 * the controller counts the nodes online, an agent says whether it is
 * registered or retrying. An agent is ready without a controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';

/** The unit's StatusText once it equals `text`. */
function waitForStatus(node: SystemdNode, unit: string, text: string): Promise<string> {
  return waitFor(`${unit} on ${node.name} to show status "${text}"`, async () => {
    const shown = (await node.run(`systemctl show -p StatusText --value ${unit}`)).stdout.trimEnd();
    return shown === text ? shown : undefined;
  }, { timeoutMs: 20_000 });
}

describe('readiness and status lines', () => {
  let cluster: Cluster;
  let worker1: SystemdNode;
  let workerAddress: string;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    worker1 = cluster.node('worker1');
    workerAddress = `tcp:host=127.0.0.1,port=${cluster.port}`;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('both units are notify services, active and running once started', async () => {
    for (const [node, unit] of [[cluster.main, 'bluechi-controller'], [cluster.main, 'bluechi-agent'], [worker1, 'bluechi-agent']] as const) {
      const show = await node.run(`systemctl show -p Type,NotifyAccess,ActiveState,SubState ${unit}`);
      // The controller's notifications come from its systemd-notify child (it has no CAP_SYS_ADMIN to send in its name).
      const access = unit === 'bluechi-controller' ? 'all' : 'main';
      expect(show.stdout, `${unit} on ${node.name}`).toBe(`Type=notify\nNotifyAccess=${access}\nActiveState=active\nSubState=running\n`);
    }
  });

  it('systemctl start returns once the controller listens: the local API answers at once', async () => {
    await cluster.main.run('systemctl restart bluechi-controller');
    const status = await cluster.ctl('status');
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('worker1');
    await cluster.waitOnline();
  });

  it('the controller counts the nodes online, and the agents say they are registered', async () => {
    await waitForStatus(cluster.main, 'bluechi-controller', '2 of 2 nodes online');
    await waitForStatus(cluster.main, 'bluechi-agent', 'registered as main');
    await waitForStatus(worker1, 'bluechi-agent', 'registered as worker1');
    expect((await cluster.main.run('systemctl status --no-pager bluechi-controller')).stdout).toContain('Status: "2 of 2 nodes online"');
  });

  it('the controller follows a node going away and coming back', async () => {
    await worker1.run('systemctl stop bluechi-agent');
    await waitForStatus(cluster.main, 'bluechi-controller', '1 of 2 nodes online');
    await worker1.run('systemctl start bluechi-agent');
    await waitForStatus(cluster.main, 'bluechi-controller', '2 of 2 nodes online');
  });

  it('an agent is ready without a controller, says it is retrying, and registers once the controller is back', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await waitForStatus(worker1, 'bluechi-agent', `controller unreachable, retrying (${workerAddress})`);
    // Restarting the agent now: systemctl waits for READY=1, which does not wait for the controller.
    const restart = await worker1.exec('systemctl restart bluechi-agent');
    expect(restart.exitCode).toBe(0);
    expect((await worker1.exec('systemctl is-active bluechi-agent')).stdout).toBe('active\n');
    await waitForStatus(worker1, 'bluechi-agent', `controller unreachable, retrying (${workerAddress})`);
    await cluster.main.run('systemctl start bluechi-controller');
    await waitForStatus(worker1, 'bluechi-agent', 'registered as worker1');
    await waitForStatus(cluster.main, 'bluechi-controller', '2 of 2 nodes online');
  });
});
