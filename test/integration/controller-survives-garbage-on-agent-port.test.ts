/**
 * Whatever arrives on the agent port that is not a proper agent (raw bytes,
 * plain HTTP, a WebSocket upgrade without our subprotocol) is turned away and
 * the controller keeps serving: same process, nodes still online, bluechictl
 * still answers. Frame-level abuse is covered by the in-process ring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { LOOPBACK_IP, MAIN_AND_WORKER1_ONLINE } from '../harness/expected-output.js';

describe('the controller survives garbage on the agent port', () => {
  let cluster: Cluster;
  let controllerPid: string;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    controllerPid = (await cluster.main.run('systemctl show -p MainPID --value bluechi-controller')).stdout;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function expectStillServing(): Promise<void> {
    expect(await cluster.ctl('status')).toEqual({
      exitCode: 0,
      stdout: MAIN_AND_WORKER1_ONLINE,
      stderr: '',
    });
    expect((await cluster.main.run('systemctl show -p MainPID --value bluechi-controller')).stdout).toBe(controllerPid);
    expect((await cluster.main.run('systemctl show -p NRestarts --value bluechi-controller')).stdout).toBe('0\n');
  }

  it('shrugs off a line of garbage', async () => {
    await cluster.node('worker1').run(`echo garbage > /dev/tcp/127.0.0.1/${cluster.port}`);
    await expectStillServing();
  });

  it('shrugs off random bytes', async () => {
    await cluster
      .node('worker1')
      .run(`exec 3<>/dev/tcp/127.0.0.1/${cluster.port}; head -c 65536 /dev/urandom >&3 || true; timeout 2 cat <&3 >/dev/null || true`);
    await expectStillServing();
  });

  it('answers plain HTTP with 426 Upgrade Required', async () => {
    const reply = await cluster
      .node('worker1')
      .run(`exec 3<>/dev/tcp/127.0.0.1/${cluster.port}; printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3; timeout 5 cat <&3`);
    expect(reply.stdout.split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
    await expectStillServing();
  });

  it('refuses a WebSocket upgrade without the agent subprotocol', async () => {
    const reply = await cluster
      .node('worker1')
      .run(
        `exec 3<>/dev/tcp/127.0.0.1/${cluster.port}; printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\n` +
          `Connection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n' >&3; timeout 5 cat <&3`,
      );
    expect(reply.stdout.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 426 /);
    await expectStillServing();
    const log = await cluster.main.run('journalctl --no-pager -o cat -u bluechi-controller');
    expect(log.stdout).toContain(`Refused connection without subprotocol bluechi-ts.agent.v1 (peerIp=${LOOPBACK_IP})`);
  });

  it('logs no crash', async () => {
    const log = (await cluster.main.run('journalctl --no-pager -o cat -u bluechi-controller')).stdout;
    expect(log).not.toMatch(/uncaught|unhandled|TypeError|RangeError|\n\s+at .+:\d+:\d+\)?\n|Main process exited/i);
    expect((await cluster.main.systemctl('is-active', 'bluechi-controller')).stdout).toBe('active\n');
  });
});
