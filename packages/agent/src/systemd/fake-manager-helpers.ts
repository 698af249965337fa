/**
 * Small helpers for tests that drive a FakeSystemdManager directly: a record
 * of the unit states it signals, and a job run to its result.
 */
import type { UnitOp } from '@bluechi-ts/protocol';
import type { FakeSystemdManager } from './fake-manager.js';

/** Every state the manager signals from now on, as `unit ActiveState/SubState`, in order. */
export function recordStates(m: FakeSystemdManager): string[] {
  const seen: string[] = [];
  m.onStateChanged((e) => seen.push(`${e.unit} ${e.activeState}/${e.subState}`));
  return seen;
}

/** Queues a job in mode `replace` and waits for its result (done, failed, ...). */
export async function runJob(m: FakeSystemdManager, op: UnitOp, unit: string): Promise<string> {
  return (await m.queueJob(op, unit, 'replace')).done;
}
