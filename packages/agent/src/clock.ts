/**
 * Points in time as the agent's D-Bus properties report them: microseconds of
 * the realtime clock and of CLOCK_MONOTONIC (process.hrtime is CLOCK_MONOTONIC
 * on Linux, the clock systemd's *Monotonic properties use), as BigInt because
 * D-Bus `t` values are 64-bit.
 */
export type Timestamp = { readonly realtimeUs: bigint; readonly monotonicUs: bigint };

/** "Never": both clocks 0, as upstream reports an unset timestamp. */
export const NEVER: Timestamp = Object.freeze({ realtimeUs: 0n, monotonicUs: 0n });

export function now(): Timestamp {
  return { realtimeUs: BigInt(Date.now()) * 1000n, monotonicUs: process.hrtime.bigint() / 1000n };
}
