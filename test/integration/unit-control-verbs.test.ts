/**
 * freeze, thaw, kill, reset-failed and daemon-reload on real systemd: what
 * each does to the units on the node, and what bluechictl prints meanwhile.
 *
 * Freezing needs the unified cgroup hierarchy. On cgroup v1 systemd refuses
 * it, and bluechictl passes the refusal on word for word; on cgroup v2 the
 * unit really freezes and thaws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { ExecResult, SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';

const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const fail = (stderr: string, stdout = ''): ExecResult => ({ exitCode: 1, stdout, stderr });

const SLEEPER = '[Service]\nType=simple\nExecStart=/bin/sleep infinity\n';
const FAILING = '[Service]\nType=oneshot\nExecStart=/bin/false\n';
const ONESHOT_ACTIVE = '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n';

/**
 * A main process and a child in the unit's cgroup; each records the signals
 * it receives (USR1, USR2) in /run/kill-log, and says it is ready once its
 * traps are set.
 */
const KILL_TARGET_SCRIPT = `#!/bin/bash
child() {
  trap 'echo child USR1 >> /run/kill-log' USR1
  trap 'echo child USR2 >> /run/kill-log' USR2
  echo child >> /run/kill-ready
  while :; do sleep 0.1; done
}
child &
trap 'echo main USR1 >> /run/kill-log' USR1
trap 'echo main USR2 >> /run/kill-log' USR2
echo main >> /run/kill-ready
while :; do sleep 0.1; done
`;
const KILL_TARGET = `[Service]
Type=simple
ExecStartPre=/bin/rm -f /run/kill-log /run/kill-ready
ExecStart=/usr/local/bin/kill-target
`;

/** An edited unit shows which version ran by the marker it writes. */
const edited = (version: string) => `[Unit]
Description=edited ${version}
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'echo ${version} > /run/edited-marker'
`;

async function fileLines(node: SystemdNode, path: string): Promise<string[]> {
  const { stdout } = await node.exec(`cat ${path} 2>/dev/null`);
  return stdout.split('\n').filter((l) => l !== '');
}

async function show(node: SystemdNode, unit: string, property: string): Promise<string> {
  return (await node.run(`systemctl show -p ${property} --value ${unit}`)).stdout.trim();
}

/** `systemctl is-failed` on the node: "failed" while the unit is failed. */
async function failedState(node: SystemdNode, unit: string): Promise<string> {
  return (await node.systemctl('is-failed', unit)).stdout.trim();
}

