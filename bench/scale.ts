/**
 * `npm run bench -- scale`: the fleet at N nodes, on this host, no containers.
 * For each N in SCALE_NODES (default 200,1000,2000):
 *
 *   - the built controller (bluechi-controller from the staged tree SCALE_STAGE)
 *     runs as a child process on 127.0.0.1 (ControllerListenAddress) at a free
 *     port, with its files under a temporary BLUECHI_CONFIG_ROOT: the shipped
 *     defaults file plus a drop-in naming the N nodes, its own API socket, and
 *     otherwise the shipped defaults; its D-Bus API is off (it is pointed at a
 *     system bus that does not exist);
 *   - SCALE_WORKERS (default 4) forked worker processes (bench/scale-agents.ts)
 *     run N real Agents between them, each over a FakeSystemdManager with
 *     SCALE_UNITS (default 150) units, with the shipped agent defaults.
 *
 * Measured, in this order:
 *   storm       cold controller answering its API -> all N online, after every
 *               agent is started at once
 *   idle RSS    the controller's VmRSS after SCALE_SETTLE_MS (default 5000) idle
 *   list-units  the built bluechictl, spawn to exit, SCALE_RUNS times (default 5);
 *               the controller's VmHWM is reset (clear_refs 5) before each run
 *               and read after it: its peak RSS during that run
 *   start       StartUnit -> JobRemoved over one API connection, SCALE_STARTS
 *               (default 20) times on spread nodes; and `bluechictl start`,
 *               spawn to exit, SCALE_RUNS times
 *   restart     SIGTERM (then SIGKILL) to the controller -> a new one started
 *               -> all N online again, SCALE_RESTARTS (default 3) times each;
 *               timed from the signal
 *
 * Profiling knobs: SCALE_CONTROLLER_NODE_ARGS passes Node options to the
 * controller only, SCALE_CTL_NODE_ARGS to each bluechictl run; SCALE_HEAP_SNAPSHOT=DIR writes a heap snapshot of the idle
 * controller there.
 *
 * Every wait has a deadline and the whole run has one (SCALE_TIMEOUT_S,
 * default 1200); past it the run stops with a message naming what it waited for.
 * Prints a table; nothing is asserted.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectApi, type ApiClient } from '@bluechi-ts/ctl';
import { startRoundTrip, stats, withDeadline } from './lib.js';
import { unitNames, type FromWorker, type ToWorker, type WorkerSetup } from './scale-messages.js';

const env = process.env;
const NODES = (env.SCALE_NODES ?? '200,1000,2000').split(',').map((s) => Number(s.trim()));
const UNITS = Number(env.SCALE_UNITS ?? 150);
const WORKERS = Number(env.SCALE_WORKERS ?? 4);
const RUNS = Number(env.SCALE_RUNS ?? 5);
const STARTS = Number(env.SCALE_STARTS ?? 20);
const RESTARTS = Number(env.SCALE_RESTARTS ?? 3);
const SETTLE_MS = Number(env.SCALE_SETTLE_MS ?? 5000);
const TIMEOUT_S = Number(env.SCALE_TIMEOUT_S ?? 1200);
const STAGE = resolve(env.SCALE_STAGE ?? 'dist/scale-root');
const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The Node options the shipped bluechi-controller.service starts the
 * controller with (`ExecStart=/usr/bin/env node OPTIONS… /usr/libexec/…`),
 * so the benchmark runs it as systemd would; none when it runs the program
 * directly.
 */
