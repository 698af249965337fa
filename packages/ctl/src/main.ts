#!/usr/bin/env node
/**
 * The bluechictl executable: wires the real process (argv, stdout/stderr, the
 * controller's socket, signals, the clock) to run() and sets the exit code.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { apiSocketPath } from '@bluechi-ts/protocol';
import { connectApi } from './api-client.js';
import { run, type Env } from './cli.js';
import { EXIT_INTERRUPTED } from './exit-codes.js';
import { wantsColour } from './format/colour.js';
import { localOffsetMinutes } from './format/last-seen.js';

// `bluechictl ... | head` closes the pipe early; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

let stop: AbortController | undefined;

const env: Env = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  connect: () => connectApi({ socketPath: apiSocketPath() }),
  clock: {
    now: () => Date.now(),
    offsetMinutes: localOffsetMinutes,
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
  },
  colour: wantsColour(process.stdout.isTTY, process.env),
  stopSignal: () => {
    if (!stop) {
      const controller = new AbortController();
      // The first SIGINT/SIGTERM ends the verb cleanly; a second one is
      // ignored while it does, as upstream's bluechictl ignores it; a third
      // leaves at once, for a verb that cannot finish.
      let signals = 0;
      const onSignal = () => {
        signals++;
        if (signals === 1) controller.abort();
        else if (signals >= 3) process.exit(EXIT_INTERRUPTED);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      stop = controller;
    }
    return stop.signal;
  },
};

run(process.argv.slice(2), env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bluechictl: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
