/**
 * `npm run bench -- memory`: how much memory the daemons take on a real
 * three-node cluster, the way a user sees it: `systemctl show -p
 * MemoryCurrent` of the unit and VmRSS (with its RssAnon/RssFile split) of the
 * daemon's process in /proc/PID/status.
 *
 * Boots main (controller + local agent over the Unix socket), worker1 and
 * worker2 (agents over TCP). Then, for every variant of the Node options
 * (MEMORY_VARIANTS, comma-separated names, default: `shipped,plain`, that is
 * as installed and with no Node options at all) and MEMORY_RUNS
 * times (default 3), it restarts every daemon with that variant and reads:
 *
 *   online   as soon as `bluechictl status` shows all 3 nodes online
 *   idle     MEMORY_SETTLE_MS (default 15000) later, nothing happening (V8's
 *            memory reducer shrinks the heap 8-12 s after start-up; before it
 *            the agent holds about 7 MiB more)
 *   work     after a little work, MEMORY_SETTLE_MS later: 20 start/stop pairs of
 *            a oneshot unit on worker1 and 20 ListNodes + ListUnits from one
 *            API client (bench/api-client.ts, after 3 warm-ups), then
 *            `bluechictl list-units` (every node) and `bluechictl status`
 *
 * and, beside it, Node alone with the variant's options (`node -e
 * 'setInterval(...)'` as a transient service on main), read the same way.
 * Also printed per variant: the API client's start round trip (StartUnit until
 * JobRemoved, worker1) and the daemons' CPU time (utime + stime) for start-up
 * (at `online`) and for the work.
 *
 * A variant other than `shipped` puts a drop-in beside the shipped units that
 * replaces ExecStart= with `/usr/bin/node OPTIONS /usr/libexec/bluechi-...`
 * (and sets Environment= where the variant has one), so any V8 option can be
 * tried, including those NODE_OPTIONS refuses. Prints tables; nothing is
 * asserted.
 */
import { CLIENT_PATH, apiClientBundle, ONESHOT, stats, runMain } from './lib.js';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import type { SystemdNode } from '../test/harness/systemd-container.js';

/** `node`: ExecStart= becomes `/usr/bin/node NODE... PROGRAM`; without it the shipped ExecStart= stays. */
type Variant = { node?: string[]; env?: Record<string, string> };

/** Node options to try; `shipped` runs the units exactly as installed, `plain` with no Node options at all. */
const VARIANTS: Record<string, Variant> = {
  shipped: {},
  plain: { node: [] },
  'semi-1': { node: ['--max-semi-space-size=1'] },
  'semi-2': { node: ['--max-semi-space-size=2'] },
  'old-64': { node: ['--max-old-space-size=64'] },
  'lite-mode': { node: ['--lite-mode'] },
  jitless: { node: ['--jitless'] },
  'v8-pool-1': { node: ['--v8-pool-size=1'] },
  'single-threaded-gc': { node: ['--single-threaded-gc'] },
  'single-threaded': { node: ['--single-threaded'] },
  'uv-threads-1': { node: [], env: { UV_THREADPOOL_SIZE: '1' } },
  'malloc-arena-1': { node: [], env: { MALLOC_ARENA_MAX: '1' } },
  'lite-mode+semi-1': { node: ['--lite-mode', '--max-semi-space-size=1'] },
  'optimize-for-size': { node: ['--optimize-for-size'] },
  'optimize-for-size+no-opt': { node: ['--optimize-for-size', '--no-opt'] },
  'no-opt': { node: ['--no-opt'] },
  'semi-1+pool-1+stgc': { node: ['--max-semi-space-size=1', '--v8-pool-size=1', '--single-threaded-gc'] },
  'semi-1+lite': { node: ['--max-semi-space-size=1', '--lite-mode'] },
  'semi-1+lite+stgc': { node: ['--max-semi-space-size=1', '--lite-mode', '--single-threaded-gc'] },
};

const RUNS = Number(process.env.MEMORY_RUNS ?? 3);
const SETTLE_MS = Number(process.env.MEMORY_SETTLE_MS ?? 15000);
/** Node alone does no work to shrink after; a few seconds are enough. */
const ALONE_SETTLE_MS = 3000;
const WORK_ROUNDS = Number(process.env.MEMORY_WORK_ROUNDS ?? 20);
const DROP_IN = 'zz-memory-bench.conf';

