import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startWatchdog, watchdogPeriodMs } from './watchdog.js';

describe('watchdogPeriodMs', () => {
  it('is half of WATCHDOG_USEC, in milliseconds', () => {
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '20000000' }, 42)).toBe(10_000);
  });

  it('applies when WATCHDOG_PID names this process', () => {
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '42' }, 42)).toBe(1500);
  });

  it('does not apply when WATCHDOG_PID names another process', () => {
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '7' }, 42)).toBeUndefined();
  });

  it('does not apply without a positive whole WATCHDOG_USEC', () => {
    expect(watchdogPeriodMs({}, 42)).toBeUndefined();
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '0' }, 42)).toBeUndefined();
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '3s' }, 42)).toBeUndefined();
  });
});

describe('startWatchdog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings at once and then on every period', async () => {
    let pings = 0;
    const dog = startWatchdog({ periodMs: 1000, ping: () => pings++ });
    await vi.advanceTimersByTimeAsync(3000);
    dog.stop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(pings).toBe(4);
  });

  it('skips pings while the health check fails, and says so once per bad spell', async () => {
    let healthy = true;
    let pings = 0;
    const reasons: string[] = [];
    const dog = startWatchdog({
      periodMs: 1000,
      ping: () => pings++,
      healthy: async () => {
        if (!healthy) throw new Error('systemd does not answer');
        return true;
      },
      onUnhealthy: (reason) => reasons.push(reason),
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(pings).toBe(2);
    healthy = false;
    await vi.advanceTimersByTimeAsync(3000);
    expect(pings).toBe(2);
    expect(reasons).toEqual(['systemd does not answer']);
    healthy = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(pings).toBe(3);
    dog.stop();
  });

  it('skips ticks while a health check is still unanswered', async () => {
    let pings = 0;
    let checks = 0;
    const dog = startWatchdog({ periodMs: 1000, ping: () => pings++, healthy: () => (checks++, new Promise<boolean>(() => {})) });
    await vi.advanceTimersByTimeAsync(5000);
    expect({ pings, checks }).toEqual({ pings: 0, checks: 1 });
    dog.stop();
  });
});
