/**
 * What a proxy does with a report about its target. Pure, table-tested.
 *
 * - A waiting proxy succeeds as soon as the target is active, whether that is a
 *   real transition or the state the target already had (virtual).
 * - A waiting proxy fails on a *real* inactive/failed report. Virtual ones only
 *   describe the state before our start request took effect (or the target
 *   node being out of reach), so they are not failures.
 * - An active proxy is stopped when its target really stops or fails, so
 *   systemd propagates that to Requires=/BindsTo= units; virtual reports (node
 *   outage) leave it running.
 * - After a reconnect an active proxy is `reacquiring`: while this node was away
 *   the controller released its dependency, so the target may have been stopped
 *   because of that very release. A clean stop is therefore not propagated until
 *   the target has been seen active again; a failure still is.
 */

export type ProxyPhase = 'waiting' | 'active' | 'reacquiring';
export type TargetReport = { activeState: string; subState: string; reason: 'real' | 'virtual' };
export type ProxyDecision = { action: 'succeed' | 'fail' | 'stop' | 'resume' | 'ignore'; why: string };

const DOWN = new Set(['inactive', 'failed']);

export function decide(phase: ProxyPhase, r: TargetReport): ProxyDecision {
  const state = `${r.activeState} (${r.subState})`;
  if (phase === 'waiting') {
    if (r.activeState === 'active') return { action: 'succeed', why: `target is ${state}` };
    if (DOWN.has(r.activeState) && r.reason === 'real') {
      return { action: 'fail', why: r.activeState === 'failed' ? `target failed (${r.subState})` : `target stopped (${r.subState}) before it became active` };
    }
    return { action: 'ignore', why: `waiting; target is ${state} (${r.reason})` };
  }
  if (phase === 'reacquiring') {
    if (r.activeState === 'active') return { action: 'resume', why: `target is ${state} again` };
    if (r.activeState === 'failed' && r.reason === 'real') return { action: 'stop', why: `target failed (${r.subState})` };
    return { action: 'ignore', why: `reacquiring after reconnect; target is ${state} (${r.reason})` };
  }
  if (DOWN.has(r.activeState) && r.reason === 'real') {
    return { action: 'stop', why: r.activeState === 'failed' ? `target failed (${r.subState})` : 'target stopped' };
  }
  return { action: 'ignore', why: `active; target is ${state} (${r.reason})` };
}
