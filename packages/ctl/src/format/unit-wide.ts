/**
 * `status NODE UNIT... -o wide`: what upstream's unit table leaves out and its
 * users ask for (since when a unit is in its state and for how long, its main
 * PID, how often systemd restarted it, its memory, and how its last run
 * ended), as a `|`-separated table like list-units, and the same facts in the
 * `--json` form. Durations use the node's own clock, so hosts whose clocks
 * differ still show the right age.
 */
import type { UnitProperties } from '@bluechi-ts/protocol';
import { PLAIN, type Paint } from './colour.js';
import { formatListTable } from './list-table.js';
import type { UnitStatus } from './unit-table.js';

/** UINT64_MAX: systemd's "not set" for counters and timestamps, as the agent passes it on. */
const UINT64_MAX = '18446744073709551615';

export type UnitDetails = UnitStatus & {
  /** When the unit last changed its ActiveState, µs since the epoch; null when never. */
  stateChangeTimestamp: number | null;
  /** Seconds in the current state, by the node's clock; null when unknown. */
  stateAgeSeconds: number | null;
  /** Main process id; null when there is none. */
  mainPid: number | null;
  /** How often systemd restarted the service (NRestarts); null for other unit types. */
  restarts: number | null;
  /** Memory of the unit's cgroup in bytes (MemoryCurrent); null when not accounted. */
  memoryBytes: number | null;
  /** How the last run ended (Result), e.g. success, exit-code, signal; null for other unit types. */
  result: string | null;
};

function count(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return null;
  return v;
}

/** The wide facts from a unit's properties, read at `observedAtUs` on the node's clock. */
export function unitDetails(status: UnitStatus, props: UnitProperties, observedAtUs?: number): UnitDetails {
  const since = count(props.StateChangeTimestamp);
  const stateChangeTimestamp = since && since > 0 ? since : null;
  const age = stateChangeTimestamp !== null && observedAtUs !== undefined ? Math.max(0, Math.floor((observedAtUs - stateChangeTimestamp) / 1e6)) : null;
  const pid = count(props.MainPID);
  const memory = props.MemoryCurrent === UINT64_MAX ? null : count(props.MemoryCurrent);
  return {
    ...status,
    stateChangeTimestamp,
    stateAgeSeconds: age,
    mainPid: pid && pid > 0 ? pid : null,
    restarts: count(props.NRestarts),
    memoryBytes: memory,
    result: typeof props.Result === 'string' && props.Result !== '' ? props.Result : null,
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time `YYYY-MM-DD HH:MM:SS` at UTC offset `offsetMinutes`. */
export function formatSince(us: number, offsetMinutes: number): string {
  const d = new Date(us / 1000 + offsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** systemd-style age with its two largest units: `42s`, `3min 5s`, `2h 1min`, `6d 3h`. */
export function formatAge(seconds: number): string {
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor((seconds % 86400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'min'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}

const IEC_SUFFIXES = ['K', 'M', 'G', 'T', 'P', 'E'];

/**
 * Bytes as systemctl shows memory (systemd's format_bytes): `512B`, `812.0K`,
 * `12.3M`, `1.5G`; the largest unit that fits, with one decimal cut off (not
 * rounded) from the next smaller unit.
 */
export function formatBytes(bytes: number): string {
  for (let i = IEC_SUFFIXES.length; i >= 1; i--) {
    const factor = 1024 ** i;
    if (bytes < factor) continue;
    const tenth = Math.floor((Math.floor(bytes / 1024 ** (i - 1)) * 10) / 1024) % 10;
    return `${Math.floor(bytes / factor)}.${tenth}${IEC_SUFFIXES[i - 1]}`;
  }
  return `${bytes}B`;
}

export const WIDE_HEADERS = ['UNIT', 'LOADED', 'ACTIVE', 'SUB', 'FREEZER', 'ENABLED', 'SINCE', 'FOR', 'MAIN PID', 'RESTARTS', 'MEMORY', 'RESULT'] as const;

const dash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '-' : v);

export function wideRow(d: UnitDetails, offsetMinutes: (ms: number) => number): string[] {
  return [
    d.id,
    dash(d.loadState),
    dash(d.activeState),
    dash(d.subState),
    dash(d.freezerState),
    dash(d.unitFileState),
    d.stateChangeTimestamp === null ? '-' : formatSince(d.stateChangeTimestamp, offsetMinutes(d.stateChangeTimestamp / 1000)),
    d.stateAgeSeconds === null ? '-' : formatAge(d.stateAgeSeconds),
    d.mainPid === null ? '-' : String(d.mainPid),
    d.restarts === null ? '-' : String(d.restarts),
    d.memoryBytes === null ? '-' : formatBytes(d.memoryBytes),
    dash(d.result),
  ];
}

/** The wide table; `paint` colours the ACTIVE column. */
export function formatWideTable(rows: readonly UnitDetails[], offsetMinutes: (ms: number) => number, paint: Paint = PLAIN): string {
  return formatListTable(WIDE_HEADERS, rows.map((d) => wideRow(d, offsetMinutes)), undefined, { column: 2, paint });
}
