/**
 * Shared by the proxy-*.test.ts files: unit files for sources and targets,
 * reading unit states through `bluechictl status NODE UNIT...`, waiting for
 * end states, and putting the nodes back in order between tests.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { depUnitName, proxyUnitName } from '@bluechi-ts/protocol';
import { startCluster, type Cluster } from '../../harness/cluster.js';
import { shq } from '../../harness/systemd-container.js';
import { waitFor, type WaitOptions } from '../../harness/wait.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Boots main + worker1 + worker2 once for the calling test file, with `conf`
 * appended to the controller drop-in, cleans the test units up after every
 * test (after `beforeCleanup`, if given) and removes the cluster at the end.
 * `ready` receives the cluster and its TestUnits once booted.
 */
export function useProxyCluster(
  conf: string,
  ready: (c: Cluster, units: TestUnits) => void,
  beforeCleanup?: (c: Cluster) => Promise<void>,
): void {
  let cluster: Cluster | undefined;
  let units: TestUnits | undefined;
  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1', 'worker2'], controllerConf: conf });
    units = new TestUnits(cluster);
    ready(cluster, units);
  });
  afterEach(async () => {
    if (cluster && beforeCleanup) await beforeCleanup(cluster);
    await units?.cleanup();
  });
  afterAll(async () => cluster?.stop());
}

/** Runs `bluechictl VERB NODE UNIT` and asserts its one result line and exit 0. */
export async function jobOk(c: Cluster, verb: 'start' | 'stop', node: string, unit: string, result = 'done'): Promise<void> {
  const method = verb === 'start' ? 'StartUnit' : 'StopUnit';
  expect(await c.ctl(`${verb} ${node} ${unit}`)).toEqual({
    exitCode: 0,
    stdout: `Unit ${unit} ${method} operation result: ${result}\n`,
    stderr: '',
  });
}

