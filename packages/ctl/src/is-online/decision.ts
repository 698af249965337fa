/**
 * What bluechi-is-online does with each thing it learns about the component:
 * a pure state machine, from observations (status readings, failed reads,
 * the bus name losing its owner, controller switches, timers running out) to
 * effects (start or cancel a timer, exit with a code and stderr lines).
 *
 *   no options        online -> exit 0; offline -> exit 1
 *   --wait=MS         offline at first: wait up to MS for online (exit 0 as soon
 *                     as it is), else exit 1 when the time is up
 *   --monitor         online (after any wait): keep watching; offline -> exit 1
 *   --switch-timeout  (agent, while monitoring) a ControllerAddress change opens a
 *                     window of MS in which being offline is tolerated; still
 *                     offline when it closes -> exit 1
 *
 * Every exit 1 prints `<bus name> is offline`, preceded by why the last read
 * failed when it did (`Failed to get property: No route to host`), as upstream.
 */

export type WatchOptions = {
  /** Wait this long for the component to come online when it is offline at first; 0 = no wait. */
  waitMs: number;
  /** Keep running while it is online; exit 1 once it goes offline. */
  monitor: boolean;
  /** After a controller switch, tolerate being offline this long; 0 = not at all. */
  switchTimeoutMs: number;
};

export type Observation =
  /** A reading of the Status property, already classified. */
  | { kind: 'status'; online: boolean }
  /** Reading the property failed; `reason` is the line that says why. Counts as offline. */
  | { kind: 'unreadable'; reason: string }
  /** The component's bus name has no owner any more: its daemon is gone. Counts as offline. */
  | { kind: 'vanished' }
  /** The agent's ControllerAddress changed: it is switching controllers. */
  | { kind: 'switch' }
  | { kind: 'wait-expired' }
  | { kind: 'switch-expired' };

export type TimerName = 'wait' | 'switch';

export type Effect =
  | { kind: 'start-timer'; timer: TimerName; ms: number }
  | { kind: 'cancel-timer'; timer: TimerName }
  | { kind: 'exit'; code: 0 | 1; stderr: string[] };

export type Phase = 'starting' | 'waiting' | 'monitoring' | 'done';

export type WatchState = {
  phase: Phase;
  /** The last reading (false before the first one). */
  online: boolean;
  /** Why the component counts as offline, when a read failed (printed before the offline line). */
  reason: string | undefined;
  /** A controller switch window is open. */
  switching: boolean;
};

export const INITIAL_STATE: WatchState = { phase: 'starting', online: false, reason: undefined, switching: false };

export type Step = { state: WatchState; effects: Effect[] };

function offlineLines(busName: string, reason: string | undefined): string[] {
  return reason === undefined ? [`${busName} is offline`] : [reason, `${busName} is offline`];
}

function exitOffline(state: WatchState, busName: string, cancel: TimerName[] = []): Step {
  return {
    state: { ...state, phase: 'done' },
    effects: [...cancel.map((timer): Effect => ({ kind: 'cancel-timer', timer })), { kind: 'exit', code: 1, stderr: offlineLines(busName, state.reason) }],
  };
}

/** Online now: done (exit 0), or on to monitoring. */
function reachedOnline(state: WatchState, options: WatchOptions, cancel: TimerName[]): Step {
  const effects: Effect[] = cancel.map((timer) => ({ kind: 'cancel-timer', timer }));
  if (!options.monitor) return { state: { ...state, phase: 'done' }, effects: [...effects, { kind: 'exit', code: 0, stderr: [] }] };
  return { state: { ...state, phase: 'monitoring' }, effects };
}

/** The next state and effects after one observation. `busName` is only for the messages. */
export function step(state: WatchState, observation: Observation, options: WatchOptions, busName: string): Step {
  if (state.phase === 'done') return { state, effects: [] };
  const stay: Step = { state, effects: [] };

  // Fold the reading (if it is one) into the state first.
  let next = state;
  if (observation.kind === 'status') next = { ...state, online: observation.online, reason: undefined };
  else if (observation.kind === 'unreadable') next = { ...state, online: false, reason: observation.reason };
  else if (observation.kind === 'vanished') next = { ...state, online: false, reason: undefined };
  const isReading = next !== state;

  switch (state.phase) {
    case 'starting':
    case 'waiting': {
      if (isReading && next.online) return reachedOnline(next, options, state.phase === 'waiting' ? ['wait'] : []);
      if (isReading && state.phase === 'starting') {
        if (options.waitMs > 0) return { state: { ...next, phase: 'waiting' }, effects: [{ kind: 'start-timer', timer: 'wait', ms: options.waitMs }] };
        return exitOffline(next, busName);
      }
      if (isReading) return { state: next, effects: [] };
      if (observation.kind === 'wait-expired' && state.phase === 'waiting') return exitOffline(state, busName);
      return stay;
    }
    case 'monitoring': {
      if (isReading) {
        if (next.online) {
          // Back online after a switch: the window has done its job.
          if (state.switching && !state.online) return { state: { ...next, switching: false }, effects: [{ kind: 'cancel-timer', timer: 'switch' }] };
          return { state: next, effects: [] };
        }
        if (state.switching) return { state: next, effects: [] };
        return exitOffline(next, busName);
      }
      if (observation.kind === 'switch') {
        if (options.switchTimeoutMs <= 0) return stay;
        // A new switch restarts the window.
        const restart: Effect[] = state.switching ? [{ kind: 'cancel-timer', timer: 'switch' }] : [];
        return { state: { ...state, switching: true }, effects: [...restart, { kind: 'start-timer', timer: 'switch', ms: options.switchTimeoutMs }] };
      }
      if (observation.kind === 'switch-expired' && state.switching) {
        const closed = { ...state, switching: false };
        return closed.online ? { state: closed, effects: [] } : exitOffline(closed, busName);
      }
      return stay;
    }
  }
}
