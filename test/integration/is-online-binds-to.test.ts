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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';

const ONLINE_UNIT = `[Unit]
Description=The BlueChi agent on this node is connected to its controller
After=bluechi-agent.service

[Service]
ExecStart=/usr/bin/bluechi-is-online agent --initial-wait=60000
`;

const WORKLOAD_UNIT = `[Unit]
Description=Runs only while this node is connected to its controller
BindsTo=bluechi-online.service
After=bluechi-online.service

[Service]
ExecStart=/bin/sleep infinity
`;

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

const GATED_WORKLOAD_UNIT = `[Unit]
Description=Runs only while this node is connected to its controller
BindsTo=gated-online.service
After=gated-online.service

[Service]
ExecStart=/bin/sleep infinity
`;

let cluster: Cluster;
let worker1: SystemdNode;

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'], localAgent: null });
  worker1 = cluster.node('worker1');
  await worker1.writeFile('/etc/systemd/system/bluechi-online.service', ONLINE_UNIT);
  await worker1.writeFile('/etc/systemd/system/workload.service', WORKLOAD_UNIT);
  await worker1.writeFile('/etc/systemd/system/gated-online.service', GATED_ONLINE_UNIT);
  await worker1.writeUnit('gated-workload.service', GATED_WORKLOAD_UNIT);
});

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  await worker1.run('systemctl stop gated-online.service gated-workload.service workload.service bluechi-online.service; systemctl reset-failed');
  await cluster.main.run('systemctl start bluechi-controller');
  await worker1.run('systemctl start bluechi-agent');
  await cluster.waitOnline();
});

async function state(unit: string): Promise<string> {
  return (await worker1.exec(`systemctl is-active ${unit}`)).stdout.trim();
}

function waitState(unit: string, wanted: string) {
  return waitFor(`${unit} to be ${wanted}`, async () => ((await state(unit)) === wanted ? wanted : undefined));
}

/**
 * Waits until the process `pid` (a shell expression) is on the system bus
 * with bluechi-is-online's two match rules in place (dbus-daemon's connection
 * statistics); it sends its read of Status right after, so whatever a test
 * does next happens to a running watch.
 */
function watching(node: SystemdNode, pid: string) {
  const script =
    `pid=${pid}; name=$(busctl list --unique --no-legend | awk -v pid="$pid" '$2 == pid {print $1; exit}'); ` +
    `[ -n "$name" ] && busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.Debug.Stats GetConnectionStats s "$name"`;
  return waitFor(`process ${pid} to watch the bus`, async () => /"MatchRules" u [2-9]/.test((await node.exec(script)).stdout) || undefined);
}

/** Waits until the unit's main process (bluechi-is-online) watches the bus. */
function unitWatching(unit: string) {
  return watching(worker1, `$(systemctl show -p MainPID --value ${unit})`);
}

function agentStatus(status: 'online' | 'offline') {
  return waitFor(`the agent on worker1 to be ${status}`, async () => {
    const r = await worker1.exec('busctl get-property org.eclipse.bluechi.Agent /org/eclipse/bluechi org.eclipse.bluechi.Agent Status');
    return r.stdout === `s "${status}"\n` || undefined;
  });
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
    await agentStatus('offline');
    await worker1.run('systemctl start workload.service');
    expect(await state('bluechi-online.service')).toBe('active');
    await unitWatching('bluechi-online.service');

    await cluster.main.run('systemctl start bluechi-controller');
    await agentStatus('online');
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
    await agentStatus('offline');
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
