/**
 * Unit fixtures for the CLI's tests: the wide facts of a unit (`-o wide`,
 * `status --json`) when systemd gives none of them.
 */
import type { UnitStatus } from './format/unit-table.js';
import type { UnitDetails } from './format/unit-wide.js';

/** Every wide fact unknown: no state change, age, main process, restarts, memory or result. */
export const NO_WIDE_FACTS: Omit<UnitDetails, keyof UnitStatus> = {
  stateChangeTimestamp: null,
  stateAgeSeconds: null,
  mainPid: null,
  restarts: null,
  memoryBytes: null,
  result: null,
};
