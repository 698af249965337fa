/**
 * The `|`-separated tables of `list-units` (and later `list-unit-files`).
 *
 * Every column is left-aligned and padded to the widest value over ALL rows,
 * including rows the filter then hides, and at least the header word. Columns are
 * joined by ` | `, every line is padded to full width (trailing blanks in the last
 * column), and line 2 is a rule of `=` as long as a full line.
 */

/** Widths are counted in bytes, the way printf pads, so non-ASCII text lines up identically. */
function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function pad(value: string, width: number): string {
  const missing = width - byteLength(value);
  return missing > 0 ? value + ' '.repeat(missing) : value;
}

const SEPARATOR = ' | ';

export function formatListTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  keep: (row: readonly string[]) => boolean = () => true,
): string {
  const widths = headers.map((h) => byteLength(h));
  for (const row of rows) {
    for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c]!, byteLength(row[c] ?? ''));
  }
  const line = (cells: readonly string[]) => widths.map((w, c) => pad(cells[c] ?? '', w)).join(SEPARATOR) + '\n';
  const ruleLength = widths.reduce((a, b) => a + b, 0) + SEPARATOR.length * (widths.length - 1);
  const parts = [line(headers), '='.repeat(ruleLength) + '\n'];
  for (const row of rows) if (keep(row)) parts.push(line(row));
  return parts.join('');
}

export const LIST_UNITS_HEADERS = ['NODE', 'ID', 'ACTIVE', 'SUB'] as const;
