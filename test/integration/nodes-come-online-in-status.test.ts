/**
 * Three nodes come online: the local agent over the controller's Unix socket
 * (no IP) and two workers over TCP; `bluechictl status` shows upstream's node
 * table byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { LOOPBACK_IP, nodeTable } from '../harness/expected-output.js';

describe('nodes come online and show in bluechictl status', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1', 'worker2'] });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('lists every node online: main without IP, the workers on the loopback', async () => {
    expect(await cluster.ctl('status')).toEqual({
      exitCode: 0,
      stdout: nodeTable([
        ['main', 'online', '', 'now'],
        ['worker1', 'online', LOOPBACK_IP, 'now'],
        ['worker2', 'online', LOOPBACK_IP, 'now'],
      ]),
      stderr: '',
    });
  });

  it('lays the table out in fields of 30, 10, 24 and 28 characters joined by "| "', async () => {
    const { stdout } = await cluster.ctl('status');
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('NODE                          | STATE     | IP                      | LAST SEEN                   ');
    expect(lines[1]).toBe('='.repeat(90));
    const rows = lines.slice(2).map((line) => {
      expect(line).toHaveLength(30 + 2 + 10 + 2 + 24 + 2 + 28);
      expect([line.slice(30, 32), line.slice(42, 44), line.slice(68, 70)]).toEqual(['| ', '| ', '| ']);
      return [line.slice(0, 30), line.slice(32, 42), line.slice(44, 68), line.slice(70)];
    });
    expect(rows).toEqual([
      ['main'.padEnd(30), 'online'.padEnd(10), ''.padEnd(24), 'now'.padEnd(28)],
      ['worker1'.padEnd(30), 'online'.padEnd(10), LOOPBACK_IP.padEnd(24), 'now'.padEnd(28)],
      ['worker2'.padEnd(30), 'online'.padEnd(10), LOOPBACK_IP.padEnd(24), 'now'.padEnd(28)],
    ]);
  });

  it('shows one row for `status worker1`', async () => {
    expect(await cluster.ctl('status worker1')).toEqual({
      exitCode: 0,
      stdout: nodeTable([['worker1', 'online', LOOPBACK_IP, 'now']]),
      stderr: '',
    });
  });

  it('shows the local agent for `status main`', async () => {
    expect(await cluster.ctl('status main')).toEqual({
      exitCode: 0,
      stdout: nodeTable([['main', 'online', '', 'now']]),
      stderr: '',
    });
  });

  it('refuses an unknown node with exit 1 and nothing on stdout', async () => {
    expect(await cluster.ctl('status nosuchnode')).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'Node nosuchnode not found\n',
    });
  });

  it('reaches the agents on their own containers over TCP and the local one over the Unix socket', async () => {
    const controllerLog = await cluster.main.exec('journalctl --no-pager -o cat -u bluechi-controller');
    const lines = controllerLog.stdout.split('\n');
    expect(lines).toContain(`Registered managed node 'worker1' (node=worker1 peerIp=${LOOPBACK_IP})`);
    expect(lines).toContain(`Registered managed node 'worker2' (node=worker2 peerIp=${LOOPBACK_IP})`);
    expect(lines).toContain(`Registered managed node 'main' (node=main)`);
  });
});
