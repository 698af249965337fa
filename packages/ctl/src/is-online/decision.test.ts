import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, step, type Effect, type Observation, type WatchOptions, type WatchState } from './decision.js';

const BUS = 'org.eclipse.bluechi.Agent';
const OFFLINE = `${BUS} is offline`;
const NO_ROUTE = 'Failed to get property: No route to host';

const online: Observation = { kind: 'status', online: true };
const offline: Observation = { kind: 'status', online: false };
const unreadable: Observation = { kind: 'unreadable', reason: NO_ROUTE };
const vanished: Observation = { kind: 'vanished' };
const sw: Observation = { kind: 'switch' };
const waitExpired: Observation = { kind: 'wait-expired' };
const switchExpired: Observation = { kind: 'switch-expired' };
const busLost: Observation = { kind: 'unreadable', reason: 'Lost the connection to the system bus' };

const opts = (o: Partial<WatchOptions> = {}): WatchOptions => ({ waitMs: 0, monitor: false, switchTimeoutMs: 0, ...o });

/** Feeds the observations in order; returns every effect and the final state. */
function run(options: WatchOptions, observations: Observation[]): { effects: Effect[]; state: WatchState } {
  let state = INITIAL_STATE;
  const effects: Effect[] = [];
  for (const o of observations) {
    const next = step(state, o, options, BUS);
    state = next.state;
    effects.push(...next.effects);
  }
  return { effects, state };
}

/** The exit effect, or undefined while it keeps running. */
const exitOf = (options: WatchOptions, observations: Observation[]) => run(options, observations).effects.find((e) => e.kind === 'exit');

const exit = (code: 0 | 1, stderr: string[] = code === 1 ? [OFFLINE] : []) => ({ kind: 'exit', code, stderr });

