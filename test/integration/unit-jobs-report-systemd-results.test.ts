/**
 * start, stop, restart and reload of real units: one result line per job with
 * systemd's job result, exit 0 whatever that result is, and the unit really
 * in that state on its node. Errors systemd raises come back word for word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { unitTableHeader, unitTableRow } from '../harness/expected-output.js';
import type { SystemdNode } from '../harness/systemd-container.js';

const RELOADABLE = `[Service]
Type=simple
ExecStart=/bin/sleep infinity
ExecReload=/bin/sh -c 'echo reloaded >> /run/svc-reloads'
`;
const NOT_RELOADABLE = '[Service]\nType=simple\nExecStart=/bin/sleep infinity\n';
const FAILING = '[Service]\nType=oneshot\nExecStart=/bin/false\n';

async function mainPid(node: SystemdNode, unit: string): Promise<string> {
  return (await node.run(`systemctl show -p MainPID --value ${unit}`)).stdout.trim();
}

describe('unit jobs report systemd results', () => {
  let cluster: Cluster;
  let worker1: SystemdNode;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    worker1 = cluster.node('worker1');
    await worker1.writeFile('/etc/systemd/system/svc.service', RELOADABLE);
    await worker1.writeFile('/etc/systemd/system/noreload.service', NOT_RELOADABLE);
    await worker1.writeFile('/etc/systemd/system/fail.service', FAILING);
    await worker1.run('systemctl daemon-reload');
    await cluster.main.writeUnit('local.service', '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts a unit: "StartUnit operation result: done", active on the node', async () => {
    expect(await cluster.ctl('start worker1 svc.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit svc.service StartUnit operation result: done\n',
      stderr: '',
    });
    expect(await worker1.systemctl('is-active', 'svc.service')).toEqual({ exitCode: 0, stdout: 'active\n', stderr: '' });
  });

  it('restarts a unit: a new main process', async () => {
    const before = await mainPid(worker1, 'svc.service');
    expect(before).toMatch(/^[1-9]\d*$/);
    expect(await cluster.ctl('restart worker1 svc.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit svc.service RestartUnit operation result: done\n',
      stderr: '',
    });
    const after = await mainPid(worker1, 'svc.service');
    expect(after).toMatch(/^[1-9]\d*$/);
    expect(after).not.toBe(before);
    expect((await worker1.systemctl('is-active', 'svc.service')).stdout).toBe('active\n');
  });

  it('reloads a unit with ExecReload: the reload command runs, the process stays', async () => {
    const before = await mainPid(worker1, 'svc.service');
    expect(await cluster.ctl('reload worker1 svc.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit svc.service ReloadUnit operation result: done\n',
      stderr: '',
    });
    expect((await worker1.run('cat /run/svc-reloads')).stdout).toBe('reloaded\n');
    expect(await mainPid(worker1, 'svc.service')).toBe(before);
  });

  it('refuses to reload a unit without ExecReload, in systemd words, exit 1', async () => {
    await worker1.run('systemctl start noreload.service');
    expect(await cluster.ctl('reload worker1 noreload.service')).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'Failed to issue method call: Job type reload is not applicable for unit noreload.service.\n',
    });
    expect((await worker1.systemctl('is-active', 'noreload.service')).stdout).toBe('active\n');
  });

  it('stops a unit: "StopUnit operation result: done", inactive on the node', async () => {
    expect(await cluster.ctl('stop worker1 svc.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit svc.service StopUnit operation result: done\n',
      stderr: '',
    });
    expect(await worker1.systemctl('is-active', 'svc.service')).toEqual({ exitCode: 3, stdout: 'inactive\n', stderr: '' });
  });

  it('stops a unit that is already stopped: done again', async () => {
    expect(await cluster.ctl('stop worker1 svc.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit svc.service StopUnit operation result: done\n',
      stderr: '',
    });
  });

  it('reports a failing unit as "failed" and still exits 0', async () => {
    expect(await cluster.ctl('start worker1 fail.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit fail.service StartUnit operation result: failed\n',
      stderr: '',
    });
    expect(await worker1.systemctl('is-failed', 'fail.service')).toEqual({ exitCode: 0, stdout: 'failed\n', stderr: '' });
  });

  it('shows the failed unit as failed/failed in `status worker1 fail.service`', async () => {
    const units = ['fail.service'];
    expect(await cluster.ctl('status worker1 fail.service')).toEqual({
      exitCode: 0,
      stdout: unitTableHeader(units) + unitTableRow(units, 'fail.service', ['loaded', 'failed', 'failed', 'running', 'static']),
      stderr: '',
    });
    expect((await cluster.ctl('status worker1 fail.service')).stdout).toBe(
      'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        `${'-'.repeat(96)}\n` +
        'fail.service\t| loaded\t| failed\t| failed\t| running\t| static\t|\n',
    );
  });

  it('runs jobs on the local agent over the Unix socket as well', async () => {
    expect(await cluster.ctl('start main local.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit local.service StartUnit operation result: done\n',
      stderr: '',
    });
    expect((await cluster.main.systemctl('is-active', 'local.service')).stdout).toBe('active\n');
    expect(await cluster.ctl('restart main local.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit local.service RestartUnit operation result: done\n',
      stderr: '',
    });
    expect(await cluster.ctl('stop main local.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit local.service StopUnit operation result: done\n',
      stderr: '',
    });
    expect((await cluster.main.systemctl('is-active', 'local.service')).stdout).toBe('inactive\n');
  });
});