type Daemon = { label: string; node: SystemdNode; unit: string; program: string };
type Reading = { current: number; rss: number; anon: number; file: number; cpuMs: number };
const PHASES = ['online', 'idle', 'work'] as const;
type Phase = (typeof PHASES)[number];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** MemoryCurrent of one unit, its main process's VmRSS/RssAnon/RssFile and CPU time, in MiB and ms. */
async function read(node: SystemdNode, unit: string): Promise<Reading> {
  const r = await node.run(
    `pid=$(systemctl show -p MainPID --value ${unit}); ` +
      `echo "current $(systemctl show -p MemoryCurrent --value ${unit})"; ` +
      // utime + stime in clock ticks (CPUAccounting= is off in the containers).
      `echo "cpu $(awk '{print $14 + $15}' /proc/$pid/stat) $(getconf CLK_TCK)"; ` +
      `grep -E '^(VmRSS|RssAnon|RssFile):' /proc/$pid/status`,
  );
  const field = (name: string) => {
    const m = new RegExp(`^${name}:?\\s+(\\d+)`, 'm').exec(r.stdout);
    if (!m) throw new Error(`no ${name} for ${unit} on ${node.name}:\n${r.stdout}`);
    return Number(m[1]);
  };
  return {
    current: field('current') / 2 ** 20,
    cpuMs: (field('cpu') * 1000) / Number(/^cpu \d+ (\d+)/m.exec(r.stdout)?.[1] ?? 100),
    rss: field('VmRSS') / 1024,
    anon: field('RssAnon') / 1024,
    file: field('RssFile') / 1024,
  };
}

function dropIn(daemon: Daemon, variant: Variant): string {
  const lines = ['[Service]'];
  if (variant.node) lines.push('ExecStart=', `ExecStart=${['/usr/bin/node', ...variant.node, daemon.program].join(' ')}`);
  for (const [k, v] of Object.entries(variant.env ?? {})) lines.push(`Environment=${k}=${v}`);
  return `${lines.join('\n')}\n`;
}

async function applyVariant(cluster: Cluster, daemons: Daemon[], variant: Variant): Promise<void> {
  for (const d of daemons) {
    const path = `/etc/systemd/system/${d.unit}.service.d/${DROP_IN}`;
    if (!variant.node && !variant.env) await d.node.run(`rm -f ${path}`);
    else await d.node.run(`mkdir -p /etc/systemd/system/${d.unit}.service.d && echo ${Buffer.from(dropIn(d, variant)).toString('base64')} | base64 -d > ${path}`);
  }
  for (const node of [cluster.main, ...cluster.agents.values()]) await node.run('systemctl daemon-reload');
}

/** The daemons' command lines and NODE_OPTIONS/UV_THREADPOOL_SIZE/MALLOC_ARENA_MAX, to show what was measured. */
async function commandLines(daemons: Daemon[]): Promise<string[]> {
  return Promise.all(
    daemons.map(async (d) => {
      const r = await d.node.run(
        `pid=$(systemctl show -p MainPID --value ${d.unit}); tr '\\0' ' ' < /proc/$pid/cmdline; ` +
          `tr '\\0' '\\n' < /proc/$pid/environ | grep -E '^(NODE_OPTIONS|UV_THREADPOOL_SIZE|MALLOC_ARENA_MAX)=' | tr '\\n' ' '`,
      );
      return `${d.node.name}: ${r.stdout.trim()}`;
    }),
  );
}

/** Restarts every daemon (controller first) and waits until all nodes are online. */
async function restart(cluster: Cluster, daemons: Daemon[]): Promise<void> {
  for (const d of daemons) await d.node.run(`systemctl stop ${d.unit}; systemctl reset-failed ${d.unit} 2>/dev/null || true`);
  await cluster.startServices();
  await cluster.waitOnline();
}

/** Node alone, with the variant's options and environment, as a transient service on main. */
async function nodeAlone(main: SystemdNode, variant: Variant): Promise<Reading> {
  const unit = 'memory-bench-node.service';
  const env = Object.entries(variant.env ?? {}).map(([k, v]) => `-E ${k}=${v}`).join(' ');
  await main.run(`systemctl stop ${unit} 2>/dev/null; systemctl reset-failed ${unit} 2>/dev/null; true`);
  await main.run(`systemd-run -q --unit=${unit} ${env} /usr/bin/node ${(variant.node ?? []).join(' ')} -e 'setInterval(() => {}, 1 << 30)'`);
  await sleep(ALONE_SETTLE_MS);
  const r = await read(main, unit);
  await main.run(`systemctl stop ${unit}`);
  return r;
}

async function work(cluster: Cluster): Promise<number[]> {
  const r = await cluster.main.exec(`node ${CLIENT_PATH} --node worker1 --unit bench.service --runs ${WORK_ROUNDS} --warmup 3 --queries`);
  if (r.exitCode !== 0) throw new Error(`api-client failed: ${r.stderr}`);
  await cluster.main.run('bluechictl list-units >/dev/null && bluechictl status >/dev/null');
  return (JSON.parse(r.stdout) as { start: number[] }).start;
}

type Series = Map<string, number[]>;
function push(series: Series, key: string, value: number): void {
  series.set(key, [...(series.get(key) ?? []), value]);
}

