/**
 * Unit files on real systemd: enable and disable (with --force, --runtime and
 * --no-reload) report systemd's changes on stderr and leave the node in the
 * state `systemctl is-enabled` shows; is-enabled answers as systemctl does;
 * list-unit-files lists what systemd's ListUnitFiles returns on each node;
 * set-default changes the default target that get-default then reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import {
  ENABLEMENT_INFO,
  NO_ENABLEMENT_INFO,
  createdSymlink,
  defaultTargetChanges,
  listUnitFilesTable,
  parseListUnitFiles,
  removedSymlink,
  unitFileCallFailure,
  type UnitFileRow,
} from '../harness/expected-output.js';
import type { ExecResult, SystemdNode } from '../harness/systemd-container.js';

const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
/** enable and disable talk on stderr only. */
const reported = (stderr: string): ExecResult => ({ exitCode: 0, stdout: '', stderr });

const UNIT_DIR = '/etc/systemd/system';
const RUNTIME_DIR = '/run/systemd/system';

const bench = (description: string) => `[Unit]
Description=${description}
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
[Install]
WantedBy=multi-user.target
`;
const STATIC = '[Service]\nType=oneshot\nExecStart=/bin/true\n';
const ALIASED = '[Service]\nType=oneshot\nExecStart=/bin/true\n[Install]\nAlias=svc-alias.service\n';

async function isEnabled(node: SystemdNode, unit: string): Promise<ExecResult> {
  return node.systemctl('is-enabled', unit);
}

async function readlink(node: SystemdNode, path: string): Promise<string> {
  const { stdout } = await node.exec(`readlink ${path}`);
  return stdout.trim();
}

async function show(node: SystemdNode, unit: string, property: string): Promise<string> {
  return (await node.run(`systemctl show -p ${property} --value ${unit}`)).stdout.trim();
}

/** systemd's own ListUnitFiles on a node, asked over D-Bus. */
async function systemdUnitFiles(node: SystemdNode, name: string): Promise<UnitFileRow[]> {
  const { stdout } = await node.run(
    'busctl call --json=short org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager ListUnitFiles',
  );
  const { data } = JSON.parse(stdout) as { data: [Array<[string, string]>] };
  return data[0].map(([path, state]) => ({ node: name, path, state }));
}

const keys = (rows: UnitFileRow[]) => rows.map((r) => `${r.node} ${r.path} ${r.state}`).sort();

