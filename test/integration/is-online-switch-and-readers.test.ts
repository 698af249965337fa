/**
 * `bluechi-is-online` on real systemd across a controller switch, and run by
 * users other than root.
 *
 *   agent --monitor --switch-timeout=MS   the agent's SwitchController to a second
 *                                         controller (on main, its own port and API
 *                                         socket): the agent goes offline and comes
 *                                         back online there; the tool keeps running,
 *                                         and still exits 1 when the agent stops later
 *   ... switch to a port nobody listens on  exits 1 with the offline line once the
 *                                         window is over
 *   agent --monitor (no --switch-timeout) a switch ends it: exit 1, the offline line
 *   a member of bluechi-readers           agent, node NAME and system exit 0 while
 *                                         online; --monitor sees the node go offline
 *   a user outside the group              exit 1: the bus refuses the read
 *                                         (`Failed to get property: Permission denied`)
 *
 * Nothing here measures time: a window that must not close during a test is an
 * hour long.
 */
import { describe, expect, it } from 'vitest';
import { freePort, type Cluster } from '../harness/cluster.js';
import { shq, type SystemdNode } from '../harness/systemd-container.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';
import { AGENT_OFFLINE, CONTROLLER_OFFLINE, FOREVER_MS, run, useIsOnlineCluster } from './support/is-online.js';
import { configureController2, CONTROLLER2_API, startController2 } from './support/second-controller.js';

const DENIED = 'Failed to get property: Permission denied\n';

const AGENT = 'org.eclipse.bluechi.Agent';
const AGENT_PATH = '/org/eclipse/bluechi';

const READER = 'reader';
const OUTSIDER = 'outsider';

let cluster: Cluster;
let worker1: SystemdNode;
/** ControllerAddress of the second controller, and of a port nothing listens on. */
let controller2: string;
let nowhere: string;

const { bg } = useIsOnlineCluster(
  { agents: ['worker1'], localAgent: null },
  async (c) => {
    cluster = c;
    worker1 = cluster.node('worker1');
    const [port2, deadPort] = [await freePort(), await freePort()];
    controller2 = `tcp:host=127.0.0.1,port=${port2}`;
    nowhere = `tcp:host=127.0.0.1,port=${deadPort}`;
    await configureController2(cluster.main, port2);
    await startController2(cluster.main);
    const addUsers = `useradd --groups bluechi-readers ${READER} && useradd ${OUTSIDER}`;
    await Promise.all([cluster.main.run(addUsers), worker1.run(addUsers)]);
  },
  /**
   * Every test starts from the configured cluster: worker1 online on the first
   * controller. A restart of the agent undoes a switch (SwitchController lasts
   * until the agent restarts); reset-failed keeps systemd's start limit out of it.
   */
  async () => {
    const configured = `tcp:host=127.0.0.1,port=${cluster.port}`;
    const active = (await worker1.exec('systemctl is-active bluechi-agent')).exitCode === 0;
    if (!active || (await agentProperty('ControllerAddress')) !== configured) {
      await worker1.run('systemctl reset-failed bluechi-agent; systemctl restart bluechi-agent');
    }
    await cluster.waitOnline();
  },
);

