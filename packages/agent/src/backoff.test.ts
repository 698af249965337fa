import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, refusalDelay, retryHintMs, type BackoffPolicy } from './backoff.js';

const DEFAULT: BackoffPolicy = { firstMs: 100, capMs: 2000 };

describe('backoffCeiling', () => {
  it.each([
    [0, 0],
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1600],
    [6, 2000],
    [7, 2000],
    [1000, 2000],
  ])('try %i waits at most %i ms (first 100, cap 2000)', (attempt, ceiling) => {
    expect(backoffCeiling(attempt, DEFAULT)).toBe(ceiling);
  });

  it.each<[string, BackoffPolicy, number[]]>([
    ['a cap below the first step caps every step', { firstMs: 100, capMs: 50 }, [0, 50, 50, 50]],
    ['a cap of 500 ms (HeartbeatInterval=500)', { firstMs: 100, capMs: 500 }, [0, 100, 200, 400, 500, 500]],
    ['no cap (heartbeats off, no fallback) means no delay', { firstMs: 100, capMs: 0 }, [0, 0, 0]],
  ])('%s', (_what, policy, ceilings) => {
    expect(ceilings.map((_, attempt) => backoffCeiling(attempt, policy))).toEqual(ceilings);
  });
});

describe('backoffDelay', () => {
  it.each([
    // attempt, random, delay
    [0, 0.99, 0],
    [1, 0, 50],
    [1, 0.5, 75],
    [1, 0.999, 100],
    [2, 0, 100],
    [3, 0.5, 300],
    [6, 0, 1000],
    [6, 0.999, 1999],
    [100, 1, 2000],
  ])('try %i with random %d waits %i ms', (attempt, random, delay) => {
    expect(backoffDelay(attempt, DEFAULT, () => random)).toBe(delay);
  });

  it('never waits longer than the cap nor less than half the ceiling, whatever the randomness', () => {
    for (let attempt = 1; attempt < 20; attempt++) {
      const ceiling = backoffCeiling(attempt, DEFAULT);
      for (const r of [-1, 0, 0.25, 0.75, 0.9999, 1, 2]) {
        const d = backoffDelay(attempt, DEFAULT, () => r);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(Math.min(ceiling, DEFAULT.capMs));
      }
    }
  });

  it('puts tries 1 to 4 between 0.75 and 1.5 s after the loss: the fast start', () => {
    const slowest = [1, 2, 3, 4].reduce((sum, attempt) => sum + backoffDelay(attempt, DEFAULT, () => 1), 0);
    const quickest = [1, 2, 3, 4].reduce((sum, attempt) => sum + backoffDelay(attempt, DEFAULT, () => 0), 0);
    expect([quickest, slowest]).toEqual([750, 1500]);
  });
});

describe('refusalDelay', () => {
  it.each([
    [0, 125],
    [0.5, 250],
    [0.999999, 375],
  ])('draws %f around a 250 ms hint: %i ms', (r, delay) => {
    expect(refusalDelay(250, 2000, () => r)).toBe(delay);
  });

  it('never waits longer than the cap, and does not grow', () => {
    expect(refusalDelay(250, 100, () => 0.9)).toBe(100);
    expect(refusalDelay(5000, 2000, () => 0)).toBe(2000);
    expect(refusalDelay(250, 0, () => 0.999999)).toBe(375);
  });

  it('waits at least 1 ms, even for a hint of 0', () => {
    expect(refusalDelay(0, 2000, () => 0.5)).toBe(1);
  });
});

describe('retryHintMs', () => {
  it('prefers Retry-After-Ms, else takes Retry-After in seconds', () => {
    expect(retryHintMs({ 'retry-after-ms': '250', 'retry-after': '1' })).toBe(250);
    expect(retryHintMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryHintMs({ 'retry-after-ms': ['300'] })).toBe(300);
  });

  it.each([[{}], [{ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }], [{ 'retry-after-ms': '-5' }], [{ 'retry-after-ms': '1.5' }], [{ 'retry-after-ms': '' }]])(
    'has no hint in %j',
    (headers) => {
      expect(retryHintMs(headers)).toBeUndefined();
    },
  );

  it('falls back to Retry-After when Retry-After-Ms is not a number', () => {
    expect(retryHintMs({ 'retry-after-ms': 'soon', 'retry-after': '1' })).toBe(1000);
  });
});