describe('unit file verbs act on systemd', () => {
  let cluster: Cluster;
  let worker1: SystemdNode;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1', 'worker2'] });
    worker1 = cluster.node('worker1');
    await Promise.all([
      worker1.writeFile(`${UNIT_DIR}/bench.service`, bench('bench v1')),
      worker1.writeFile(`${UNIT_DIR}/static.service`, STATIC),
      worker1.writeFile(`${UNIT_DIR}/aliased.service`, ALIASED),
      worker1.writeFile(`${UNIT_DIR}/other.service`, STATIC),
    ]);
    // An alias name already taken by another unit: enabling needs --force.
    await worker1.run(`ln -s ${UNIT_DIR}/other.service ${UNIT_DIR}/svc-alias.service && systemctl daemon-reload`);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('enable and disable', () => {
    const wants = `${UNIT_DIR}/multi-user.target.wants/bench.service`;

    it('enable creates the [Install] symlinks and names them on stderr; the node has the unit enabled', async () => {
      expect((await isEnabled(worker1, 'bench.service')).stdout).toBe('disabled\n');
      expect(await cluster.ctl('enable worker1 bench.service')).toEqual(
        reported(ENABLEMENT_INFO + createdSymlink(wants, `${UNIT_DIR}/bench.service`)),
      );
      expect(await isEnabled(worker1, 'bench.service')).toEqual({ exitCode: 0, stdout: 'enabled\n', stderr: '' });
      expect(await readlink(worker1, wants)).toBe(`${UNIT_DIR}/bench.service`);
    });

    it('enable of an enabled unit changes nothing and names no symlink', async () => {
      expect(await cluster.ctl('enable worker1 bench.service')).toEqual(reported(ENABLEMENT_INFO));
      expect((await isEnabled(worker1, 'bench.service')).stdout).toBe('enabled\n');
    });

    it('disable removes the symlinks and names them on stderr; the node has the unit disabled', async () => {
      expect(await cluster.ctl('disable worker1 bench.service')).toEqual(reported(removedSymlink(wants)));
      expect(await isEnabled(worker1, 'bench.service')).toEqual({ exitCode: 1, stdout: 'disabled\n', stderr: '' });
      expect((await worker1.exec(`test -e ${wants}`)).exitCode).not.toBe(0);
    });

    it('disable of a disabled unit prints nothing', async () => {
      expect(await cluster.ctl('disable worker1 bench.service')).toEqual(ok());
    });

    it('enable of a unit without an [Install] section says so and changes nothing', async () => {
      expect(await cluster.ctl('enable worker1 static.service')).toEqual(reported(NO_ENABLEMENT_INFO));
      expect((await isEnabled(worker1, 'static.service')).stdout).toBe('static\n');
    });

    it('enables and disables several files at once', async () => {
      expect(await cluster.ctl('enable worker1 bench.service static.service')).toEqual(
        reported(ENABLEMENT_INFO + createdSymlink(wants, `${UNIT_DIR}/bench.service`)),
      );
      expect(await cluster.ctl('disable worker1 bench.service static.service')).toEqual(reported(removedSymlink(wants)));
      expect((await isEnabled(worker1, 'bench.service')).stdout).toBe('disabled\n');
    });

    it('--runtime links under /run: enabled-runtime until disable --runtime', async () => {
      const runtimeWants = `${RUNTIME_DIR}/multi-user.target.wants/bench.service`;
      expect(await cluster.ctl('enable worker1 bench.service --runtime')).toEqual(
        reported(ENABLEMENT_INFO + createdSymlink(runtimeWants, `${UNIT_DIR}/bench.service`)),
      );
      expect((await isEnabled(worker1, 'bench.service')).stdout).toBe('enabled-runtime\n');
      expect((await worker1.exec(`test -e ${wants}`)).exitCode).not.toBe(0);

      // A plain disable leaves the runtime links alone.
      expect(await cluster.ctl('disable worker1 bench.service')).toEqual(ok());
      expect((await isEnabled(worker1, 'bench.service')).stdout).toBe('enabled-runtime\n');

      expect(await cluster.ctl('disable worker1 bench.service --runtime')).toEqual(reported(removedSymlink(runtimeWants)));
      expect((await isEnabled(worker1, 'bench.service')).stdout).toBe('disabled\n');
    });

    it('refuses to replace a symlink to another unit without --force, in systemd\'s words', async () => {
      const alias = `${UNIT_DIR}/svc-alias.service`;
      expect(await cluster.ctl('enable worker1 aliased.service')).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: unitFileCallFailure(
          'enable',
          'worker1',
          `File ${alias} already exists and is a symlink to ${UNIT_DIR}/other.service.`,
          'File exists',
        ),
      });
      expect(await readlink(worker1, alias)).toBe(`${UNIT_DIR}/other.service`);
    });

    it('--force replaces it: the old link is removed, the new one created', async () => {
      const alias = `${UNIT_DIR}/svc-alias.service`;
      expect(await cluster.ctl('enable worker1 aliased.service --force')).toEqual(
        reported(ENABLEMENT_INFO + removedSymlink(alias) + createdSymlink(alias, `${UNIT_DIR}/aliased.service`)),
      );
      expect(await readlink(worker1, alias)).toBe(`${UNIT_DIR}/aliased.service`);
      expect((await isEnabled(worker1, 'aliased.service')).stdout).toBe('enabled\n');
      expect(await cluster.ctl('disable worker1 aliased.service')).toEqual(reported(removedSymlink(alias)));
      expect((await worker1.exec(`test -L ${alias}`)).exitCode).not.toBe(0);
    });

    it('--no-reload really skips the daemon-reload; without it systemd reloads', async () => {
      await worker1.run('systemctl start bench.service');
      await worker1.writeFile(`${UNIT_DIR}/bench.service`, bench('bench v2'));
      expect(await show(worker1, 'bench.service', 'Description')).toBe('bench v1');
      expect(await show(worker1, 'bench.service', 'NeedDaemonReload')).toBe('yes');

      expect(await cluster.ctl('enable worker1 bench.service --no-reload')).toEqual(
        reported(ENABLEMENT_INFO + createdSymlink(wants, `${UNIT_DIR}/bench.service`)),
      );
      expect((await isEnabled(worker1, 'bench.service')).stdout).toBe('enabled\n');
      expect(await cluster.ctl('disable worker1 bench.service --no-reload')).toEqual(reported(removedSymlink(wants)));
      // Nothing reloaded systemd: it still has the unit as loaded before the edit.
      expect(await show(worker1, 'bench.service', 'NeedDaemonReload')).toBe('yes');
      expect(await show(worker1, 'bench.service', 'Description')).toBe('bench v1');

      expect(await cluster.ctl('enable worker1 bench.service')).toEqual(
        reported(ENABLEMENT_INFO + createdSymlink(wants, `${UNIT_DIR}/bench.service`)),
      );
      expect(await show(worker1, 'bench.service', 'NeedDaemonReload')).toBe('no');
      expect(await show(worker1, 'bench.service', 'Description')).toBe('bench v2');

      await worker1.writeFile(`${UNIT_DIR}/bench.service`, bench('bench v3'));
      expect(await cluster.ctl('disable worker1 bench.service')).toEqual(reported(removedSymlink(wants)));
      expect(await show(worker1, 'bench.service', 'Description')).toBe('bench v3');
    });
  });

  describe('is-enabled', () => {
    beforeAll(async () => {
      // A vendor unit (masking replaces the link in /etc).
      await worker1.writeFile('/usr/lib/systemd/system/masked-one.service', STATIC);
      await worker1.run('systemctl mask masked-one.service && systemctl enable bench.service && systemctl enable --runtime aliased.service');
    });

    it('prints what `systemctl is-enabled` prints on the node, with its exit status', async () => {
      const units = ['bench.service', 'static.service', 'aliased.service', 'svc-alias.service', 'masked-one.service', 'dbus.service'];
      const exits = new Set<number>();
      for (const unit of units) {
        const theirs = await isEnabled(worker1, unit);
        expect(theirs.stderr, unit).toBe('');
        exits.add(theirs.exitCode);
        expect(await cluster.ctl(`is-enabled worker1 ${unit}`), unit).toEqual(theirs);
      }
      expect([...exits].sort()).toEqual([0, 1]);
    });

    it('exits 0 for enabled, enabled-runtime, static and alias; 1 for disabled and masked', async () => {
      await worker1.run('systemctl disable bench.service');
      const expectations: Array<[string, string, number]> = [
        ['bench.service', 'disabled', 1],
        ['aliased.service', 'enabled-runtime', 0],
        ['static.service', 'static', 0],
        ['svc-alias.service', 'alias', 0],
        ['masked-one.service', 'masked', 1],
      ];
      for (const [unit, state, exitCode] of expectations) {
        expect(await cluster.ctl(`is-enabled worker1 ${unit}`), unit).toEqual({ exitCode, stdout: `${state}\n`, stderr: '' });
      }
      await worker1.run('systemctl enable bench.service');
      expect(await cluster.ctl('is-enabled worker1 bench.service')).toEqual(ok('enabled\n'));
      await worker1.run('systemctl disable bench.service');
    });

    it('fails for a unit file the node does not have, in the words systemctl gets from systemd', async () => {
      expect((await isEnabled(worker1, 'nosuch.service')).stderr).toBe(
        'Failed to get unit file state for nosuch.service: No such file or directory\n',
      );
      expect(await cluster.ctl('is-enabled worker1 nosuch.service')).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: 'Failed to issue method call: No such file or directory\n',
      });
    });
  });

  describe('list-unit-files', () => {
    it('lists on one node exactly the files systemd\'s ListUnitFiles returns there, padded as upstream', async () => {
      const result = await cluster.ctl('list-unit-files worker1');
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      const ours = parseListUnitFiles(result.stdout);
      expect(keys(ours)).toEqual(keys(await systemdUnitFiles(worker1, 'worker1')));
      expect(ours.length).toBeGreaterThan(50);
      expect(ours).toContainEqual({ node: 'worker1', path: `${UNIT_DIR}/static.service`, state: 'static' });
      expect(result.stdout).toBe(listUnitFilesTable(ours, ours));
    });

    it('lists every node in the all-nodes form, node by node in configuration order', async () => {
      const result = await cluster.ctl('list-unit-files');
      expect(result.exitCode).toBe(0);
      const ours = parseListUnitFiles(result.stdout);
      expect(ours.map((r) => r.node).filter((n, i, all) => n !== all[i - 1])).toEqual(cluster.nodeNames);
      const theirs = (await Promise.all(cluster.nodeNames.map((n) => systemdUnitFiles(cluster.node(n), n)))).flat();
      expect(keys(ours)).toEqual(keys(theirs));
      expect(result.stdout).toBe(listUnitFilesTable(ours, ours));
    });

    it("--filter matches the full path: '*bench*' finds the file, 'bench*' nothing; widths still cover every row", async () => {
      const all = (await Promise.all(cluster.nodeNames.map((n) => systemdUnitFiles(cluster.node(n), n)))).flat();
      const benchRow = all.filter((r) => r.path.includes('bench'));
      expect(benchRow).toEqual([{ node: 'worker1', path: `${UNIT_DIR}/bench.service`, state: 'disabled' }]);

      expect(await cluster.ctl("list-unit-files --filter='*bench*'")).toEqual(ok(listUnitFilesTable(all, benchRow)));
      expect(await cluster.ctl("list-unit-files --filter='bench*'")).toEqual(ok(listUnitFilesTable(all, [])));

      const one = await systemdUnitFiles(worker1, 'worker1');
      expect(await cluster.ctl("list-unit-files worker1 --filter='*bench*'")).toEqual(ok(listUnitFilesTable(one, benchRow)));
      expect(await cluster.ctl("list-unit-files worker1 --filter='bench*'")).toEqual(ok(listUnitFilesTable(one, [])));
      expect(await cluster.ctl("list-unit-files worker1 --filter='*/bench.servic?'")).toEqual(ok(listUnitFilesTable(one, benchRow)));
    });

    it('shows a change of enablement at once', async () => {
      await worker1.run('systemctl enable bench.service');
      const rows = parseListUnitFiles((await cluster.ctl("list-unit-files worker1 --filter='*/bench.service'")).stdout);
      expect(rows).toEqual([{ node: 'worker1', path: `${UNIT_DIR}/bench.service`, state: 'enabled' }]);
      await worker1.run('systemctl disable bench.service');
    });
  });

  describe('get-default and set-default', () => {
    const link = `${UNIT_DIR}/default.target`;
    let original: string;
    let originalLink: string;

    beforeAll(async () => {
      original = (await worker1.run('systemctl get-default')).stdout.trim();
      originalLink = await readlink(worker1, link);
    });

    afterAll(async () => {
      // Leave the node as it was: the same default, and no link of ours.
      await worker1.exec(originalLink === '' ? `rm -f ${link}` : `ln -sfn ${originalLink} ${link}`);
    });

    it('get-default prints the default target systemd reports', async () => {
      expect(original).toMatch(/\.target$/);
      expect(await cluster.ctl('get-default worker1')).toEqual(ok(`${original}\n`));
    });

    it("set-default prints systemd's changes on one line; get-default then reports the new target", async () => {
      const target = original === 'multi-user.target' ? 'graphical.target' : 'multi-user.target';
      const fragment = await show(worker1, target, 'FragmentPath');
      const unlink: Array<[string, string, string]> = originalLink === '' ? [] : [['unlink', link, '']];
      expect(await cluster.ctl(`set-default worker1 ${target}`)).toEqual(
        ok(defaultTargetChanges([...unlink, ['symlink', link, fragment]])),
      );
      expect((await worker1.run('systemctl get-default')).stdout).toBe(`${target}\n`);
      expect(await readlink(worker1, link)).toBe(fragment);
      expect(await cluster.ctl('get-default worker1')).toEqual(ok(`${target}\n`));
    });

    it('set-default back to the original target restores it', async () => {
      const fragment = await show(worker1, original, 'FragmentPath');
      expect(await cluster.ctl(`set-default worker1 ${original}`)).toEqual(
        ok(defaultTargetChanges([['unlink', link, ''], ['symlink', link, fragment]])),
      );
      expect(await cluster.ctl('get-default worker1')).toEqual(ok(`${original}\n`));
      expect((await worker1.run('systemctl get-default')).stdout).toBe(`${original}\n`);
    });

    it('changes the default of the named node only', async () => {
      const worker2 = cluster.node('worker2');
      const before = (await cluster.main.run('systemctl get-default')).stdout.trim();
      const others = (await worker2.run('systemctl get-default')).stdout;
      const target = before === 'multi-user.target' ? 'graphical.target' : 'multi-user.target';
      expect((await cluster.ctl(`set-default main ${target}`)).exitCode).toBe(0);
      expect(await cluster.ctl('get-default main')).toEqual(ok(`${target}\n`));
      expect((await worker2.run('systemctl get-default')).stdout).toBe(others);
      expect(await cluster.ctl('get-default worker2')).toEqual(ok(others));
      expect((await cluster.ctl(`set-default main ${before}`)).exitCode).toBe(0);
      expect(await cluster.ctl('get-default main')).toEqual(ok(`${before}\n`));
    });
  });
});
