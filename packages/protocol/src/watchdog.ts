/**
 * The service manager's watchdog (WatchdogSec=): systemd passes WATCHDOG_USEC
 * (and WATCHDOG_PID, the process it means) and expects WATCHDOG=1 within that
 * time, or it kills the service. We ping at half the time, and only while the
 * daemon is healthy: the timer firing proves the event loop turns, and a
 * daemon may add its own check (the agent asks systemd something).
 */

/** Half of WATCHDOG_USEC in ms, or undefined when no watchdog is asked of this process. */
export function watchdogPeriodMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = env.WATCHDOG_USEC;
  if (!usec || !/^\d+$/.test(usec)) return undefined;
  const watchdogPid = env.WATCHDOG_PID;
  if (watchdogPid !== undefined && watchdogPid !== '' && Number(watchdogPid) !== pid) return undefined;
  const total = Number(usec);
  if (!(total > 0)) return undefined;
  return Math.max(1, Math.floor(total / 2000));
}

export type WatchdogOptions = {
  periodMs: number;
  /** Sends WATCHDOG=1. */
  ping: () => void;
  /**
   * The daemon's own health check; false or a rejection skips this ping. A
   * check that has not answered by the next tick skips that tick too.
   */
  healthy?: () => boolean | Promise<boolean>;
  /** Called when a check fails after a healthy one (once per bad spell). */
  onUnhealthy?: (reason: string) => void;
};

export type Watchdog = { stop(): void };

export function startWatchdog(opts: WatchdogOptions): Watchdog {
  let checking = false;
  let wasHealthy = true;
  const verdict = (ok: boolean, reason: string) => {
    if (ok) opts.ping();
    else if (wasHealthy) opts.onUnhealthy?.(reason);
    wasHealthy = ok;
  };
  const tick = async () => {
    if (checking) return;
    if (!opts.healthy) return verdict(true, '');
    checking = true;
    try {
      verdict(await opts.healthy(), 'health check failed');
    } catch (err) {
      verdict(false, (err as Error)?.message ?? String(err));
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.periodMs);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
