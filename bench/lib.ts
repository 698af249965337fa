/**
 * What the benchmarks share: timed bash loops inside a container, medians and
 * the printed table. Nothing here asserts anything; figures are only printed.
 *
 * Environment: BENCH_RUNS (default 30), BENCH_WARMUP (default 3).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiClient } from '@bluechi-ts/ctl';
import type { SystemdNode } from '../test/harness/systemd-container.js';

export const RUNS = Number(process.env.BENCH_RUNS ?? 30);
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

/** Where the persistent API client is installed inside the controller's container. */
export const CLIENT_PATH = '/usr/local/lib/bluechi-bench/api-client.mjs';

/** Where the persistent D-Bus client (bench/dbus-client.ts) is installed inside the controller's container. */
export const DBUS_CLIENT_PATH = '/usr/local/lib/bluechi-bench/dbus-client.cjs';

export const ONESHOT = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';

/** The bundled API client; scripts/bench.sh writes it beside the bundled benchmark. */
export function apiClientBundle(): Buffer {
  return readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'api-client.mjs'));
}

/** The bundled D-Bus client; scripts/bench.sh writes it beside the bundled benchmark. */
export function dbusClientBundle(): Buffer {
  return readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'dbus-client.cjs'));
}

export type Row = { what: string; where: string; samples: number[]; note?: string };

export type Stats = { n: number; min: number; median: number; max: number };

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { n: s.length, min: s[0]!, median, max: s[s.length - 1]! };
}

export function median(samples: number[]): number {
  return stats(samples).median;
}

export type Samples = Map<string, number[]> & { lines: string[] };

/**
 * Runs WARMUP + RUNS iterations of a bash loop body inside the container. The
 * body prints `T<label> <seconds>` marks by calling `mark LABEL`; the spans
 * between `mark a0`/`mark a1` become samples of a. Warm-up rounds are dropped.
 */
export async function timeLoop(node: SystemdNode, body: string): Promise<Samples> {
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
  const samples: Samples = Object.assign(new Map<string, number[]>(), { lines });
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

/** Samples of one label; throws when the loop produced none. */
export function series(samples: Map<string, number[]>, label: string): number[] {
  const s = samples.get(label);
  if (!s || s.length === 0) throw new Error(`no samples for ${label}`);
  return s;
}

export function printTable(rows: Row[]): void {
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

/** `promise`, or a failure naming `what` once `timeoutMs` have passed. */
export async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** StartUnit -> its JobRemoved, as bluechictl waits for it. */
export async function startRoundTrip(api: ApiClient, node: string, unit: string): Promise<number> {
  const t0 = performance.now();
  let want = -1;
  const seen = new Set<number>();
  let wake: (() => void) | undefined;
  const off = api.on('JobRemoved', (r) => {
    seen.add(r.jobId);
    if (r.jobId === want) wake?.();
  });
  try {
    const { jobId } = await api.call('StartUnit', { node, unit, mode: 'replace' });
    want = jobId;
    if (!seen.has(jobId)) {
      await withDeadline(new Promise<void>((res) => (wake = res)), 30_000, `JobRemoved for ${unit} on ${node}`);
    }
    return performance.now() - t0;
  } finally {
    off();
  }
}

/** Runs a benchmark's main; a failure is printed with its stack under `tag` and exits 1. */
export function runMain(tag: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(`${tag}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
}
