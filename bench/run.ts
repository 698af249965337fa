/**
 * `npm run bench`: boots the three-node cluster in containers and measures,
 * inside the containers (bash $EPOCHREALTIME loops in one `docker exec`, so
 * docker's own overhead is not counted), how long the common operations take.
 * Prints a table of medians (min, max); nothing is asserted.
 *
 * Environment: BENCH_RUNS (default 30), BENCH_WARMUP (default 3).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import { repoRoot, type SystemdNode } from '../test/harness/systemd-container.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CLIENT_PATH = '/usr/local/lib/bluechi-bench/api-client.mjs';

const ONESHOT = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';
const XSRC = `[Unit]\nRequires=bluechi-proxy@worker1_xtgt.service\nAfter=bluechi-proxy@worker1_xtgt.service\n\n${ONESHOT}`;
const XTGT = `[Unit]\nStopWhenUnneeded=yes\n\n${ONESHOT}`;
/** The same shape on one node, without any proxy: the local-only baseline. */
const XLOCAL = `[Unit]\nRequires=xltgt.service\nAfter=xltgt.service\n\n${ONESHOT}`;

type Row = { what: string; where: string; samples: number[]; note?: string };
const rows: Row[] = [];

function stats(samples: number[]): { n: number; min: number; median: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { n: s.length, min: s[0]!, median, max: s[s.length - 1]! };
}

/**
 * Runs WARMUP + RUNS iterations of a bash loop body inside the container. The
 * body prints `T<label> <seconds>` marks by calling `mark LABEL`; the spans
 * between `mark a0`/`mark a1` become samples of a. Warm-up rounds are dropped.
 */
