/**
 * What a proxy does with a report about its target. Pure, table-tested.
 *
 * - A waiting proxy succeeds as soon as the target is active, whether that is a
 *   real transition or the state the target already had (virtual).
 * - A waiting proxy fails on a *real* `failed` report, and on a real `inactive`
 *   once the target was seen starting (a oneshot without RemainAfterExit= goes
 *   activating -> inactive and never counts as active). An `inactive` before
 *   that only describes the state before our start request took effect, like
 *   every virtual report (or the target node being out of reach).
 * - An active proxy is stopped when its target really stops or fails, so
 *   systemd propagates that to Requires=/BindsTo= units; virtual reports (node
 *   outage) leave it running.
 * - After a reconnect an active proxy is `reacquiring`: while this node was away
 *   the controller released its dependency, so the target may have been stopped
 *   because of that very release. A clean stop is therefore not propagated until
 *   the target has been seen active again; a failure still is. The same holds
 *   when the *target* node goes offline (virtual `inactive/agent-offline`):
 *   whatever happened to the target meanwhile, the controller starts it again
 *   when that node returns, so the proxy reacquires it instead of stopping.
 */

export type ProxyPhase = 'waiting' | 'active' | 'reacquiring';
export type TargetReport = { activeState: string; subState: string; reason: 'real' | 'virtual' };
export type ProxyDecision = { action: 'succeed' | 'fail' | 'stop' | 'resume' | 'reacquire' | 'ignore'; why: string };

const DOWN = new Set(['inactive', 'failed']);

/** States that show a start is under way (or done). */
export const STARTING = new Set(['activating', 'active', 'deactivating', 'reloading', 'refreshing']);

export function decide(phase: ProxyPhase, r: TargetReport, seenStarting = false): ProxyDecision {
  const state = `${r.activeState} (${r.subState})`;
  if (phase === 'waiting') {
    if (r.activeState === 'active') return { action: 'succeed', why: `target is ${state}` };
    if (r.activeState === 'failed' && r.reason === 'real') return { action: 'fail', why: `target failed (${r.subState})` };
    if (r.activeState === 'inactive' && r.reason === 'real' && seenStarting) {
      return { action: 'fail', why: `target stopped (${r.subState}) before it became active` };
    }
    return { action: 'ignore', why: `waiting; target is ${state} (${r.reason})` };
  }
  if (phase === 'reacquiring') {
    if (r.activeState === 'active') return { action: 'resume', why: `target is ${state} again` };
    if (r.activeState === 'failed' && r.reason === 'real') return { action: 'stop', why: `target failed (${r.subState})` };
    return { action: 'ignore', why: `reacquiring after reconnect; target is ${state} (${r.reason})` };
  }
  if (r.reason === 'virtual' && r.subState === 'agent-offline') {
    return { action: 'reacquire', why: 'target node is offline; its dependency is sent again when it returns' };
  }
  if (DOWN.has(r.activeState) && r.reason === 'real') {
    return { action: 'stop', why: r.activeState === 'failed' ? `target failed (${r.subState})` : 'target stopped' };
  }
  return { action: 'ignore', why: `active; target is ${state} (${r.reason})` };
}
