/**
 * Polling instead of sleeping: wait until a probe yields a value, or fail with
 * what was last seen.
 *
 *   const row = await waitFor('worker2 offline', async () => {
 *     const r = await nodeRow(cluster, 'worker2');
 *     return r?.state === 'offline' && r;
 *   });
 */
import { parseNodeStatus, type Cluster, type NodeStatus } from './cluster.js';

export type WaitOptions = {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** Pause between probes. Default 200 ms. */
  intervalMs?: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns something other than false, undefined or null,
 * and returns that. A probe that throws counts as "not yet"; its last error is
 * part of the timeout message.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | false | undefined | null>,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== false && value !== undefined && value !== null) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** One node's row of `bluechictl status`, or undefined when it is not listed. */
export async function nodeRow(cluster: Cluster, name: string): Promise<NodeStatus | undefined> {
  const status = await cluster.ctl('status');
  if (status.exitCode !== 0) throw new Error(`bluechictl status exited ${status.exitCode}: ${status.stderr}`);
  return parseNodeStatus(status.stdout).find((row) => row.node === name);
}

/** Waits until `bluechictl status` shows the node in the given state and returns its row. */
export function waitForNodeState(
  cluster: Cluster,
  name: string,
  state: 'online' | 'offline',
  opts: WaitOptions = {},
): Promise<NodeStatus> {
  return waitFor(`node ${name} to be ${state}`, async () => {
    const row = await nodeRow(cluster, name);
    return row?.state === state ? row : undefined;
  }, opts);
}

/** Waits until the unit's journal (`journalctl -o cat`) has a line equal to `line`. */
export function waitForJournalLine(
  node: { exec(cmd: string): Promise<{ stdout: string }> },
  unit: string,
  line: string,
  opts: WaitOptions = {},
): Promise<string[]> {
  return waitFor(`journal of ${unit} to show: ${line}`, async () => {
    const { stdout } = await node.exec(`journalctl --no-pager -o cat -u '${unit}'`);
    const lines = stdout.split('\n');
    return lines.includes(line) ? lines : undefined;
  }, opts);
}
