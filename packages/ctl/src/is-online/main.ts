#!/usr/bin/env node
/**
 * The bluechi-is-online executable: wires the real process (argv,
 * stdout/stderr, the system bus, timers) to runIsOnline() and exits with its
 * code. SIGINT and SIGTERM keep Node's default (end at once), so stopping a
 * unit that runs `bluechi-is-online ... --monitor` is an ordinary stop.
 */
import { watchStatus } from './bus.js';
import { PROGRAM } from './help.js';
import { runIsOnline } from './run.js';

/** setTimeout's longest delay; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function startTimer(ms: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (left: number) => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fire()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

runIsOnline(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  watch: watchStatus,
  startTimer,
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${PROGRAM}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
