/**
 * For tests that reconfigure an agent again and again and read both journals:
 * a drop-in added or removed and the agent restarted, the journal of a unit
 * since a moment, and a node's state in `bluechictl status`.
 */
import type { Cluster } from './cluster.js';

/** The drop-in these helpers write (after the harness's own 1.conf). */
export const TEST_OVERRIDE = '/etc/bluechi/agent.conf.d/2-test.conf';

/** The containers' clock now, in the form `journalctl --since` takes. */
export async function clusterNow(cluster: Cluster): Promise<string> {
  return (await cluster.main.exec("date '+%Y-%m-%d %H:%M:%S'")).stdout.trim();
}

/** The messages of `unit` on `node` since `since` (a clusterNow() value or a relative time such as -10min). */
export async function journalSince(cluster: Cluster, node: string, unit: string, since: string): Promise<string> {
  return (await cluster.node(node).exec(`journalctl --no-pager -o cat -u ${unit} --since '${since}'`)).stdout;
}

/** The STATE column of `name` in `bluechictl status`, or '' when it is not listed. */
export async function nodeState(cluster: Cluster, name: string): Promise<string> {
  const { stdout } = await cluster.ctl('status');
  return stdout.split('\n').find((l) => l.trim().startsWith(`${name} `))?.split('|')[1]?.trim() ?? '';
}

/**
 * Restarts the agent on `node` with extra `[bluechi-agent]` lines, or with
 * none (the test drop-in removed). The unit's start limit (5 in 60 s) is reset
 * first, as tests restart it many times in a row.
 */
export async function restartAgentWith(cluster: Cluster, node: string, lines: string | undefined): Promise<void> {
  const n = cluster.node(node);
  if (lines === undefined) await n.run(`rm -f ${TEST_OVERRIDE}`);
  else await n.writeFile(TEST_OVERRIDE, `[bluechi-agent]\n${lines}\n`);
  await n.run('systemctl reset-failed bluechi-agent; systemctl restart bluechi-agent');
}
