/**
 * A workload bound to the agent's connection, on real systemd, with the units
 * docs/bluechi-is-online.md shows: a unit runs `bluechi-is-online agent` and
 * the workload has `BindsTo=` and `After=` on it, so the workload stops when
 * the node loses its controller.
 *
 *   --initial-wait   one process: waits for the agent to come online (the
 *                    workload keeps running meanwhile), then monitors
 *   gated            ExecStartPre waits (the workload starts only once the agent
 *                    is online), ExecStart monitors; Restart= and Upholds= bring
 *                    the workload back when the connection is
 */
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { agentStatus, restartDaemons, useIsOnlineCluster, watching } from './support/is-online.js';

const ONLINE_UNIT = `[Unit]
Description=The BlueChi agent on this node is connected to its controller
After=bluechi-agent.service

[Service]
ExecStart=/usr/bin/bluechi-is-online agent --initial-wait=60000
`;

/** A workload that runs only while `online` (a unit that runs bluechi-is-online) runs: BindsTo= and After= on it. */
const workloadUnit = (online: string): string => `[Unit]
Description=Runs only while this node is connected to its controller
BindsTo=${online}
After=${online}

[Service]
ExecStart=/bin/sleep infinity
`;

const WORKLOAD_UNIT = workloadUnit('bluechi-online.service');

const GATED_ONLINE_UNIT = `[Unit]
Description=The BlueChi agent on this node is connected to its controller
After=bluechi-agent.service
Upholds=gated-workload.service

[Service]
Type=exec
ExecStartPre=/usr/bin/bluechi-is-online agent --wait=60000
ExecStart=/usr/bin/bluechi-is-online agent --monitor
Restart=always
RestartSec=1
`;

const GATED_WORKLOAD_UNIT = workloadUnit('gated-online.service');

let cluster: Cluster;
let worker1: SystemdNode;

useIsOnlineCluster(
  { agents: ['worker1'], localAgent: null },
  async (c) => {
    cluster = c;
    worker1 = cluster.node('worker1');
    await worker1.writeFile('/etc/systemd/system/bluechi-online.service', ONLINE_UNIT);
    await worker1.writeFile('/etc/systemd/system/workload.service', WORKLOAD_UNIT);
    await worker1.writeFile('/etc/systemd/system/gated-online.service', GATED_ONLINE_UNIT);
    await worker1.writeUnit('gated-workload.service', GATED_WORKLOAD_UNIT);
  },
  async (c) => {
    await worker1.run('systemctl stop gated-online.service gated-workload.service workload.service bluechi-online.service; systemctl reset-failed');
    await restartDaemons(c);
  },
);

async function state(unit: string): Promise<string> {
  return (await worker1.exec(`systemctl is-active ${unit}`)).stdout.trim();
}

function waitState(unit: string, wanted: string) {
  return waitFor(`${unit} to be ${wanted}`, async () => ((await state(unit)) === wanted ? wanted : undefined));
}

/** Waits until the unit's main process (bluechi-is-online) watches the bus. */
function unitWatching(unit: string) {
  return watching(worker1, `$(systemctl show -p MainPID --value ${unit})`);
}

describe('a workload with BindsTo= on a unit that runs bluechi-is-online', () => {
  it('stops when the controller stops, and the online unit fails with the message', async () => {
    await worker1.run('systemctl start workload.service');
    expect(await state('bluechi-online.service')).toBe('active');
    expect(await state('workload.service')).toBe('active');
    await unitWatching('bluechi-online.service');

    await cluster.main.run('systemctl stop bluechi-controller');
    await waitState('workload.service', 'inactive');
    expect(await state('bluechi-online.service')).toBe('failed');
    const show = await worker1.run('systemctl show -p Result -p ExecMainStatus bluechi-online.service');
    expect(show.stdout).toBe('Result=exit-code\nExecMainStatus=1\n');
    const journal = await worker1.run('journalctl --no-pager -o cat -u bluechi-online.service');
    expect(journal.stdout.split('\n')).toContain('org.eclipse.bluechi.Agent is offline');
  });

  it('stops when the agent itself stops', async () => {
    await worker1.run('systemctl start workload.service');
    expect(await state('workload.service')).toBe('active');
    await unitWatching('bluechi-online.service');
    await worker1.run('systemctl stop bluechi-agent');
    await waitState('workload.service', 'inactive');
    expect(await state('bluechi-online.service')).toBe('failed');
  });

  it('--initial-wait: started while offline (as at boot), it waits, then monitors', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus(worker1, 'offline');
    await worker1.run('systemctl start workload.service');
    expect(await state('bluechi-online.service')).toBe('active');
    await unitWatching('bluechi-online.service');

    await cluster.main.run('systemctl start bluechi-controller');
    await agentStatus(worker1, 'online');
    // Came online within the initial wait: still running, now monitoring.
    expect(await state('bluechi-online.service')).toBe('active');
    expect(await state('workload.service')).toBe('active');

    await cluster.main.run('systemctl stop bluechi-controller');
    await waitState('workload.service', 'inactive');
    expect(await state('bluechi-online.service')).toBe('failed');
  });
});

describe('the gated variant: ExecStartPre waits, ExecStart monitors', () => {
  it('starts the workload only once the agent is online, stops it on a disconnect, and brings it back', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    await agentStatus(worker1, 'offline');
    await worker1.run('systemctl start --no-block gated-workload.service');
    await waitState('gated-online.service', 'activating');
    // Not started while the agent is offline.
    expect(await state('gated-workload.service')).not.toBe('active');

    await cluster.main.run('systemctl start bluechi-controller');
    await waitState('gated-workload.service', 'active');
    expect(await state('gated-online.service')).toBe('active');
    await unitWatching('gated-online.service');

    await cluster.main.run('systemctl stop bluechi-controller');
    await waitState('gated-workload.service', 'inactive');

    // Restart= starts the online unit again; it waits in ExecStartPre, and
    // Upholds= starts the workload once it is up.
    await cluster.main.run('systemctl start bluechi-controller');
    await waitState('gated-workload.service', 'active');
    expect(await state('gated-online.service')).toBe('active');
  });
});
