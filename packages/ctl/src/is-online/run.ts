/**
 * bluechi-is-online from argv to exit code: the request (request.ts), then
 * for a watch, bus events (bus-events.ts) fed through the decision
 * (decision.ts), whose effects are carried out here: timers started and
 * cancelled, stderr lines written, the watch closed on exit.
 */
import { EXIT_FAILURE, EXIT_SUCCESS } from '../exit-codes.js';
import { observationOf, type BusEvent } from './bus-events.js';
import { INITIAL_STATE, step, type Effect, type TimerName, type WatchOptions } from './decision.js';
import { HELP_TEXT, PROGRAM, versionLine } from './help.js';
import { parseRequest } from './request.js';
import { targetOf, type StatusTarget } from './targets.js';

export type StatusWatch = { close(): void };

export type IsOnlineEnv = {
  out(text: string): void;
  err(text: string): void;
  /** Starts watching the target's Status; every BusEvent goes to `report` until close(). */
  watch(target: StatusTarget, report: (event: BusEvent) => void): StatusWatch;
  /** Calls `fire` once after `ms`; the returned function cancels it. */
  startTimer(ms: number, fire: () => void): () => void;
};

export function runIsOnline(argv: readonly string[], env: IsOnlineEnv): Promise<number> {
  const request = parseRequest(argv);
  switch (request.kind) {
    case 'help':
      env.out(HELP_TEXT);
      return Promise.resolve(EXIT_SUCCESS);
    case 'version':
      env.out(versionLine());
      return Promise.resolve(EXIT_SUCCESS);
    case 'usage-error':
      env.err(request.getopt ? `${PROGRAM}: ${request.message}\n` : `${request.message}\n`);
      if (request.showHelp) env.out(HELP_TEXT);
      return Promise.resolve(EXIT_FAILURE);
    case 'watch':
      return watch(targetOf(request.component), request.options, env);
  }
}

function watch(target: StatusTarget, options: WatchOptions, env: IsOnlineEnv): Promise<number> {
  return new Promise((resolve) => {
    let state = INITIAL_STATE;
    const timers = new Map<TimerName, () => void>();
    let handle: StatusWatch | undefined;
    let exitCode: number | undefined;

    const apply = (effect: Effect) => {
      switch (effect.kind) {
        case 'start-timer':
          timers.set(effect.timer, env.startTimer(effect.ms, () => {
            timers.delete(effect.timer);
            feed({ kind: effect.timer === 'wait' ? 'wait-expired' : 'switch-expired' });
          }));
          return;
        case 'cancel-timer':
          timers.get(effect.timer)?.();
          timers.delete(effect.timer);
          return;
        case 'exit':
          for (const line of effect.stderr) env.err(`${line}\n`);
          exitCode = effect.code;
          for (const cancel of timers.values()) cancel();
          timers.clear();
          handle?.close();
          resolve(effect.code);
      }
    };
    const feed = (observation: Parameters<typeof step>[1]) => {
      const next = step(state, observation, options, target.busName);
      state = next.state;
      for (const effect of next.effects) apply(effect);
    };

    handle = env.watch(target, (event) => {
      const observation = observationOf(event, target);
      if (observation) feed(observation);
    });
    // The watch may have reported (and decided) before it was returned.
    if (exitCode !== undefined) handle.close();
  });
}
