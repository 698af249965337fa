/**
 * The `|`-separated tables of `list-units` and `list-unit-files`.
 *
 * Every column is left-aligned and padded to the widest value over ALL rows,
 * including rows the filter then hides, and at least the header word. Columns are
 * joined by ` | `, every line is padded to full width (trailing blanks in the last
 * column), and line 2 is a rule of `=` as long as a full line. Widths are
 * counted in bytes (printedWidth), the way printf pads, so non-ASCII text
 * lines up identically.
 */

import { printedWidth } from '@bluechi-ts/protocol';
import { PLAIN, type Paint } from './colour.js';

function pad(value: string, width: number, paint: Paint = PLAIN): string {
  const missing = width - printedWidth(value);
  return missing > 0 ? paint(value) + ' '.repeat(missing) : paint(value);
}

const SEPARATOR = ' | ';

/** Which column a Paint colours (rows only, never the header). */
export type ColumnPaint = { column: number; paint: Paint };

/** Each column's width: its header word and its widest value over all `rows`, in bytes. */
export function listTableWidths(headers: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const widths = headers.map((h) => printedWidth(h));
  for (const row of rows) {
    for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c]!, printedWidth(row[c] ?? ''));
  }
  return widths;
}

/** The header line and the rule of `=` under it. */
export function formatListHeader(headers: readonly string[], widths: readonly number[]): string {
  const ruleLength = widths.reduce((a, b) => a + b, 0) + SEPARATOR.length * (widths.length - 1);
  return formatListRows(widths, [headers]) + '='.repeat(ruleLength) + '\n';
}

/** Rows as lines, each cell padded to its column's width. */
export function formatListRows(widths: readonly number[], rows: readonly (readonly string[])[], colour?: ColumnPaint): string {
  let text = '';
  for (const cells of rows) {
    text += widths.map((w, c) => pad(cells[c] ?? '', w, c === colour?.column ? colour.paint : PLAIN)).join(SEPARATOR) + '\n';
  }
  return text;
}

export function formatListTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  keep: (row: readonly string[]) => boolean = () => true,
  colour?: ColumnPaint,
): string {
  const widths = listTableWidths(headers, rows);
  return formatListHeader(headers, widths) + formatListRows(widths, rows.filter(keep), colour);
}

export const LIST_UNITS_HEADERS = ['NODE', 'ID', 'ACTIVE', 'SUB'] as const;
export const LIST_UNIT_FILES_HEADERS = ['NODE', 'PATH', 'IS-ENABLED'] as const;
