/**
 * The tab-aligned unit table of `bluechictl status NODE UNIT...`.
 *
 * With W the length of the longest requested unit name and T = ceil(W / 8):
 *   header = `UNIT` + T tabs + `| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|`
 *   rule   = 8*T + 80 dashes
 *   row    = id + floor((W - len(id) + 8) / 8) tabs, then for each of the five states
 *            `| value\t` plus one more tab when the value is shorter than 6, then `|`.
 * Missing or empty values print as `(null)`, like glibc's printf of a NULL string.
 */
import type { UnitProperties } from '@bluechi-ts/protocol';
import { PLAIN, type Paint } from './colour.js';

const TAB = 8;

export type UnitStatus = {
  id: string;
  loadState: string | null;
  activeState: string | null;
  subState: string | null;
  freezerState: string | null;
  unitFileState: string | null;
};

/** A string property, or null when it is missing, empty or not a string. */
function stringProperty(props: UnitProperties, name: string): string | null {
  const v = props[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** Picks the five states; the id falls back to the requested name when `Id` is missing. */
export function unitStatusFromProperties(requested: string, props: UnitProperties): UnitStatus {
  return {
    id: stringProperty(props, 'Id') ?? requested,
    loadState: stringProperty(props, 'LoadState'),
    activeState: stringProperty(props, 'ActiveState'),
    subState: stringProperty(props, 'SubState'),
    freezerState: stringProperty(props, 'FreezerState'),
    unitFileState: stringProperty(props, 'UnitFileState'),
  };
}

export function isUnitNotFound(status: UnitStatus): boolean {
  return status.loadState === 'not-found';
}

export function maxNameLength(units: readonly string[]): number {
  return units.reduce((max, u) => Math.max(max, Buffer.byteLength(u, 'utf8')), 0);
}

export function formatUnitHeader(maxName: number): string {
  const tabs = Math.ceil(maxName / TAB);
  return (
    'UNIT' +
    '\t'.repeat(tabs) +
    '| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
    '-'.repeat(TAB * tabs + 80) +
    '\n'
  );
}

function cell(value: string | null, paint: Paint = PLAIN): string {
  const text = value ?? '(null)';
  return `| ${paint(text)}\t` + (text.length < 6 ? '\t' : '');
}

/** One row; `paint` colours the ACTIVE cell. */
export function formatUnitRow(status: UnitStatus, maxName: number, paint: Paint = PLAIN): string {
  const tabs = Math.max(0, Math.floor((maxName - Buffer.byteLength(status.id, 'utf8') + TAB) / TAB));
  return (
    status.id +
    '\t'.repeat(tabs) +
    cell(status.loadState) +
    cell(status.activeState, paint) +
    cell(status.subState) +
    cell(status.freezerState) +
    cell(status.unitFileState) +
    '|\n'
  );
}

export function unitNotFoundMessage(status: UnitStatus): string {
  return `Unit ${status.id} could not be found.\n`;
}
