/**
 * What the socket-activated controller does with sockets it should not or
 * cannot serve: with UseUDS=false it closes the passed Unix socket, says so,
 * and serves agents on the passed TCP port; a passed socket that is no
 * listening stream socket (here a Unix datagram socket) stops the start with
 * a message that names it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { LOOPBACK_IP, nodeTable } from '../harness/expected-output.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

const AGENT_SOCKET = '/run/bluechi/bluechi.sock';
const DROP_IN_DIR = '/etc/systemd/system/bluechi-controller.socket.d';

describe('a socket-activated controller and the sockets it cannot use', () => {
  let cluster: Cluster;

  async function show(unit: string, key: string): Promise<string> {
    return (await cluster.main.run(`systemctl show -p ${key} --value ${unit}`)).stdout.trim();
  }

  async function controllerJournal(): Promise<string[]> {
    return (await cluster.main.run('journalctl --no-pager -o cat -u bluechi-controller')).stdout.split('\n');
  }

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'], localAgent: null, controllerConf: 'UseUDS=false', start: false });
    await cluster.main.writeFile(
      `${DROP_IN_DIR}/port.conf`,
      `[Socket]\nListenStream=\nListenStream=${cluster.port}\nListenStream=${AGENT_SOCKET}\n`,
    );
    await cluster.main.run('systemctl daemon-reload && systemctl start bluechi-controller.socket');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('closes the passed Unix socket when UseUDS is off and serves the TCP one', async () => {
    await cluster.node('worker1').run('systemctl start bluechi-agent');
    await waitForNodeState(cluster, 'worker1', 'online');
    expect(await show('bluechi-controller.service', 'ActiveState')).toBe('active');
    expect(await cluster.ctl('status')).toEqual({
      exitCode: 0,
      stdout: nodeTable([['worker1', 'online', LOOPBACK_IP, 'now']]),
      stderr: '',
    });
    const journal = await controllerJournal();
    expect(journal.filter((line) => /^Closing the Unix socket passed by systemd as fd \d+ \('bluechi-agents'\): UseUDS is off$/.test(line))).toHaveLength(1);
    expect(journal.filter((line) => line.startsWith('Waiting for agent connections on the Unix socket'))).toEqual([]);
    // The controller's own listener is off too: nothing but systemd's socket has the path.
    expect(journal.filter((line) => line.startsWith(`Waiting for agent connections on socket ${AGENT_SOCKET}`))).toEqual([]);
  });

  it('refuses to start with a passed socket that is not a listening stream socket, naming it and exiting 78 (not restarted)', async () => {
    await cluster.node('worker1').run('systemctl stop bluechi-agent');
    await cluster.main.run('systemctl stop bluechi-controller.service bluechi-controller.socket');
    // After port.conf, whose empty ListenStream= clears every socket named before it.
    await cluster.main.writeFile(`${DROP_IN_DIR}/zz-datagram.conf`, '[Socket]\nListenDatagram=/run/bluechi/datagram.sock\n');
    await cluster.main.run('systemctl daemon-reload && systemctl start bluechi-controller.socket');

    await cluster.main.exec('systemctl start bluechi-controller.service');
    const line = await waitFor('the controller to report the unusable socket', async () =>
      (await controllerJournal()).find((l) => l.startsWith('Failed to start: The socket passed by systemd')),
    );
    expect(line).toMatch(
      /^Failed to start: The socket passed by systemd as fd \d+ \('bluechi-agents'\) cannot be used: it is not a listening TCP or Unix stream socket \(.+\)$/,
    );
    await waitFor('the controller to exit with status 78', async () => (await show('bluechi-controller.service', 'ExecMainStatus')) === '78');
    // EX_CONFIG: RestartPreventExitStatus=78 keeps systemd from retrying a setup a restart cannot fix.
    expect(await show('bluechi-controller.service', 'NRestarts')).toBe('0');
  });
});