describe('unit control verbs act on systemd', () => {
  let cluster: Cluster;
  let worker1: SystemdNode;
  let worker2: SystemdNode;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1', 'worker2'] });
    worker1 = cluster.node('worker1');
    worker2 = cluster.node('worker2');
    await worker1.writeFile('/usr/local/bin/kill-target', KILL_TARGET_SCRIPT, 0o755);
    await Promise.all([
      worker1.writeFile('/etc/systemd/system/kill-target.service', KILL_TARGET),
      worker1.writeFile('/etc/systemd/system/sleeper.service', SLEEPER),
      worker1.writeFile('/etc/systemd/system/oneshot.service', ONESHOT_ACTIVE),
      worker1.writeFile('/etc/systemd/system/edited.service', edited('v1')),
      ...['fail-a', 'fail-b', 'fail-c'].map((u) => worker1.writeFile(`/etc/systemd/system/${u}.service`, FAILING)),
      worker2.writeFile('/etc/systemd/system/fail-w2.service', FAILING),
      cluster.main.writeFile('/etc/systemd/system/fail-main.service', FAILING),
    ]);
    await Promise.all([worker1, worker2, cluster.main].map((n) => n.run('systemctl daemon-reload')));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('freeze and thaw', () => {
    let cgroupV2 = false;

    beforeAll(async () => {
      cgroupV2 = (await worker1.run('stat -fc %T /sys/fs/cgroup')).stdout.trim() === 'cgroup2fs';
      await worker1.run('systemctl start sleeper.service');
    });

    it('freezes a running unit, or passes on systemd\'s refusal where it cannot', async () => {
      const result = await cluster.ctl('freeze worker1 sleeper.service');
      if (cgroupV2) {
        expect(result).toEqual(ok('Unit sleeper.service freeze operation done\n'));
        expect(await show(worker1, 'sleeper.service', 'FreezerState')).toBe('frozen');
      } else {
        expect(result).toEqual(fail("Failed to issue method call: Unit 'sleeper.service' does not support freezing.\n"));
        expect(await show(worker1, 'sleeper.service', 'FreezerState')).toBe('running');
      }
      expect((await worker1.systemctl('is-active', 'sleeper.service')).stdout).toBe('active\n');
    });

    it('thaws it again, or is refused in the same words', async () => {
      const result = await cluster.ctl('thaw worker1 sleeper.service');
      if (cgroupV2) {
        expect(result).toEqual(ok('Unit sleeper.service thaw operation done\n'));
      } else {
        expect(result).toEqual(fail("Failed to issue method call: Unit 'sleeper.service' does not support freezing.\n"));
      }
      expect(await show(worker1, 'sleeper.service', 'FreezerState')).toBe('running');
      expect((await worker1.systemctl('is-active', 'sleeper.service')).stdout).toBe('active\n');
    });
  });

  describe('kill', () => {
    beforeAll(async () => {
      await worker1.run('systemctl start kill-target.service');
      await waitFor('both processes of kill-target to set their traps', async () => {
        const ready = await fileLines(worker1, '/run/kill-ready');
        return ready.includes('main') && ready.includes('child');
      });
    });

    it('--kill-whom=main --signal=10 sends SIGUSR1 to the main process only, printing nothing', async () => {
      expect(await cluster.ctl('kill worker1 kill-target.service --kill-whom=main --signal=10')).toEqual(ok());
      await waitFor('the main process to record SIGUSR1', async () => (await fileLines(worker1, '/run/kill-log')).includes('main USR1'));
    });

    it('--signal=12 alone sends SIGUSR2 to every process of the unit', async () => {
      expect(await cluster.ctl('kill worker1 kill-target.service --signal=12')).toEqual(ok());
      const log = await waitFor('both processes to record SIGUSR2', async () => {
        const lines = await fileLines(worker1, '/run/kill-log');
        return lines.includes('main USR2') && lines.includes('child USR2') && lines;
      });
      // The child never got the SIGUSR1 meant for the main process.
      expect([...log].sort()).toEqual(['child USR2', 'main USR1', 'main USR2']);
      expect((await worker1.systemctl('is-active', 'kill-target.service')).stdout).toBe('active\n');
    });

    it('--kill-whom=control fails in systemd\'s words when no control process runs', async () => {
      expect(await cluster.ctl('kill worker1 kill-target.service --kill-whom=control --signal=9')).toEqual(
        fail('Failed to issue method call for KillUnit: No control process to kill\n'),
      );
      expect((await worker1.systemctl('is-active', 'kill-target.service')).stdout).toBe('active\n');
    });

    it('--kill-whom=main fails in systemd\'s words for a unit without a main process', async () => {
      await worker1.run('systemctl start oneshot.service');
      expect(await cluster.ctl('kill worker1 oneshot.service --kill-whom=main')).toEqual(
        fail('Failed to issue method call for KillUnit: No main process to kill\n'),
      );
    });

    it('without options sends SIGTERM to every process: the unit stops', async () => {
      expect(await cluster.ctl('kill worker1 kill-target.service')).toEqual(ok());
      await waitFor('kill-target.service to be inactive', async () =>
        (await worker1.systemctl('is-active', 'kill-target.service')).stdout === 'inactive\n',
      );
      // SIGTERM is a clean exit for a service; neither process trapped it.
      expect(await show(worker1, 'kill-target.service', 'Result')).toBe('success');
      expect([...(await fileLines(worker1, '/run/kill-log'))].sort()).toEqual(['child USR2', 'main USR1', 'main USR2']);
    });
  });

  describe('reset-failed', () => {
    beforeAll(async () => {
      await Promise.all([
        ...['fail-a', 'fail-b', 'fail-c'].map((u) => worker1.exec(`systemctl start ${u}.service`)),
        worker2.exec('systemctl start fail-w2.service'),
        cluster.main.exec('systemctl start fail-main.service'),
      ]);
      for (const [node, unit] of [
        [worker1, 'fail-a.service'],
        [worker1, 'fail-b.service'],
        [worker1, 'fail-c.service'],
        [worker2, 'fail-w2.service'],
        [cluster.main, 'fail-main.service'],
      ] as const) {
        expect(await failedState(node, unit), unit).toBe('failed');
      }
    });

    it('with a node and units: announces each unit by position on stdout and clears just those', async () => {
      expect(await cluster.ctl('reset-failed worker1 fail-a.service fail-b.service')).toEqual(ok('1 fail-a.service\n2 fail-b.service\n'));
      expect(await failedState(worker1, 'fail-a.service')).not.toBe('failed');
      expect(await failedState(worker1, 'fail-b.service')).not.toBe('failed');
      expect(await failedState(worker1, 'fail-c.service')).toBe('failed');
    });

    it('stops at the first unit systemd refuses, with its words, exit 1', async () => {
      expect(await cluster.ctl('reset-failed worker1 nosuch.service fail-c.service')).toEqual(
        fail('Failed to issue method call: Unit nosuch.service not loaded.\n', '1 nosuch.service\n'),
      );
      expect(await failedState(worker1, 'fail-c.service')).toBe('failed');
    });

    it('with only a node: clears every failed unit of that node and no other', async () => {
      expect(await cluster.ctl('reset-failed worker1')).toEqual(ok());
      expect(await failedState(worker1, 'fail-c.service')).not.toBe('failed');
      expect(await failedState(worker2, 'fail-w2.service')).toBe('failed');
      expect(await failedState(cluster.main, 'fail-main.service')).toBe('failed');
    });

    it('without arguments: clears the failed units of every node', async () => {
      expect(await cluster.ctl('reset-failed')).toEqual(ok());
      expect(await failedState(worker2, 'fail-w2.service')).not.toBe('failed');
      expect(await failedState(cluster.main, 'fail-main.service')).not.toBe('failed');
    });
  });

  describe('daemon-reload', () => {
    it('makes an edited unit file take effect, and only then', async () => {
      await worker1.run('systemctl start edited.service');
      expect(await fileLines(worker1, '/run/edited-marker')).toEqual(['v1']);

      await worker1.writeFile('/etc/systemd/system/edited.service', edited('v2'));
      await worker1.run('systemctl restart edited.service');
      // systemd still runs what it loaded before the edit.
      expect(await fileLines(worker1, '/run/edited-marker')).toEqual(['v1']);
      expect(await show(worker1, 'edited.service', 'NeedDaemonReload')).toBe('yes');
      expect(await show(worker1, 'edited.service', 'Description')).toBe('edited v1');

      expect(await cluster.ctl('daemon-reload worker1')).toEqual(ok());
      expect(await show(worker1, 'edited.service', 'NeedDaemonReload')).toBe('no');
      expect(await show(worker1, 'edited.service', 'Description')).toBe('edited v2');
      await worker1.run('systemctl restart edited.service');
      expect(await fileLines(worker1, '/run/edited-marker')).toEqual(['v2']);
    });

    it('reloads only the node it names', async () => {
      await worker2.writeFile('/etc/systemd/system/edited.service', edited('v1'));
      await worker2.run('systemctl daemon-reload && systemctl start edited.service');
      await worker2.writeFile('/etc/systemd/system/edited.service', edited('v2'));
      expect(await cluster.ctl('daemon-reload worker1')).toEqual(ok());
      expect(await show(worker2, 'edited.service', 'Description')).toBe('edited v1');
      expect(await cluster.ctl('daemon-reload worker2')).toEqual(ok());
      expect(await show(worker2, 'edited.service', 'Description')).toBe('edited v2');
    });
  });
});
