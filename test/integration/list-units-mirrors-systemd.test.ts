/**
 * `bluechictl list-units`: the rows are what systemd on each node has loaded
 * (all of them, as `systemctl list-units --all`), the all-nodes form covers
 * every online node and skips offline ones, `--filter` is a glob on the unit
 * id, and the table is padded over every row the nodes returned.
 *
 * Units can come and go between two calls (timers, the exec of the check
 * itself), so comparisons against systemd are retried until both agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { listUnitsTable, parseListUnits, type ListRow } from '../harness/expected-output.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

const NODES = ['main', 'worker1', 'worker2'];

/** What systemd on a node reports: one row per loaded unit. */
async function systemdRows(cluster: Cluster, node: string): Promise<ListRow[]> {
  const { stdout } = await cluster.node(node).run('systemctl list-units --all --no-legend --plain');
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', , active = '', sub = ''] = line.trim().split(/\s+/);
      return { node, id, active, sub };
    });
}

const key = (r: ListRow) => `${r.node} ${r.id} ${r.active} ${r.sub}`;
const keys = (rows: ListRow[]) => rows.map(key).sort();

describe('list-units mirrors systemd on the nodes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      agents: ['worker1', 'worker2'],
      // Configured but never connected: must never show up.
      controllerConf: '[node ghost]\nAllowed=true',
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('lists on one node exactly the units `systemctl list-units --all` shows there', async () => {
    const { ours, theirs } = await waitFor('list-units worker1 to agree with systemctl', async () => {
      const result = await cluster.ctl('list-units worker1');
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      const ours = parseListUnits(result.stdout);
      const theirs = await systemdRows(cluster, 'worker1');
      return JSON.stringify(keys(ours)) === JSON.stringify(keys(theirs)) && { ours, theirs };
    }, { timeoutMs: 20_000, intervalMs: 500 });
    expect(ours.length).toBeGreaterThan(50);
    expect(new Set(ours.map((r) => r.id)).size).toBe(ours.length);
    expect(keys(ours)).toEqual(keys(theirs));
    expect(ours).toContainEqual({ node: 'worker1', id: 'bluechi-agent.service', active: 'active', sub: 'running' });
  });

  it('lists every online node in the all-nodes form, node by node in configuration order', async () => {
    await waitFor('list-units to agree with systemctl on every node', async () => {
      const result = await cluster.ctl('list-units');
      expect(result.exitCode).toBe(0);
      const ours = parseListUnits(result.stdout);
      // Grouped by node, in the controller's node order.
      const order = ours.map((r) => r.node).filter((n, i, all) => n !== all[i - 1]);
      expect(order).toEqual(NODES);
      const theirs = (await Promise.all(NODES.map((n) => systemdRows(cluster, n)))).flat();
      return JSON.stringify(keys(ours)) === JSON.stringify(keys(theirs));
    }, { timeoutMs: 20_000, intervalMs: 500 });
  });

  it('pads every column to the widest value and draws a rule of their sum plus 9', async () => {
    const { stdout } = await cluster.ctl('list-units worker1');
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    const rows = parseListUnits(stdout);
    const widths = [
      Math.max(4, ...rows.map((r) => r.node.length)),
      Math.max(2, ...rows.map((r) => r.id.length)),
      Math.max(6, ...rows.map((r) => r.active.length)),
      Math.max(3, ...rows.map((r) => r.sub.length)),
    ];
    expect(lines[0]).toBe(['NODE', 'ID', 'ACTIVE', 'SUB'].map((h, i) => h.padEnd(widths[i]!)).join(' | '));
    expect(lines[1]).toBe('='.repeat(widths.reduce((a, b) => a + b) + 9));
    for (const line of lines) expect(line).toHaveLength(widths.reduce((a, b) => a + b) + 9);
    expect(stdout).toBe(listUnitsTable(rows, rows));
  });

  it('filters by a glob on the unit id, keeping the widths of the unfiltered table', async () => {
    await waitFor('a stable unit list on worker1', async () => {
      const all = await systemdRows(cluster, 'worker1');
      const result = await cluster.ctl(`list-units worker1 --filter='dbus*'`);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      const shown = parseListUnits(result.stdout);
      expect(shown.map((r) => r.id).sort()).toEqual(['dbus.service', 'dbus.socket']);
      return result.stdout === listUnitsTable(all, shown);
    }, { timeoutMs: 20_000, intervalMs: 500 });
  });

  it('filters across every node with a glob', async () => {
    await waitFor('a stable unit list on every node', async () => {
      const all = (await Promise.all(NODES.map((n) => systemdRows(cluster, n)))).flat();
      const result = await cluster.ctl(`list-units --filter='bluechi*'`);
      expect(result.exitCode).toBe(0);
      const shown = parseListUnits(result.stdout);
      expect(shown.map(key).sort()).toEqual([
        'main bluechi-agent.service active running',
        'main bluechi-controller.service active running',
        'worker1 bluechi-agent.service active running',
        'worker2 bluechi-agent.service active running',
      ]);
      return result.stdout === listUnitsTable(all, shown);
    }, { timeoutMs: 20_000, intervalMs: 500 });
  });

  it('prints only the header when the filter matches nothing', async () => {
    const result = await cluster.ctl(`list-units worker1 --filter='no-such-unit-*'`);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const [header, rule, ...rest] = result.stdout.split('\n');
    expect(header).toMatch(/^NODE    \| ID +\| ACTIVE +\| SUB +$/);
    expect(rule).toBe('='.repeat(header!.length));
    expect(rest).toEqual(['']);
  });

  it('matches ? as exactly one character', async () => {
    const ids = async (glob: string) =>
      parseListUnits((await cluster.ctl(`list-units worker1 --filter='${glob}'`)).stdout).map((r) => r.id).sort();
    expect(await ids('d?us.s*')).toEqual(['dbus.service', 'dbus.socket']);
    expect(await ids('dbus.?ervice')).toEqual(['dbus.service']);
    expect(await ids('dbus.??ervice')).toEqual([]);
  });

  it('skips a node whose agent is offline', async () => {
    await cluster.node('worker2').run('systemctl stop bluechi-agent');
    try {
      await waitForNodeState(cluster, 'worker2', 'offline', { timeoutMs: 10_000 });
      const result = await cluster.ctl('list-units');
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      expect([...new Set(parseListUnits(result.stdout).map((r) => r.node))]).toEqual(['main', 'worker1']);
      expect(await cluster.ctl('list-units worker2')).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: 'Failed to issue method call: Node is offline\n',
      });
    } finally {
      await cluster.node('worker2').run('systemctl start bluechi-agent');
    }
    await waitForNodeState(cluster, 'worker2', 'online', { timeoutMs: 15_000 });
    const back = parseListUnits((await cluster.ctl('list-units')).stdout);
    expect([...new Set(back.map((r) => r.node))]).toEqual(NODES);
  });
});
