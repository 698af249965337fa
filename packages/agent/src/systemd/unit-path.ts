/**
 * systemd's D-Bus object paths for units: `/org/freedesktop/systemd1/unit/<label>`,
 * where the label is the unit name escaped byte by byte (ASCII letters stay,
 * digits stay unless leading, every other byte becomes `_xx` in lowercase hex,
 * the empty name becomes `_`). Pure functions.
 */
import { escapeObjectPathElement } from '@bluechi-ts/protocol';

export const UNIT_PATH_PREFIX = '/org/freedesktop/systemd1/unit/';

/** `foo-bar.service` -> `/org/freedesktop/systemd1/unit/foo_2dbar_2eservice` */
export function unitObjectPath(unit: string): string {
  return UNIT_PATH_PREFIX + escapeObjectPathElement(unit);
}

/**
 * Reverses systemd's label escaping. Returns undefined for a label systemd would
 * never produce (a dangling `_`, non-hex digits, bytes that are not UTF-8).
 */
export function unescapePathLabel(label: string): string | undefined {
  if (label === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c !== 0x5f) {
      if (c > 0x7f) return undefined;
      bytes.push(c);
      continue;
    }
    const hex = label.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** The unit name behind a unit object path, or undefined for any other path. */
export function unitNameFromPath(path: string): string | undefined {
  if (!path.startsWith(UNIT_PATH_PREFIX)) return undefined;
  const label = path.slice(UNIT_PATH_PREFIX.length);
  if (label.length === 0 || label.includes('/')) return undefined;
  return unescapePathLabel(label);
}