describe('bluechi-is-online decision: exit code and message for a sequence of observations', () => {
  it.each([
    // plain check
    { name: 'online', options: opts(), seq: [online], want: exit(0) },
    { name: 'offline', options: opts(), seq: [offline], want: exit(1) },
    { name: 'read fails (no daemon)', options: opts(), seq: [unreadable], want: exit(1, [NO_ROUTE, OFFLINE]) },
    { name: 'name vanishes before the read answers', options: opts(), seq: [vanished], want: exit(1) },
    // --wait
    { name: '--wait, online at once', options: opts({ waitMs: 500 }), seq: [online], want: exit(0) },
    { name: '--wait, comes online mid-wait', options: opts({ waitMs: 500 }), seq: [offline, online], want: exit(0) },
    { name: '--wait, comes online after a failed read', options: opts({ waitMs: 500 }), seq: [unreadable, online], want: exit(0) },
    { name: '--wait, offline until the time is up', options: opts({ waitMs: 500 }), seq: [offline, waitExpired], want: exit(1) },
    { name: '--wait, still unreadable when the time is up', options: opts({ waitMs: 500 }), seq: [unreadable, waitExpired], want: exit(1, [NO_ROUTE, OFFLINE]) },
    { name: '--wait, unreadable, then readable but offline', options: opts({ waitMs: 500 }), seq: [unreadable, offline, waitExpired], want: exit(1) },
    { name: '--wait, still waiting', options: opts({ waitMs: 500 }), seq: [offline, offline, vanished], want: undefined },
    // --monitor
    { name: '--monitor, offline at first', options: opts({ monitor: true }), seq: [offline], want: exit(1) },
    { name: '--monitor, stays online', options: opts({ monitor: true }), seq: [online, online], want: undefined },
    { name: '--monitor, goes offline', options: opts({ monitor: true }), seq: [online, offline], want: exit(1) },
    { name: '--monitor, daemon stops', options: opts({ monitor: true }), seq: [online, vanished], want: exit(1) },
    { name: '--monitor, bus lost', options: opts({ monitor: true }), seq: [online, busLost], want: exit(1, ['Lost the connection to the system bus', OFFLINE]) },
    { name: '--monitor, a stale wait timer does nothing', options: opts({ monitor: true }), seq: [online, waitExpired], want: undefined },
    // --wait with --monitor (and --initial-wait, which is the same)
    { name: '--wait --monitor, comes online then goes offline', options: opts({ waitMs: 500, monitor: true }), seq: [offline, online, offline], want: exit(1) },
    { name: '--wait --monitor, comes online and stays', options: opts({ waitMs: 500, monitor: true }), seq: [offline, online, waitExpired], want: undefined },
    { name: '--wait --monitor, never online', options: opts({ waitMs: 500, monitor: true }), seq: [offline, waitExpired], want: exit(1) },
    // --switch-timeout
    { name: 'switch tolerated: offline then online within the window', options: opts({ monitor: true, switchTimeoutMs: 800 }), seq: [online, sw, offline, online, switchExpired], want: undefined },
    { name: 'switch: still offline when the window closes', options: opts({ monitor: true, switchTimeoutMs: 800 }), seq: [online, sw, offline, switchExpired], want: exit(1) },
    { name: 'switch: offline again after the window closed', options: opts({ monitor: true, switchTimeoutMs: 800 }), seq: [online, sw, offline, online, offline], want: exit(1) },
    { name: 'switch: window closes while online, then offline', options: opts({ monitor: true, switchTimeoutMs: 800 }), seq: [online, sw, switchExpired, offline], want: exit(1) },
    { name: 'switch without --switch-timeout is no excuse', options: opts({ monitor: true }), seq: [online, sw, offline], want: exit(1) },
    { name: 'switch before the first reading is ignored', options: opts({ switchTimeoutMs: 800 }), seq: [sw, offline], want: exit(1) },
    { name: 'switch while checking once is ignored', options: opts({ switchTimeoutMs: 800 }), seq: [sw, online], want: exit(0) },
  ] as { name: string; options: WatchOptions; seq: Observation[]; want: unknown }[])('$name', ({ options, seq, want }) => {
    expect(exitOf(options, seq)).toEqual(want);
  });

  it('starts the wait timer only when offline at first, and cancels it once online', () => {
    expect(run(opts({ waitMs: 500 }), [online]).effects).toEqual([exit(0)]);
    expect(run(opts({ waitMs: 500 }), [offline]).effects).toEqual([{ kind: 'start-timer', timer: 'wait', ms: 500 }]);
    expect(run(opts({ waitMs: 500, monitor: true }), [offline, online]).effects).toEqual([
      { kind: 'start-timer', timer: 'wait', ms: 500 },
      { kind: 'cancel-timer', timer: 'wait' },
    ]);
  });

  it('opens a switch window per ControllerAddress change and closes it once back online', () => {
    const options = opts({ monitor: true, switchTimeoutMs: 800 });
    expect(run(options, [online, sw, sw, offline, online]).effects).toEqual([
      { kind: 'start-timer', timer: 'switch', ms: 800 },
      { kind: 'cancel-timer', timer: 'switch' },
      { kind: 'start-timer', timer: 'switch', ms: 800 },
      { kind: 'cancel-timer', timer: 'switch' },
    ]);
  });

  it('decides once: nothing happens after the exit', () => {
    const done = run(opts(), [offline]);
    expect(done.state.phase).toBe('done');
    expect(step(done.state, online, opts(), BUS).effects).toEqual([]);
  });

  it('names the bus name it was given in the message', () => {
    expect(step(INITIAL_STATE, offline, opts(), 'org.eclipse.bluechi').effects).toEqual([exit(1, ['org.eclipse.bluechi is offline'])]);
  });

  it('exits 0 only with no stderr, and 1 always with the offline line last', () => {
    const sequences: Observation[][] = [[online], [offline], [unreadable], [vanished], [offline, waitExpired], [online, offline]];
    for (const options of [opts(), opts({ waitMs: 1 }), opts({ monitor: true }), opts({ waitMs: 1, monitor: true })]) {
      for (const seq of sequences) {
        const e = exitOf(options, seq);
        if (e?.kind !== 'exit') continue;
        if (e.code === 0) expect(e.stderr).toEqual([]);
        else expect(e.stderr.at(-1)).toBe(OFFLINE);
      }
    }
  });
});
