/**
 * bluechi-controller.socket: systemd listens on the controller's TCP port and
 * agent Unix socket, and the first agent to connect starts the controller,
 * which serves the sockets systemd passed (it binds neither itself: the Unix
 * socket keeps the inode systemd gave it). Without the socket the controller
 * binds its listeners itself, as always. A controller stopped while its
 * socket listens comes back at the agents' next reconnect, and the units
 * started on the nodes before keep running.
 *
 * The cluster's controller port is not the default 842, so the socket gets a
 * drop-in with the same port, as docs/operations.md tells operators to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { MAIN_AND_WORKER1_ONLINE } from '../harness/expected-output.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

const AGENT_SOCKET = '/run/bluechi/bluechi.sock';
const SLEEPER = '[Service]\nExecStart=/bin/sleep infinity\n';

/** `bluechictl status` lists main (Unix socket) and worker1 (TCP), both online. */
async function expectBothOnline(cluster: Cluster): Promise<void> {
  expect(await cluster.ctl('status')).toEqual({
    exitCode: 0,
    stdout: MAIN_AND_WORKER1_ONLINE,
    stderr: '',
  });
}

describe('socket activation of the controller', () => {
  let cluster: Cluster;

  /** `systemctl show -p KEY --value UNIT` on main. */
  async function show(unit: string, key: string): Promise<string> {
    return (await cluster.main.run(`systemctl show -p ${key} --value ${unit}`)).stdout.trim();
  }

  function controllerActive(): Promise<string> {
    return waitFor('bluechi-controller.service to be active', async () => (await show('bluechi-controller.service', 'ActiveState')) === 'active' && 'active', { timeoutMs: 30_000 });
  }

  async function agentSocketInode(): Promise<string> {
    return (await cluster.main.run(`stat -c %i ${AGENT_SOCKET}`)).stdout.trim();
  }

  async function controllerJournal(): Promise<string[]> {
    return (await cluster.main.run('journalctl --no-pager -o cat -u bluechi-controller')).stdout.split('\n');
  }

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    await cluster.main.writeFile(
      '/etc/systemd/system/bluechi-controller.socket.d/port.conf',
      `[Socket]\nListenStream=\nListenStream=${cluster.port}\nListenStream=${AGENT_SOCKET}\n`,
    );
    await cluster.main.run('systemctl daemon-reload');
    await cluster.node('worker1').writeUnit('sleeper.service', SLEEPER);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves agents when started by hand, without its socket', async () => {
    expect(await show('bluechi-controller.socket', 'ActiveState')).toBe('inactive');
    expect(await show('bluechi-controller.service', 'ActiveState')).toBe('active');
    await expectBothOnline(cluster);
  });

  it('is started by a local agent connecting to its Unix socket, and serves that very socket', async () => {
    await cluster.main.run('systemctl stop bluechi-agent');
    await cluster.node('worker1').run('systemctl stop bluechi-agent');
    await cluster.main.run('systemctl stop bluechi-controller.service');
    await cluster.main.run('systemctl start bluechi-controller.socket');
    expect(await show('bluechi-controller.socket', 'SubState')).toBe('listening');
    expect(await show('bluechi-controller.service', 'ActiveState')).toBe('inactive');
    const inode = await agentSocketInode();

    await cluster.main.run('systemctl start bluechi-agent');
    await controllerActive();
    await waitForNodeState(cluster, 'main', 'online');
    expect(await show('bluechi-controller.socket', 'SubState')).toBe('running');
    // The controller listens on systemd's socket; it did not make its own.
    expect(await agentSocketInode()).toBe(inode);
    const journal = await controllerJournal();
    const count = (prefix: string) => journal.filter((line) => line.startsWith(prefix)).length;
    expect(count(`Waiting for agent connections on port ${cluster.port} (socket passed by systemd)`)).toBe(1);
    expect(count(`Waiting for agent connections on the Unix socket passed by systemd as fd `)).toBe(1);
    // Binding its own listeners: only the start by hand did that.
    expect(count(`Waiting for agent connections on socket ${AGENT_SOCKET}`)).toBe(1);
  });

  it('is started by a remote agent connecting to its TCP port', async () => {
    await cluster.main.run('systemctl stop bluechi-agent');
    await cluster.main.run('systemctl stop bluechi-controller.service');
    expect(await show('bluechi-controller.service', 'ActiveState')).toBe('inactive');
    expect(await show('bluechi-controller.socket', 'SubState')).toBe('listening');

    await cluster.node('worker1').run('systemctl start bluechi-agent');
    await controllerActive();
    await waitForNodeState(cluster, 'worker1', 'online');
    await cluster.main.run('systemctl start bluechi-agent');
    await waitForNodeState(cluster, 'main', 'online');
    await expectBothOnline(cluster);
  });

  it('comes back at the next agent reconnect after it was stopped, and the units on the nodes keep running', async () => {
    const worker1 = cluster.node('worker1');
    expect((await cluster.ctl('start worker1 sleeper.service')).stdout).toBe('Unit sleeper.service StartUnit operation result: done\n');
    const sleeperPid = (await worker1.run('systemctl show -p MainPID --value sleeper.service')).stdout.trim();
    const before = await show('bluechi-controller.service', 'InvocationID');

    // systemctl warns that the socket can still start it: that is the point.
    const stopped = await cluster.main.exec('systemctl stop bluechi-controller.service');
    expect(stopped.exitCode).toBe(0);
    expect(await show('bluechi-controller.socket', 'ActiveState')).toBe('active');

    // Nobody starts the controller: the agents' reconnects through the socket do.
    await waitFor('a new controller to be active', async () => {
      const id = await show('bluechi-controller.service', 'InvocationID');
      return id !== before && (await show('bluechi-controller.service', 'ActiveState')) === 'active';
    });
    await waitForNodeState(cluster, 'worker1', 'online');
    await waitForNodeState(cluster, 'main', 'online');

    expect((await worker1.run('systemctl show -p MainPID --value sleeper.service')).stdout.trim()).toBe(sleeperPid);
    const status = await cluster.ctl('status worker1 sleeper.service');
    expect(status.exitCode).toBe(0);
    expect(status.stdout.split('\n')[2]).toMatch(/^sleeper\.service\t\| loaded\t\| active\t\| running\t/);
  });
});
