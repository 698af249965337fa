/** The life of a foreground daemon process, shared by bluechi-controller and bluechi-agent. */
import { createNotifier, type Notifier } from './notify.js';
import { startWatchdog, watchdogPeriodMs } from './watchdog.js';
import { ConfigError } from './config/ini.js';

/** Exit status for a configuration the daemon cannot use (sysexits.h EX_CONFIG). The units do not restart on it. */
export const EXIT_CONFIG = 78;

/** Resolves with the signal's name at the first SIGTERM or SIGINT. */
export function untilTerminated(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => resolve(signal);
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * Runs `main` and exits with its status. Anything thrown is a bug: it is
 * reported with its stack on stderr and the process exits 1.
 */
export function runProgram(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${name}: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

/** What the skeleton says about the daemon's life; the daemon's logger. */
export type DaemonLog = {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
};

export type DaemonOptions = {
  log: DaemonLog;
  /**
   * Starts serving. READY=1 follows when it resolves; a rejection ends the
   * process with status 1, or EXIT_CONFIG for a ConfigError (a setup the
   * daemon cannot use, which a restart would not fix).
   */
  start: () => Promise<void>;
  /** Stops serving, after STOPPING=1 went out. */
  stop: () => Promise<void>;
  /** The one-line STATUS= text as it is now. */
  status: () => string;
  /** Subscribes to changes of `status()`; returns the unsubscribe. */
  onStatusChange?: (listener: () => void) => () => void;
  /** Also re-reads `status()` this often (ms), for states nobody announces. */
  statusPollMs?: number;
  /** Extra health check before each watchdog ping (the event loop turning is always checked). */
  healthy?: () => boolean | Promise<boolean>;
  /** Seams for tests: default the process's environment, pid and SIGTERM/SIGINT. */
  env?: NodeJS.ProcessEnv;
  pid?: number;
  notifier?: Notifier;
  untilStopped?: () => Promise<string>;
};

/** How long the exit waits for the last notifications (STOPPING=1) to be handed over. */
const FLUSH_ON_EXIT_MS = 1000;

/**
 * Starts the daemon, tells the service manager it is ready and keeps its
 * STATUS= current, pings the watchdog while healthy, and at SIGTERM or SIGINT
 * sends STOPPING=1 and stops it. Resolves with the exit status.
 */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const { log } = opts;
  const env = opts.env ?? process.env;
  const pid = opts.pid ?? process.pid;
  const notifier =
    opts.notifier ??
    createNotifier({ env, onError: (err) => log.warn(`Cannot notify the service manager: ${err.message}, ignoring`) });
  try {
    await opts.start();
  } catch (err) {
    log.error(`Failed to start: ${(err as Error).message}`);
    return err instanceof ConfigError ? EXIT_CONFIG : 1;
  }

  let status = opts.status();
  notifier.send({ READY: '1', STATUS: status });
  const refresh = () => {
    const now = opts.status();
    if (now === status) return;
    status = now;
    notifier.send({ STATUS: now });
  };
  const unsubscribe = opts.onStatusChange?.(refresh);
  const poll = opts.statusPollMs ? setInterval(refresh, opts.statusPollMs) : undefined;
  poll?.unref();

  const periodMs = watchdogPeriodMs(env, pid);
  const watchdog =
    periodMs === undefined
      ? undefined
      : startWatchdog({
          periodMs,
          ping: () => notifier.send({ WATCHDOG: '1' }),
          ...(opts.healthy ? { healthy: opts.healthy } : {}),
          onUnhealthy: (reason) => log.warn(`Unhealthy (${reason}): not pinging the watchdog`),
        });
  if (periodMs !== undefined) log.debug(`Pinging the service manager's watchdog every ${periodMs} ms`);

  const signal = await (opts.untilStopped ?? untilTerminated)();
  log.info(`Received ${signal}, shutting down`);
  watchdog?.stop();
  if (poll) clearInterval(poll);
  unsubscribe?.();
  notifier.send({ STOPPING: '1', STATUS: 'Shutting down' });
  await opts.stop();
  await Promise.race([notifier.flush(), new Promise((r) => setTimeout(r, FLUSH_ON_EXIT_MS).unref())]);
  return 0;
}