/** waitFor, with what was last seen added to the timeout error. */
export async function waitExplained<T>(
  what: string,
  probe: () => Promise<T | false | undefined | null>,
  opts: WaitOptions & { describe: () => string | Promise<string> },
): Promise<T> {
  try {
    return await waitFor(what, probe, opts);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await opts.describe()}`);
  }
}

/** The controller drop-in every proxy test file starts from: who may depend on whom. */
export const ALLOW_DEPS = [
  '[node main]',
  'AllowDependenciesOn=worker1,worker2',
  '[node worker1]',
  'AllowDependenciesOn=main,worker2',
  '',
].join('\n');

/** `bluechi-proxy@NODE_UNIT.service` for UNIT (with or without `.service`). */
/** `target` with or without `.service`: the name helpers of the product itself. */
const service = (unit: string) => (unit.endsWith('.service') ? unit : `${unit}.service`);
export const proxyOf = (node: string, unit: string) => proxyUnitName({ node, unit: service(unit) });
export const depOf = (unit: string) => depUnitName(service(unit));

/** A requesting unit: `Type=simple /bin/true RemainAfterExit=yes` with KEY=proxy and After=proxy. */
export function sourceUnit(keyword: 'Wants' | 'Requires' | 'BindsTo' | 'Upholds', proxies: string | string[]): string {
  const list = (Array.isArray(proxies) ? proxies : [proxies]).join(' ');
  return `[Unit]\n${keyword}=${list}\nAfter=${list}\n\n[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n`;
}

/** A target unit: `Type=simple`, `ExecStart=` as given, RemainAfterExit unless told otherwise. */
export function targetUnit(opts: { exec?: string; stopWhenUnneeded?: boolean; remainAfterExit?: boolean; type?: string } = {}): string {
  const { exec = '/bin/true', stopWhenUnneeded = false, remainAfterExit = true, type = 'simple' } = opts;
  return (
    `[Unit]\nDescription=proxy test target\n${stopWhenUnneeded ? 'StopWhenUnneeded=yes\n' : ''}\n` +
    `[Service]\nType=${type}\nExecStart=${exec}\n${remainAfterExit ? 'RemainAfterExit=yes\n' : ''}`
  );
}

/** `ACTIVE/SUBSTATE` of each unit, as `bluechictl status NODE UNIT...` shows it. */
export async function unitStates(c: Cluster, node: string, units: string[]): Promise<Record<string, string>> {
  const r = await c.ctl(`status ${shq(node)} ${units.map(shq).join(' ')}`);
  if (r.exitCode !== 0) throw new Error(`bluechictl status ${node} failed (exit ${r.exitCode}): ${r.stdout}${r.stderr}`);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n').slice(2)) {
    const [unit, , active, sub] = line.split('|').map((f) => f.trim());
    if (unit && active) out[unit] = `${active}/${sub}`;
  }
  return out;
}

/**
 * Waits until every unit on `node` is in the expected state: `active`,
 * `inactive`, `failed`... (ACTIVE column only) or `active/exited` (both columns).
 */
export async function waitStates(c: Cluster, node: string, expected: Record<string, string>, timeoutMs = 15_000): Promise<void> {
  const units = Object.keys(expected);
  let last: Record<string, string> = {};
  const matches = () =>
    units.every((u) => {
      const want = expected[u]!;
      const got = last[u] ?? '?';
      return want.includes('/') ? got === want : got.split('/')[0] === want;
    });
  await waitExplained(
    `on ${node}: ${JSON.stringify(expected)}`,
    async () => {
      last = await unitStates(c, node, units);
      return matches();
    },
    { timeoutMs, describe: async () => `last seen: ${JSON.stringify(last)}\n${await journals(c)}` },
  );
}

/** Asserts states right now (after a waitStates, to show something did *not* change). */
export async function expectStates(c: Cluster, node: string, expected: Record<string, string>): Promise<void> {
  const got = await unitStates(c, node, Object.keys(expected));
  const shown = Object.fromEntries(
    Object.entries(expected).map(([u, want]) => [u, want.includes('/') ? got[u] : got[u]?.split('/')[0]]),
  );
  expect(shown).toEqual(expected);
}

/** The journal of one unit on a node, message text only. */
export async function unitJournal(c: Cluster, node: string, unit: string): Promise<string> {
  const r = await c.node(node).exec(`journalctl --no-pager -o cat -u ${shq(unit)}`);
  return r.stdout;
}

/** Waits until the proxy unit's journal has a line containing `text`; returns the journal. */
export async function waitJournal(c: Cluster, node: string, unit: string, text: string, timeoutMs = 10_000): Promise<string> {
  let last = '';
  return waitExplained(
    `'${text}' in the journal of ${unit} on ${node}`,
    async () => {
      last = await unitJournal(c, node, unit);
      return last.includes(text) && last;
    },
    { timeoutMs, describe: () => `--- journal of ${unit} ---\n${last}` },
  );
}

/** Recent journal lines of every node, for failure messages. */
export async function journals(c: Cluster, lines = 40): Promise<string> {
  const parts: string[] = [];
  for (const name of [c.localAgent ?? 'main', ...c.agents.keys()]) {
    const r = await c.node(name).exec(`journalctl --no-pager -o short-precise -n ${lines} | grep -v Reloading`);
    parts.push(`--- ${name} ---\n${r.stdout}`);
  }
  return parts.join('');
}

/**
 * The unit files a test installs, so they can be stopped and removed after it.
 * Cleanup stops them, every proxy and dep unit, resets failed units and
 * removes the files, on every node that got one.
 */
export class TestUnits {
  private readonly written = new Map<string, Set<string>>();

  constructor(private readonly c: Cluster) {}

  async write(node: string, name: string, content: string): Promise<void> {
    await this.c.node(node).writeUnit(name, content);
    let set = this.written.get(node);
    if (!set) this.written.set(node, (set = new Set()));
    set.add(name);
  }

  async cleanup(): Promise<void> {
    const nodes = [this.c.localAgent ?? 'main', ...this.c.agents.keys()];
    // Sources first (their proxies then stop as unneeded), then whatever is left.
    for (const [node, units] of this.written) {
      await this.c.node(node).exec(`systemctl stop ${[...units].map(shq).join(' ')}`);
    }
    await Promise.all(
      nodes.map((node) =>
        this.c.node(node).exec(
          "systemctl stop 'bluechi-proxy@*.service' 'bluechi-dep@*.service'; systemctl reset-failed; " +
            [...(this.written.get(node) ?? [])].map((u) => `rm -f /etc/systemd/system/${shq(u)}`).join('; ') +
            '; systemctl daemon-reload',
        ),
      ),
    );
    this.written.clear();
  }
}