function fmt(samples: number[] | undefined, digits = 1): string {
  if (!samples || samples.length === 0) return '-';
  const s = stats(samples);
  return s.n === 1 ? s.median.toFixed(digits) : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const names = (process.env.MEMORY_VARIANTS ?? 'shipped,plain').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !VARIANTS[n]);
  if (unknown.length > 0) throw new Error(`unknown variant(s) ${unknown.join(', ')}; known: ${Object.keys(VARIANTS).join(', ')}`);
  console.log('[bench] booting the cluster (main + worker1 + worker2)...');
  const cluster = await startCluster({ agents: ['worker1', 'worker2'] });
  const stopCluster = () => cluster.stop().catch(() => undefined);
  process.once('SIGINT', () => void stopCluster().then(() => process.exit(130)));
  try {
    await cluster.main.writeFile(CLIENT_PATH, apiClientBundle());
    await cluster.node('worker1').writeUnit('bench.service', ONESHOT);
    const daemons: Daemon[] = [
      { label: 'controller', node: cluster.main, unit: 'bluechi-controller', program: '/usr/libexec/bluechi-controller' },
      ...[cluster.main, ...cluster.agents.values()].map((node) => ({
        label: 'agent',
        node,
        unit: 'bluechi-agent',
        program: '/usr/libexec/bluechi-agent',
      })),
    ];
    const memory: Series = new Map();
    const extra: Series = new Map();
    for (const name of names) {
      const variant = VARIANTS[name]!;
      const options = [...(variant.node ?? []), ...Object.entries(variant.env ?? {}).map(([k, v]) => `${k}=${v}`)].join(' ');
      console.log(`[bench] ${name}: ${options || (variant.node ? '(no Node options)' : '(as shipped)')}, ${RUNS} runs...`);
      await applyVariant(cluster, daemons, variant);
      for (let run = 0; run < RUNS; run++) {
        await restart(cluster, daemons);
        if (run === 0) for (const line of await commandLines(daemons)) console.log(`[bench]   ${line}`);
        const at = async (phase: Phase) => {
          const readings = await Promise.all(daemons.map((d) => read(d.node, d.unit)));
          readings.forEach((r, i) => {
            const d = daemons[i]!;
            for (const k of ['rss', 'anon', 'file', 'current'] as const) push(memory, `${name}|${d.label}|${phase}|${k}`, r[k]);
          });
          return readings;
        };
        const online = await at('online');
        await sleep(SETTLE_MS);
        await at('idle');
        const starts = await work(cluster);
        await sleep(SETTLE_MS);
        const after = await at('work');
        for (const s of starts) push(extra, `${name}|start`, s);
        daemons.forEach((d, i) => {
          push(extra, `${name}|${d.label}|cpu-start`, online[i]!.cpuMs);
          push(extra, `${name}|${d.label}|cpu-work`, after[i]!.cpuMs - online[i]!.cpuMs);
        });
      }
      const alone = [];
      for (let run = 0; run < RUNS; run++) alone.push(await nodeAlone(cluster.main, variant));
      for (const k of ['rss', 'anon', 'file', 'current'] as const) memory.set(`${name}|node alone|idle|${k}`, alone.map((a) => a[k]));
    }
    await applyVariant(cluster, daemons, {});

    console.log('\nMemory in MiB, median (min-max) over the runs; agents pooled over the 3 nodes.\n');
    const rows: string[][] = [];
    for (const name of names) {
      for (const label of ['controller', 'agent', 'node alone']) {
        for (const phase of PHASES) {
          if (!memory.has(`${name}|${label}|${phase}|rss`)) continue;
          const get = (k: string) => memory.get(`${name}|${label}|${phase}|${k}`);
          rows.push([`${name}: ${label}, ${phase}`, String(get('rss')!.length), fmt(get('rss')), fmt(get('anon')), fmt(get('file')), fmt(get('current'))]);
        }
      }
    }
    table(['Variant: process, phase', 'n', 'VmRSS', 'RssAnon', 'RssFile', 'MemoryCurrent'], rows);

    console.log('\nCPU time of the daemon process in ms (utime + stime, 10 ms resolution): start-up until online, and the work; API start round trip in ms.\n');
    table(
      ['Variant', 'controller start CPU', 'agent start CPU', 'controller work CPU', 'agent work CPU', 'API start worker1, n', 'API start worker1'],
      names.map((name) => [
        name,
        fmt(extra.get(`${name}|controller|cpu-start`), 0),
        fmt(extra.get(`${name}|agent|cpu-start`), 0),
        fmt(extra.get(`${name}|controller|cpu-work`), 0),
        fmt(extra.get(`${name}|agent|cpu-work`), 0),
        String(extra.get(`${name}|start`)?.length ?? 0),
        fmt(extra.get(`${name}|start`), 2),
      ]),
    );
  } finally {
    await stopCluster();
  }
}

runMain('bench', main);
