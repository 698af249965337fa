import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_CONFIG, runDaemon, type DaemonLog, type DaemonOptions } from './daemon.js';
import { ConfigError } from './config/ini.js';
import { FakeNotifier } from './fake-notifier.js';

function recordingLog(): DaemonLog & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => lines.push(`${level}: ${msg}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A daemon whose shutdown signal the test gives. */
function harness() {
  const events: string[] = [];
  const notifier = new FakeNotifier();
  const log = recordingLog();
  let terminate!: (signal: string) => void;
  const untilStopped = () => new Promise<string>((resolve) => (terminate = resolve));
  /** runDaemon with this harness's log, notifier and shutdown signal, an empty environment, and `opts`. */
  const run = (opts: Pick<DaemonOptions, 'start' | 'stop' | 'status'> & Partial<DaemonOptions>) =>
    runDaemon({ log, notifier, env: {}, untilStopped, ...opts });
  return { events, notifier, log, untilStopped, run, terminate: (s: string) => terminate(s) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runDaemon', () => {
  afterEach(() => vi.useRealTimers());

  it('sends READY=1 with the status after start, and STOPPING=1 before stop', async () => {
    const h = harness();
    const done = h.run({
      start: async () => void h.events.push(`start (sent ${h.notifier.sent.length})`),
      stop: async () => void h.events.push(`stop (sent ${h.notifier.sent.length})`),
      status: () => '0 of 1 node online',
    });
    await tick();
    expect(h.notifier.sent).toEqual([{ READY: '1', STATUS: '0 of 1 node online' }]);
    h.terminate('SIGTERM');
    expect(await done).toBe(0);
    expect(h.events).toEqual(['start (sent 0)', 'stop (sent 2)']);
    expect(h.notifier.sent[1]).toEqual({ STOPPING: '1', STATUS: 'Shutting down' });
    expect(h.log.lines).toContain('info: Received SIGTERM, shutting down');
  });

  it.each([
    ['1, a failure a restart may cure', new Error('listen EADDRINUSE: address already in use :::842'), 1],
    ['EX_CONFIG, a setup it cannot use', new ConfigError('LISTEN_FDS=x is not a positive integer'), EXIT_CONFIG],
  ])('exits without READY=1 when start fails: %s', async (_what, failure, status) => {
    const h = harness();
    const code = await h.run({
      start: () => Promise.reject(failure),
      stop: async () => {},
      status: () => 'never',
    });
    expect(code).toBe(status);
    expect(h.notifier.sent).toEqual([]);
    expect(h.log.lines).toEqual([`error: Failed to start: ${failure.message}`]);
  });

  it('sends a new STATUS= line when the daemon announces a change, and only if it differs', async () => {
    const h = harness();
    const changes = new EventEmitter();
    let online = 0;
    const done = h.run({
      start: async () => {},
      stop: async () => {},
      status: () => `${online} of 2 nodes online`,
      onStatusChange: (listener) => {
        changes.on('status', listener);
        return () => changes.off('status', listener);
      },
    });
    await tick();
    online = 1;
    changes.emit('status');
    changes.emit('status');
    online = 2;
    changes.emit('status');
    h.terminate('SIGINT');
    await done;
    changes.emit('status');
    expect(h.notifier.statuses).toEqual(['0 of 2 nodes online', '1 of 2 nodes online', '2 of 2 nodes online', 'Shutting down']);
  });

  it('polls the status when asked to', async () => {
    vi.useFakeTimers();
    const h = harness();
    let line = 'connecting to tcp:host=127.0.0.1,port=842';
    const done = h.run({
      start: async () => {},
      stop: async () => {},
      status: () => line,
      statusPollMs: 1000,
    });
    await vi.advanceTimersByTimeAsync(0);
    line = 'registered as worker1';
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.notifier.statuses).toEqual(['connecting to tcp:host=127.0.0.1,port=842', 'registered as worker1']);
    h.terminate('SIGTERM');
    await done;
  });

  it('pings the watchdog at half of WATCHDOG_USEC while healthy, and stops pinging at shutdown', async () => {
    vi.useFakeTimers();
    const h = harness();
    let healthy = true;
    const done = h.run({
      env: { WATCHDOG_USEC: '4000000', WATCHDOG_PID: '99' },
      pid: 99,
      start: async () => {},
      stop: async () => {},
      status: () => 'up',
      healthy: () => healthy,
    });
    const pings = () => h.notifier.sent.filter((f) => f.WATCHDOG).length;
    await vi.advanceTimersByTimeAsync(4000);
    expect(pings()).toBe(3);
    healthy = false;
    await vi.advanceTimersByTimeAsync(4000);
    expect(pings()).toBe(3);
    expect(h.log.lines).toContain('warn: Unhealthy (health check failed): not pinging the watchdog');
    healthy = true;
    h.terminate('SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    await done;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pings()).toBe(3);
  });

  it('does not ping a watchdog meant for another process', async () => {
    vi.useFakeTimers();
    const h = harness();
    const done = h.run({
      env: { WATCHDOG_USEC: '4000000', WATCHDOG_PID: '1234' },
      pid: 99,
      start: async () => {},
      stop: async () => {},
      status: () => 'up',
    });
    await vi.advanceTimersByTimeAsync(10_000);
    h.terminate('SIGTERM');
    await done;
    expect(h.notifier.sent.filter((f) => f.WATCHDOG)).toEqual([]);
  });
});