async function timeLoop(node: SystemdNode, body: string): Promise<Map<string, number[]> & { lines: string[] }> {
  const script = [
    'set -e',
    'mark() { printf "%s %s %s\\n" "$i" "$1" "$EPOCHREALTIME"; }',
    `for ((i = 0; i < ${WARMUP + RUNS}; i++)); do`,
    body,
    'done',
  ].join('\n');
  const result = await node.exec(script);
  if (result.exitCode !== 0) throw new Error(`benchmark loop failed on ${node.name} (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  const marks = new Map<string, number>();
  const lines = result.stdout.split('\n');
  const samples = Object.assign(new Map<string, number[]>(), { lines });
  for (const line of lines) {
    const [round, label, time] = line.split(' ');
    if (!round || !label || !time || Number(round) < WARMUP) continue;
    const t = Number(time);
    const m = /^(.*)([01])$/.exec(label);
    if (!m) continue;
    const key = `${round}:${m[1]}`;
    if (m[2] === '0') marks.set(key, t);
    else {
      const begin = marks.get(key);
      if (begin === undefined) continue;
      const list = samples.get(m[1]!) ?? [];
      list.push((t - begin) * 1000);
      samples.set(m[1]!, list);
    }
  }
  return samples;
}

function add(what: string, where: string, samples: number[] | undefined, note?: string): void {
  if (!samples || samples.length === 0) throw new Error(`no samples for ${what}`);
  rows.push({ what, where, samples, ...(note ? { note } : {}) });
}

async function apiClient(cluster: Cluster, args: string): Promise<{ start: number[]; stop: number[]; activeAfterStart: number; runs: number }> {
  const r = await cluster.main.exec(`node ${CLIENT_PATH} --runs ${RUNS} --warmup ${WARMUP} ${args}`);
  if (r.exitCode !== 0) throw new Error(`api-client failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { start: number[]; stop: number[]; activeAfterStart: number; runs: number };
}

function printTable(): void {
  const fmt = (x: number) => x.toFixed(2);
  const header = ['Measurement', 'timed', 'n', 'min', 'median', 'max'];
  const body = rows.map((r) => {
    const s = stats(r.samples);
    return [r.what + (r.note ? ` (${r.note})` : ''), r.where, String(s.n), fmt(s.min), fmt(s.median), fmt(s.max)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const b of body) console.log(line(b));
  console.log(`\nAll times in ms; ${WARMUP} warm-up rounds dropped before each series.`);
}

async function main(): Promise<void> {
  const client = readFileSync(join(repoRoot(), 'dist', 'bench', 'api-client.mjs'));
  console.log('[bench] booting the cluster (main + worker1 + worker2)...');
  const cluster = await startCluster({
    agents: ['worker1', 'worker2'],
    controllerConf: '[node main]\nAllowDependenciesOn=worker1',
  });
  const stopCluster = () => cluster.stop().catch(() => undefined);
  process.once('SIGINT', () => void stopCluster().then(() => process.exit(130)));
  try {
    const main = cluster.main;
    const worker1 = cluster.node('worker1');
    await main.writeFile(CLIENT_PATH, client);
    await Promise.all([
      worker1.writeUnit('bench.service', ONESHOT),
      main.writeUnit('bench.service', ONESHOT),
      worker1.writeUnit('xtgt.service', XTGT),
      main.writeUnit('xsrc.service', XSRC),
      main.writeUnit('xlocal.service', XLOCAL),
      main.writeUnit('xltgt.service', XTGT),
    ]);
    console.log(`[bench] measuring, ${RUNS} runs per series after ${WARMUP} warm-ups...`);

    // (a) CLI wall time, controller -> agent -> systemd and back.
    for (const node of ['worker1', 'main']) {
      const s = await timeLoop(main, `mark start0; bluechictl start ${node} bench.service >/dev/null; mark start1
mark stop0; bluechictl stop ${node} bench.service >/dev/null; mark stop1`);
      const via = node === 'main' ? 'agent over UDS' : 'agent over TCP';
      add(`bluechictl start ${node} bench.service`, 'inside main', s.get('start'), via);
      add(`bluechictl stop ${node} bench.service`, 'inside main', s.get('stop'), via);
    }

    // (b) The same operation from a persistent API client.
    for (const node of ['worker1', 'main']) {
      const r = await apiClient(cluster, `--node ${node} --unit bench.service`);
      add(`API UnitJob start ${node} bench.service`, 'client in main', r.start, 'one connection');
      add(`API UnitJob stop ${node} bench.service`, 'client in main', r.stop, 'one connection');
    }

    // (c) The physical baseline on the node itself.
    {
      const s = await timeLoop(worker1, `mark start0; systemctl start bench.service; mark start1
mark stop0; systemctl stop bench.service; mark stop1`);
      add('systemctl start bench.service', 'inside worker1', s.get('start'));
      add('systemctl stop bench.service', 'inside worker1', s.get('stop'));
    }

    // (d) Cross-node proxy: xsrc on main requires xtgt on worker1. Between
    // rounds, wait (untimed) until the proxy has wound down, so each start is cold.
    {
      const s = await timeLoop(main, `mark start0; bluechictl start main xsrc.service >/dev/null; mark start1
if [ "$(systemctl is-active xsrc.service)" = active ] && [ "$i" -ge ${WARMUP} ]; then echo "$i active-ok 0"; fi
mark stop0; bluechictl stop main xsrc.service >/dev/null; mark stop1
for ((w = 0; w < 400; w++)); do [ "$(systemctl is-active bluechi-proxy@worker1_xtgt.service)" = inactive ] && break; sleep 0.005; done`);
      add('bluechictl start main xsrc.service', 'inside main', s.get('start'), 'cross-node proxy, cold');
      add('bluechictl stop main xsrc.service', 'inside main', s.get('stop'), 'cross-node proxy');
      const active = s.lines.filter((l) => / active-ok /.test(l)).length;
      console.log(`[bench] CLI proxy start: xsrc.service active after ${active}/${RUNS} runs`);
    }
    {
      const r = await apiClient(cluster, '--node main --unit xsrc.service --verify --settle main:bluechi-proxy@worker1_xtgt.service');
      add('API UnitJob start main xsrc.service', 'client in main', r.start, 'cross-node proxy, cold');
      add('API UnitJob stop main xsrc.service', 'client in main', r.stop, 'cross-node proxy');
      console.log(`[bench] API proxy start: xsrc.service active after ${r.activeAfterStart}/${r.runs} runs`);
    }

    // (d') Baselines for the proxy path on the same machine: the whole proxy
    // chain started by systemctl itself (no API round trip), the same shape
    // with both units on one node (no proxy), and one busctl call into the
    // agent (what the bluechi-proxy helper costs besides its wait).
    {
      const s = await timeLoop(main, `mark xs0; systemctl start xsrc.service; mark xs1
systemctl stop xsrc.service
for ((w = 0; w < 400; w++)); do [ "$(systemctl is-active bluechi-proxy@worker1_xtgt.service)" = inactive ] && break; sleep 0.005; done
mark xl0; systemctl start xlocal.service; mark xl1
systemctl stop xlocal.service
mark bus0; busctl get-property org.eclipse.bluechi.Agent /org/eclipse/bluechi org.eclipse.bluechi.Agent Status >/dev/null; mark bus1`);
      add('systemctl start xsrc.service', 'inside main', s.get('xs'), 'proxy chain without the API');
      add('systemctl start xlocal.service', 'inside main', s.get('xl'), 'same shape, one node, no proxy');
      add('busctl get-property ... Agent Status', 'inside main', s.get('bus'), 'one helper D-Bus round trip');
    }
    {
      const r = await apiClient(cluster, '--node main --unit xlocal.service --verify');
      add('API UnitJob start main xlocal.service', 'client in main', r.start, 'same shape, one node, no proxy');
    }

    // (e) Queries, and what a bare Node start costs.
    {
      const s = await timeLoop(main, `mark status0; bluechictl status >/dev/null; mark status1
mark lu0; bluechictl list-units worker1 >/dev/null; mark lu1
mark lua0; bluechictl list-units >/dev/null; mark lua1
mark version0; bluechictl version >/dev/null; mark version1
mark node0; node -e 0; mark node1`);
      add('bluechictl status', 'inside main', s.get('status'), '3 nodes');
      add('bluechictl list-units worker1', 'inside main', s.get('lu'));
      add('bluechictl list-units', 'inside main', s.get('lua'), '3 nodes');
      add('bluechictl version', 'inside main', s.get('version'), 'no connection');
      add('node -e 0', 'inside main', s.get('node'), 'Node start-up alone');
    }
    const units = await cluster.ctl('list-units worker1');
    console.log(`[bench] list-units worker1 returned ${units.stdout.split('\n').length - 3} units\n`);
    printTable();
  } finally {
    await stopCluster();
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
