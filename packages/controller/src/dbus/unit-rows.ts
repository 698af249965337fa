/**
 * systemd's rows as the D-Bus API returns them (reference §2.1, §2.2): the
 * ListUnits tuple `(ssssssouso)`, the ListUnitFiles pair `(ss)` and the unit
 * file change triple `(sss)`, in the JSON form of dbus-values. Pure.
 */
import type { Json, TypedProperty, UnitFileChange, UnitFileInfo, UnitInfo } from '@bluechi-ts/protocol';

export function unitRow(u: UnitInfo): Json[] {
  return [u.name, u.description, u.loadState, u.activeState, u.subState, u.following, u.unitPath || '/', u.jobId, u.jobType, u.jobPath || '/'];
}

export function unitFileRow(f: UnitFileInfo): Json[] {
  return [f.path, f.state];
}

export function changeRow(c: UnitFileChange): Json[] {
  return [c.type, c.file, c.destination];
}

/** An `a(sv)` argument (each entry `[name, { signature, value }]`) as typed properties for the catalogue. */
export function typedProperties(list: Json): TypedProperty[] {
  return (list as Array<[string, { signature: string; value: Json }]>).map(([name, v]) => ({ name, signature: v.signature, value: v.value }));
}

/** A property dictionary with each value's D-Bus type, as an `a{sv}` in JSON form. */
export function typedDict(properties: Record<string, Json>, signatures: Record<string, string> | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(properties)) {
    const signature = signatures?.[k];
    out[k] = signature ? { signature, value: v } : v;
  }
  return out;
}
