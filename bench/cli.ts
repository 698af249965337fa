/**
 * `npm run bench -- cli`: what a bluechictl call costs beyond Node's own
 * start-up and the controller's answer. Boots main (controller + local agent)
 * and worker1, then times inside main, in bash $EPOCHREALTIME loops, each
 * round in this order: `node -e 0`, `bluechictl version`, `status`,
 * `list-units worker1`, `start worker1 bench.service`, `stop ...`; then the
 * same calls from one persistent API client (bench/api-client.ts), twice:
 * back to back, and paced like the CLI calls are (PACE_MS untimed before each
 * call: systemd starts a unit that was stopped a moment ago much faster than
 * one stopped a few milliseconds earlier). Prints the table of medians and,
 * per verb, the CLI's own share:
 *
 *   overhead = CLI median - `node -e 0` median - paced API round-trip median
 *
 * against the targets (version: at most `node -e 0` + 10 ms; verbs that call
 * the controller: overhead at most 10 ms). Nothing is asserted.
 *
 * BENCH_COMPARE=FILE also installs another bluechictl bundle (e.g. one built
 * from an earlier tree) and times it in the same rounds, interleaved, so two
 * builds are compared on the same machine state.
 * Environment besides: BENCH_RUNS (default 30), BENCH_WARMUP (default 3).
 */
import { readFileSync } from 'node:fs';
import { startCluster } from '../test/harness/cluster.js';
import { apiClientBundle, CLIENT_PATH, median, ONESHOT, printTable, RUNS, series, timeLoop, WARMUP, type Row, runMain } from './lib.js';

const COMPARE = process.env.BENCH_COMPARE;
const COMPARE_PATH = '/usr/local/bin/bluechictl-compared';
const TARGET_MS = 10;
/** About the gap between two requests of separate bluechictl processes in the loop (a Node start-up and more). */
const PACE_MS = 30;

type ApiSeries = { start: number[]; stop: number[]; listNodes: number[]; listUnits: number[] };

/** The CLI calls of one round; `api` names the API series of the same request. */
const CALLS = [
  { label: 'version', args: 'version', api: undefined },
  { label: 'status', args: 'status', api: 'listNodes' },
  { label: 'lu', args: 'list-units worker1', api: 'listUnits' },
  { label: 'start', args: 'start worker1 bench.service', api: 'start' },
  { label: 'stop', args: 'stop worker1 bench.service', api: 'stop' },
] as const;

function loopBody(programs: { prefix: string; path: string }[]): string {
  const lines = ['mark node0; node -e 0; mark node1'];
  for (const p of programs) {
    for (const call of CALLS) {
      const label = `${p.prefix}${call.label}`;
      lines.push(`mark ${label}0; ${p.path} ${call.args} >/dev/null; mark ${label}1`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const compared = COMPARE ? readFileSync(COMPARE) : undefined;
  console.log('[bench] booting the cluster (main + worker1)...');
  const cluster = await startCluster({ agents: ['worker1'] });
  const stopCluster = () => cluster.stop().catch(() => undefined);
  process.once('SIGINT', () => void stopCluster().then(() => process.exit(130)));
  try {
    const main = cluster.main;
    await main.writeFile(CLIENT_PATH, apiClientBundle());
    if (compared) await main.writeFile(COMPARE_PATH, compared, 0o755);
    await cluster.node('worker1').writeUnit('bench.service', ONESHOT);

    const programs = [{ prefix: '', path: 'bluechictl' }, ...(compared ? [{ prefix: 'cmp-', path: COMPARE_PATH }] : [])];
    console.log(`[bench] measuring, ${RUNS} runs per series after ${WARMUP} warm-ups...`);
    const cli = await timeLoop(main, loopBody(programs));
    const apiSeries = async (pause: number): Promise<ApiSeries> => {
      const r = await main.exec(`node ${CLIENT_PATH} --runs ${RUNS} --warmup ${WARMUP} --node worker1 --unit bench.service --queries --pause ${pause}`);
      if (r.exitCode !== 0) throw new Error(`api-client failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as ApiSeries;
    };
    const backToBack = await apiSeries(0);
    const api = await apiSeries(PACE_MS);

    const rows: Row[] = [{ what: 'node -e 0', where: 'inside main', samples: series(cli, 'node'), note: 'Node start-up alone' }];
    for (const p of programs) {
      for (const call of CALLS) {
        const note = p.prefix ? 'compared build' : undefined;
        rows.push({ what: `bluechictl ${call.args}`, where: 'inside main', samples: series(cli, `${p.prefix}${call.label}`), ...(note ? { note } : {}) });
      }
    }
    for (const [series, note] of [
      [backToBack, 'one connection, back to back'],
      [api, `one connection, ${PACE_MS} ms apart`],
    ] as const) {
      rows.push(
        { what: 'API ListNodes', where: 'client in main', samples: series.listNodes, note },
        { what: 'API ListUnits worker1', where: 'client in main', samples: series.listUnits, note },
        { what: 'API StartUnit worker1 bench.service + JobRemoved', where: 'client in main', samples: series.start, note },
        { what: 'API StopUnit worker1 bench.service + JobRemoved', where: 'client in main', samples: series.stop, note },
      );
    }
    const units = await cluster.ctl('list-units worker1');
    console.log(`[bench] list-units worker1 returned ${units.stdout.split('\n').length - 3} units\n`);
    printTable(rows);

    // The CLI's own share of each call, from the medians above.
    const nodeMs = median(series(cli, 'node'));
    console.log(`\nThe CLI's own share (median of the call - ${nodeMs.toFixed(2)} ms for node -e 0 - the paced API round trip); target ${TARGET_MS} ms:`);
    for (const p of programs) {
      for (const call of CALLS) {
        const cliMs = median(series(cli, `${p.prefix}${call.label}`));
        const apiMs = call.api ? median(api[call.api]) : 0;
        const own = cliMs - nodeMs - apiMs;
        const verdict = own <= TARGET_MS ? 'met' : 'missed';
        const name = `bluechictl ${call.args}${p.prefix ? ' (compared build)' : ''}`;
        console.log(`  ${name.padEnd(48)} ${own.toFixed(2).padStart(7)} ms  ${verdict}`);
      }
    }
  } finally {
    await stopCluster();
  }
}

runMain('bench', main);
