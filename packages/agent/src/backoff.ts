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

/**
 * The delay after a refusal that said when to retry (`hintMs`): drawn
 * uniformly in [hint/2, 3·hint/2], so the refused agents spread out instead of
 * knocking again together, and never longer than `capMs` (when > 0). It does
 * not grow: a refusal for load says nothing about how long the controller
 * will stay away. At least 1 ms.
 */
export function refusalDelay(hintMs: number, capMs: number, random: () => number = Math.random): number {
  const r = Math.min(Math.max(random(), 0), 1);
  const delay = Math.round(hintMs / 2 + r * hintMs);
  return Math.max(1, capMs > 0 ? Math.min(delay, capMs) : delay);
}

/**
 * The retry hint of a refusal's headers (Node's, names in lower case): the
 * `Retry-After-Ms` value, else `Retry-After` in whole seconds; undefined when
 * neither is a plain non-negative integer (an HTTP date is not honoured).
 */
export function retryHintMs(headers: Record<string, string | string[] | undefined>): number | undefined {
  const int = (v: string | string[] | undefined): number | undefined => {
    const text = Array.isArray(v) ? v[0] : v;
    return text !== undefined && /^\s*\d{1,9}\s*$/.test(text) ? Number(text) : undefined;
  };
  const ms = int(headers['retry-after-ms']);
  if (ms !== undefined) return ms;
  const s = int(headers['retry-after']);
  return s === undefined ? undefined : s * 1000;
}
