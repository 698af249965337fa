/**
 * The fake systemd's rules for writing unit properties (SetUnitProperties and
 * StartTransientUnit), with systemd 252's error names and texts: the values
 * must fit their signatures, the computed properties cannot be set, and a
 * transient service needs something to run. Pure.
 */
import { DBUS_ERRORS, SystemdError, type TypedProperty } from './manager.js';
import { propertyList } from './property-list.js';
import type { Json } from './variant.js';

export const PROPERTY_READ_ONLY = 'org.freedesktop.DBus.Error.PropertyReadOnly';
export const UNKNOWN_PROPERTY = 'org.freedesktop.DBus.Error.UnknownProperty';
export const UNIT_EXISTS = 'org.freedesktop.systemd1.UnitExists';
export const BAD_UNIT_SETTING = 'org.freedesktop.systemd1.BadUnitSetting';

/** What the fake computes itself; systemd refuses to set these. */
const COMPUTED = new Set([
  'Id', 'Names', 'LoadState', 'ActiveState', 'SubState', 'FreezerState', 'UnitFileState',
  'StateChangeTimestamp', 'InactiveExitTimestampMonotonic', 'ActiveEnterTimestampMonotonic',
  'LoadError', 'CanReload', 'CanFreeze', 'MainPID', 'NRestarts', 'Result',
]);

/** The properties as the fake stores them: values in JSON form and each one's signature. */
export type WrittenProperties = { description?: string; values: Record<string, Json>; signatures: Record<string, string> };

/**
 * Checks properties as systemd would before applying any of them: each value
 * against its signature (DbusValueError, DbusSignatureError), then each name.
 */
export function checkWritable(props: readonly TypedProperty[]): WrittenProperties {
  propertyList(props, (signature, value) => ({ signature, value }));
  const out: WrittenProperties = { values: {}, signatures: {} };
  for (const { name, signature, value } of props) {
    if (COMPUTED.has(name)) throw new SystemdError(PROPERTY_READ_ONLY, `Cannot set property ${name}, or unknown property.`);
    if (name === 'Description' && typeof value === 'string') {
      out.description = value;
      continue;
    }
    out.values[name] = value as Json;
    out.signatures[name] = signature;
  }
  return out;
}

/** systemd's checks of a new transient unit that the fake models. */
export function checkTransient(unit: string, written: WrittenProperties): void {
  if (unit.endsWith('.service') && !('ExecStart' in written.values) && !('ExecStop' in written.values)) {
    throw new SystemdError(BAD_UNIT_SETTING, `Unit ${unit} has a bad unit file setting.`);
  }
}

/** systemd's error for a job mode StartTransientUnit does not know. */
export function invalidTransientMode(mode: string): SystemdError {
  return new SystemdError(DBUS_ERRORS.INVALID_ARGS, `Job mode ${mode} is invalid.`);
}
