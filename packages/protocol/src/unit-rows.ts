/**
 * The compact form of a unit list (ListUnitRows): rows of only the fields a
 * caller asked for, filtered where the units are, with each field's widest
 * value over all units so a table can be aligned exactly as if every unit had
 * been sent (bluechictl pads to the widest value, filtered rows included).
 */
import { BluechiError, ErrorCodes } from './errors.js';
import { globMatch } from './glob.js';
import type { UnitField, UnitInfo, UnitRows } from './catalogue/shapes.js';

/** Bytes of UTF-8 a value takes when printed: what printf's padding counts. */
export function printedWidth(value: string | number): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : String(value).length;
}

/** `units` as rows of `fields`, only those whose name matches the glob `filter`. */
export function unitRows(units: readonly UnitInfo[], fields: readonly UnitField[], filter?: string): UnitRows {
  const widths = fields.map(() => 0);
  const rows: Array<Array<string | number>> = [];
  for (const unit of units) {
    for (let i = 0; i < fields.length; i++) {
      const w = printedWidth(unit[fields[i]!]);
      if (w > widths[i]!) widths[i] = w;
    }
    if (filter === undefined || globMatch(filter, unit.name)) rows.push(fields.map((f) => unit[f]));
  }
  return { rows, widths, total: units.length };
}

/**
 * Checks that a peer's rows fit the fields asked for: one width per field and
 * one cell per field in every row. Throws INVALID_RESULT naming `peer`.
 */
export function checkUnitRows(result: UnitRows, fields: readonly UnitField[], peer: string): UnitRows {
  const bad = (what: string) => new BluechiError(ErrorCodes.INVALID_RESULT, `invalid result for ListUnitRows from ${peer}: ${what}`);
  if (result.widths.length !== fields.length) throw bad(`${result.widths.length} widths for ${fields.length} fields`);
  const first = result.rows[0];
  if (first !== undefined && first.length !== fields.length) throw bad(`rows of ${first.length} cells for ${fields.length} fields`);
  if (result.rows.length > result.total) throw bad(`${result.rows.length} rows of ${result.total} units`);
  return result;
}
