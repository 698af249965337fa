/**
 * Pure: how long the agent waits before its next try to reach the controller.
 * The first try after a loss is immediate; then the ceiling doubles from
 * `firstMs` up to `capMs` (the heartbeat interval), and each delay is drawn
 * with equal jitter, between half the ceiling and the ceiling, so agents that
 * lost the same controller at the same moment do not all knock at once, and
 * none waits longer than the cap. Randomness is passed in, for tests.
 */

export type BackoffPolicy = {
  /** Ceiling of the first delayed retry (the second try), ms. */
  firstMs: number;
  /** No delay is ever longer than this, ms. */
  capMs: number;
};

/** The agent's policy: a restarted controller is usually back within a few hundred ms. */
export const RECONNECT_FIRST_MS = 100;

/** The ceiling before try `attempt` (0 is the first try after a loss): 0, first, 2·first, 4·first … ≤ cap. */
export function backoffCeiling(attempt: number, p: BackoffPolicy): number {
  if (attempt <= 0 || p.capMs <= 0) return 0;
  const first = Math.min(p.firstMs, p.capMs);
  // 2^30 is far beyond any cap; stop doubling there so the number stays finite.
  return Math.min(p.capMs, first * 2 ** Math.min(attempt - 1, 30));
}

/**
 * The delay before try `attempt`, in whole ms: 0 for the first try, then
 * uniformly in [ceiling/2, ceiling]. `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, p);
  if (ceiling === 0) return 0;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + r * (ceiling / 2));
}