/** One property of the agent on worker1, read with busctl as root (independent of the tool). */
async function agentProperty(name: 'Status' | 'ControllerAddress'): Promise<string> {
  const r = await worker1.exec(`busctl --json=short get-property ${AGENT} ${AGENT_PATH} ${AGENT} ${name}`);
  if (r.exitCode !== 0) throw new Error(`busctl get-property ${name} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { data: string }).data;
}

/** The agent's SwitchController, called with busctl as root on worker1; it answers at once. */
async function switchController(address: string): Promise<void> {
  expect(await worker1.exec(`busctl call ${AGENT} ${AGENT_PATH} ${AGENT} SwitchController s ${shq(address)}`)).toEqual({
    exitCode: 0,
    stdout: '',
    stderr: '',
  });
}

/** Waits until the second controller lists worker1 as online, and the agent says it is online. */
async function onlineOnController2(): Promise<void> {
  await waitFor('worker1 online on the second controller', async () => {
    const r = await cluster.main.exec(`BLUECHI_API_SOCKET=${CONTROLLER2_API} bluechictl status worker1`);
    return r.exitCode === 0 && /\|\s*online\s*\|/.test(r.stdout);
  });
  await waitFor('the agent on worker1 online', async () => (await agentProperty('Status')) === 'online');
  expect(await agentProperty('ControllerAddress')).toBe(controller2);
}

describe('bluechi-is-online agent --monitor across SwitchController', () => {
  it('with --switch-timeout keeps running while the agent moves to another controller, and exits 1 when the agent stops afterwards', async () => {
    const monitor = await bg(worker1, 'switch-to-controller2', `agent --monitor --switch-timeout=${FOREVER_MS}`);
    await switchController(controller2);
    await onlineOnController2();
    // The first controller lost the node: the agent really went away from it and came back elsewhere.
    await waitForNodeState(cluster, 'worker1', 'offline');
    expect(await monitor.running()).toBe(true);

    // The window closed when the agent came back online (it is an hour long): going offline now ends the tool.
    await worker1.run('systemctl stop bluechi-agent');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
    expect(await monitor.out()).toBe('');
  });

  it('with --switch-timeout exits 1 with the offline line once the window is over and the new controller never answered', async () => {
    const monitor = await bg(worker1, 'switch-to-nowhere', 'agent --monitor --switch-timeout=2000');
    expect(await monitor.running()).toBe(true);
    await switchController(nowhere);
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
    expect(await monitor.out()).toBe('');
    // What it reported is what the agent says: still trying the new address, offline.
    expect(await agentProperty('ControllerAddress')).toBe(nowhere);
    expect(await agentProperty('Status')).toBe('offline');
  });

  it('without --switch-timeout exits 1 when a switch takes the agent offline, even though the switch succeeds', async () => {
    const monitor = await bg(worker1, 'switch-without-window', 'agent --monitor');
    expect(await monitor.running()).toBe(true);
    await switchController(controller2);
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(AGENT_OFFLINE);
    expect(await monitor.out()).toBe('');
    await onlineOnController2();
  });
});

describe('bluechi-is-online run by a member of bluechi-readers', () => {
  it('agent exits 0 without output while the agent is online', async () => {
    expect(await worker1.exec(`id -nG ${READER}`)).toMatchObject({ stdout: `${READER} bluechi-readers\n` });
    expect(await run(worker1, 'agent', READER)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('node NAME exits 0 without output while the node is online', async () => {
    expect(await run(cluster.main, 'node worker1', READER)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('system exits 0 without output while every node is online', async () => {
    expect(await run(cluster.main, 'system', READER)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('node NAME --monitor keeps running while the node is online and exits 1 when its agent stops', async () => {
    const monitor = await bg(cluster.main, 'reader-monitor-node', 'node worker1 --monitor', READER);
    expect(await monitor.running()).toBe(true);
    expect((await cluster.main.exec(`ps -o user= -p $(pgrep -P ${monitor.pid})`)).stdout.trim()).toBe(READER);
    await worker1.run('systemctl stop bluechi-agent');
    expect(await monitor.waitExit()).toBe(1);
    expect(await monitor.err()).toBe(CONTROLLER_OFFLINE);
  });
});

describe('bluechi-is-online run by a user outside bluechi-readers', () => {
  it('agent exits 1: the bus refuses the read, so the agent counts as offline', async () => {
    expect(await agentProperty('Status')).toBe('online');
    expect(await run(worker1, 'agent', OUTSIDER)).toEqual({ exitCode: 1, stdout: '', stderr: `${DENIED}${AGENT_OFFLINE}` });
  });

  it.each(['node worker1', 'system'])('%s exits 1: the bus refuses the read', async (args) => {
    expect(await run(cluster.main, args, OUTSIDER)).toEqual({ exitCode: 1, stdout: '', stderr: `${DENIED}${CONTROLLER_OFFLINE}` });
    // Root, on the same machine at the same time, finds it online.
    expect(await run(cluster.main, args)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});
