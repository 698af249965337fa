/** Helpers shared by the proxy scenarios: unit files, and waiting for an end state before showing it. */
import type { Cluster } from '../../harness/cluster.js';

/** The controller configuration the proxy scenarios need: who may depend on whose units. */
export const PROXY_CONTROLLER_CONF = [
  '[node main]',
  'AllowDependenciesOn=worker1,worker2',
  '[node worker1]',
  'AllowDependenciesOn=main,worker2',
  '',
].join('\n');

/** A requesting unit: KEYWORD= and After= on the proxy, then a oneshot-like /bin/true that stays active. */
export function sourceUnit(keyword: 'Requires' | 'Wants' | 'Upholds', proxy: string): string {
  return `[Unit]\n${keyword}=${proxy}\nAfter=${proxy}\n\n[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits (silently, up to 10 s) until every unit shows the given ACTIVE state in
 * `bluechictl status NODE UNIT...`, so the table printed next shows the end state.
 */
export async function settle(cluster: Cluster, node: string, expected: Record<string, string>): Promise<void> {
  const units = Object.keys(expected);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await cluster.ctl(`status ${node} ${units.join(' ')}`);
    const rows = new Map(
      r.stdout
        .split('\n')
        .slice(2)
        .map((line) => line.split('|').map((f) => f.trim()))
        .map(([unit = '', , active = '']) => [unit, active] as const),
    );
    if (units.every((u) => rows.get(u) === expected[u])) return;
    if (Date.now() > deadline) throw new Error(`${node}: ${JSON.stringify(expected)} not reached; last:\n${r.stdout}${r.stderr}`);
    await sleep(100);
  }
}