function shippedNodeArgs(): string[] {
  const unit = readFileSync(join(STAGE, 'usr/lib/systemd/system/bluechi-controller.service'), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  const node = exec.indexOf('node');
  return node === -1 ? [] : exec.slice(node + 1, -1);
}

/** Extra Node options for the controller only (e.g. `--max-semi-space-size=1`), to measure what they buy. */
const CONTROLLER_NODE_ARGS = [...shippedNodeArgs(), ...(env.SCALE_CONTROLLER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')];
/** The same for each bluechictl run (then started by this Node rather than by its shebang). */
const CTL_NODE_ARGS = (env.SCALE_CTL_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
/** A directory for a heap snapshot of the idle controller (taken with --heapsnapshot-signal), or none. */
const HEAP_SNAPSHOT_DIR = env.SCALE_HEAP_SNAPSHOT;
if (HEAP_SNAPSHOT_DIR) CONTROLLER_NODE_ARGS.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_SNAPSHOT_DIR}`);

/** Deadlines of the single waits, ms. */
const CONTROLLER_UP_MS = 30_000;
const ALL_ONLINE_MS = Number(env.SCALE_ONLINE_TIMEOUT_MS ?? 180_000);
const COMMAND_MS = 120_000;

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** kB fields of /proc/PID/status, in MiB. */
function procStatus(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(/^(\w+):\s+(\d+) kB$/m.exec(text.split('\n').find((l) => l.startsWith(`${key}:`)) ?? '')?.[2] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Resets the peak RSS (VmHWM) to the current RSS; false where the kernel does not allow it. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

type Run = { code: number | null; ms: number; bytes: number; lines: number; stderr: string };

/** Runs a built program to its end, timed from spawn to exit; stdout is counted, not kept. */
function timed(cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const [file, argv] = CTL_NODE_ARGS.length === 0 ? [cmd, args] : [process.execPath, [...CTL_NODE_ARGS, cmd, ...args]];
    const child = spawn(file, argv, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let bytes = 0;
    let lines = 0;
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => {
      bytes += b.length;
      for (const c of b) if (c === 10) lines++;
    });
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`timed out after ${COMMAND_MS} ms: ${cmd} ${args.join(' ')}`));
    }, COMMAND_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      res({ code, ms: performance.now() - t0, bytes, lines, stderr });
    });
  });
}

type Fleet = { names: string[]; workers: ChildProcess[] };

/** Forks the workers and waits until each has built its agents (not started yet). */
async function prepareFleet(n: number, port: number): Promise<Fleet> {
  const names = Array.from({ length: n }, (_, i) => `scale-${String(i).padStart(4, '0')}`);
  const k = Math.max(1, Math.min(WORKERS, n));
  const workers: ChildProcess[] = [];
  const prepared: Promise<void>[] = [];
  for (let w = 0; w < k; w++) {
    const setup: WorkerSetup = { port, names: names.filter((_, i) => i % k === w), units: UNITS };
    const child = fork(join(HERE, 'scale-agents.mjs'), [], { env: { ...env, SCALE_WORKER_SETUP: JSON.stringify(setup) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(child);
    workers.push(child);
    prepared.push(
      new Promise((res, rej) => {
        child.once('exit', (code) => rej(new Error(`agent worker ${w} exited (${code}) while preparing`)));
        child.on('message', (m: FromWorker) => m.kind === 'prepared' && res());
      }),
    );
  }
  await withDeadline(Promise.all(prepared), CONTROLLER_UP_MS, 'the agent workers to build their agents');
  for (const w of workers) w.removeAllListeners('exit');
  return { names, workers };
}

function tell(fleet: Fleet, msg: ToWorker): void {
  for (const w of fleet.workers) w.send(msg);
}

async function stopFleet(fleet: Fleet): Promise<void> {
  const exited = fleet.workers.map((w) => new Promise<void>((res) => (w.exitCode !== null ? res() : w.once('exit', () => res()))));
  tell(fleet, { kind: 'stop' });
  await Promise.race([Promise.all(exited), sleep(15_000)]);
  for (const w of fleet.workers) if (w.exitCode === null) w.kill('SIGKILL');
}

/** The controller under test: a child process on its own temporary config root. */
class ControllerProcess {
  child: ChildProcess | undefined;
  constructor(
    readonly root: string,
    readonly apiPath: string,
  ) {}

  get pid(): number {
    return this.child!.pid!;
  }

  /** Starts it and waits until its API answers; returns that client. */
  async start(): Promise<ApiClient> {
    const log = createWriteStream(join(this.root, 'controller.log'), { flags: 'a' });
    const childEnv: NodeJS.ProcessEnv = { ...env, BLUECHI_CONFIG_ROOT: this.root };
    // Never the host's system bus: the D-Bus API stays off, as it does where there is none.
    childEnv.DBUS_SYSTEM_BUS_ADDRESS = `unix:path=${join(this.root, 'no-system-bus')}`;
    delete childEnv.NOTIFY_SOCKET;
    delete childEnv.WATCHDOG_USEC;
    const child = spawn(process.execPath, [...CONTROLLER_NODE_ARGS, join(STAGE, 'usr/libexec/bluechi-controller')], { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.pipe(log);
    children.add(child);
    this.child = child;
    return until('the controller to answer on its API socket', CONTROLLER_UP_MS, async () => {
      if (child.exitCode !== null) throw new Error(`the controller exited with ${child.exitCode}; see ${join(this.root, 'controller.log')}`);
      try {
        return await connectApi({ socketPath: this.apiPath, connectTimeoutMs: 1000, requestTimeoutMs: 30_000 });
      } catch {
        return undefined;
      }
    });
  }

  /** Sends `signal` and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child!;
    const exited = new Promise<void>((res) => (child.exitCode !== null || child.signalCode !== null ? res() : child.once('exit', () => res())));
    child.kill(signal);
    await withDeadline(exited, 15_000, `the controller to exit after ${signal}`);
    children.delete(child);
  }
}

async function onlineCount(api: ApiClient): Promise<number> {
  const { nodes } = await api.call('ListNodes', {});
  return nodes.filter((n) => n.status === 'online').length;
}

function allOnline(api: ApiClient, n: number, what: string): Promise<true> {
  return until(`${what}: all ${n} nodes online`, ALL_ONLINE_MS, async () => ((await onlineCount(api)) >= n ? true : undefined), 50);
}

type Figures = { n: number; cells: Map<string, string>; notes: string[] };

const ms = (samples: number[]) => {
  const s = stats(samples);
  return s.n === 1 ? `${s.median.toFixed(0)} ms` : `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}-${s.max.toFixed(0)}, n=${s.n})`;
};
const mib = (v: number) => `${v.toFixed(0)} MiB`;

export const ROWS = [
  '`bluechictl list-units`, end to end',
  'controller peak RSS during that list-units',
  'controller RSS idle, all online',
  'registration storm, cold controller, all online',
  'all agents back after a controller restart (SIGTERM)',
  'all agents back after a controller restart (SIGKILL)',
  'start round trip while all are connected',
];

async function measure(n: number): Promise<Figures> {
  const root = mkdtempSync(join(tmpdir(), `bc-scale-${n}-`));
  const cells = new Map<string, string>();
  const notes: string[] = [];
  const port = await freePort();
  const apiPath = join(root, 'api.sock');
  const defaults = 'usr/share/bluechi/config/controller.conf';
  mkdirSync(join(root, dirname(defaults)), { recursive: true });
  copyFileSync(join(STAGE, defaults), join(root, defaults));
  mkdirSync(join(root, 'etc/bluechi/controller.conf.d'), { recursive: true });
  let fleet: Fleet;
  try {
    fleet = await prepareFleet(n, port);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  writeFileSync(
    join(root, 'etc/bluechi/controller.conf.d/50-scale.conf'),
    `[bluechi-controller]\nControllerListenAddress=127.0.0.1\nControllerPort=${port}\nUseUDS=false\nApiSocketPath=${apiPath}\nLogTarget=stderr\nLogLevel=WARN\nAllowedNodeNames=${fleet.names.join(',')}\n`,
  );
  const controller = new ControllerProcess(root, apiPath);
  const ctl = join(STAGE, 'usr/bin/bluechictl');
  const ctlEnv = { BLUECHI_API_SOCKET: apiPath };
  try {
    console.log(`[scale] N=${n}: controller up, ${fleet.workers.length} workers x ${Math.ceil(n / fleet.workers.length)} agents x ${UNITS} units; registration storm...`);
    let api = await controller.start();
    const t0 = performance.now();
    tell(fleet, { kind: 'go' });
    await allOnline(api, n, 'registration storm');
    cells.set(ROWS[3]!, ms([performance.now() - t0]));

    await sleep(SETTLE_MS);
    cells.set(ROWS[2]!, mib(procStatus(controller.pid).rss));
    if (HEAP_SNAPSHOT_DIR) {
      process.kill(controller.pid, 'SIGUSR2');
      await sleep(5_000);
      notes.push(`heap snapshot of the idle controller written to ${HEAP_SNAPSHOT_DIR}`);
    }
    // The controller logs each 503 refusal at WARN; its log is on disk by now.
    const refused = readFileSync(join(root, 'controller.log'), 'utf8').split('too many unregistered connections').length - 1;
    notes.push(`storm: ${refused} connections refused with 503 (MaxAnonymousConnections)`);

    console.log(`[scale] N=${n}: list-units x ${RUNS}...`);
    const listMs: number[] = [];
    const peaks: number[] = [];
    let lines = 0;
    for (let i = 0; i < RUNS; i++) {
      const reset = resetPeak(controller.pid);
      let sampled = 0;
      const sampler = setInterval(() => (sampled = Math.max(sampled, procStatus(controller.pid).rss)), 5);
      const r = await timed(ctl, ['list-units'], ctlEnv);
      clearInterval(sampler);
      if (r.code !== 0) throw new Error(`bluechictl list-units exited with ${r.code}: ${r.stderr.trim()}`);
      listMs.push(r.ms);
      peaks.push(reset ? procStatus(controller.pid).hwm : sampled);
      lines = r.lines;
      if (!reset && i === 0) notes.push('peak RSS sampled every 5 ms (VmHWM could not be reset)');
    }
    cells.set(ROWS[0]!, ms(listMs));
    // The same with a filter that matches one unit per node: the fan-out and
    // the nodes' work without the bulk of the rows.
    const filtered: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await timed(ctl, ['list-units', `--filter=${unitNames(UNITS)[0]!}`], ctlEnv);
      if (r.code !== 0) throw new Error(`bluechictl list-units --filter exited with ${r.code}: ${r.stderr.trim()}`);
      filtered.push(r.ms);
    }
    notes.push(`list-units --filter=${unitNames(UNITS)[0]!} (one row per node): ${ms(filtered)}`);
    cells.set(ROWS[1]!, `${mib(Math.max(...peaks))} (median ${mib(stats(peaks).median)})`);
    notes.push(`list-units printed ${lines} lines; controller RSS after the list-units runs: ${mib(procStatus(controller.pid).rss)}`);

    console.log(`[scale] N=${n}: start round trips...`);
    const units = unitNames(UNITS);
    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) starts.push(await startRoundTrip(api, fleet.names[(i * 7919) % n]!, units[i % UNITS]!));
    const ctlStarts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await timed(ctl, ['start', fleet.names[(i * 104729) % n]!, units[(i + STARTS) % UNITS]!], ctlEnv);
      if (r.code !== 0) throw new Error(`bluechictl start exited with ${r.code}: ${r.stderr.trim()}`);
      ctlStarts.push(r.ms);
    }
    cells.set(ROWS[6]!, `API ${ms(starts)}; bluechictl start ${ms(ctlStarts)}`);

    for (const [row, signal] of [
      [ROWS[4]!, 'SIGTERM'],
      [ROWS[5]!, 'SIGKILL'],
    ] as const) {
      console.log(`[scale] N=${n}: controller restarts (${signal}) x ${RESTARTS}...`);
      const back: number[] = [];
      const answering: number[] = [];
      for (let i = 0; i < RESTARTS; i++) {
        const t = performance.now();
        api.close();
        await controller.kill(signal);
        api = await controller.start();
        answering.push(performance.now() - t);
        await allOnline(api, n, `restart after ${signal}`);
        back.push(performance.now() - t);
      }
      if (RESTARTS === 0) continue;
      cells.set(row, ms(back));
      notes.push(`${signal}: signal -> new controller answering ${ms(answering)}`);
    }
    api.close();
    await controller.kill('SIGTERM');
  } finally {
    if (controller.child && controller.child.exitCode === null) controller.child.kill('SIGKILL');
    await stopFleet(fleet);
    rmSync(root, { recursive: true, force: true });
  }
  return { n, cells, notes };
}

function printTable(all: Figures[]): void {
  const head = ['figure at N nodes x ' + UNITS + ' units', ...all.map((f) => `N = ${f.n}`)];
  const rows = ROWS.map((r) => [r, ...all.map((f) => f.cells.get(r) ?? 'not measured')]);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  for (const f of all) for (const note of f.notes) console.log(`N = ${f.n}: ${note}`);
  console.log(`controller started as: node ${[...CONTROLLER_NODE_ARGS, 'bluechi-controller'].join(' ')}`);
}

async function main(): Promise<void> {
  const timer = setTimeout(() => {
    console.error(`[scale] the run exceeded SCALE_TIMEOUT_S=${TIMEOUT_S} s; stopping`);
    killAll();
    process.exit(1);
  }, TIMEOUT_S * 1000);
  timer.unref();
  process.once('SIGINT', () => (killAll(), process.exit(130)));
  const all: Figures[] = [];
  try {
    for (const n of NODES) {
      const started = performance.now();
      all.push(await measure(n));
      console.log(`[scale] N=${n} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    killAll();
    if (all.length > 0) {
      console.log('');
      printTable(all);
    }
  }
}

main().catch((err: unknown) => {
  console.error(`[scale] failed: ${err instanceof Error ? err.message : String(err)}`);
  killAll();
  process.exit(1);
});
