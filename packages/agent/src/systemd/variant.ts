/**
 * Converts values decoded from D-Bus into plain JSON, so they can cross the
 * agent link unchanged. Pure functions.
 *
 *   t, x (BigInt)        -> number, or a decimal string beyond 2^53 (systemd's "infinity",
 *                           UINT64_MAX, becomes "18446744073709551615")
 *   ay (Buffer)          -> array of byte numbers
 *   v (Variant)          -> its value, converted (the signature is dropped)
 *   a, (struct)          -> arrays
 *   a{..} (dict)         -> object with string keys
 *   d that is not finite -> its string form ("NaN", "Infinity")
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A variant as decoded by the D-Bus library: an instance of a class (not a plain
 * object, so a dict with the keys `signature` and `value` is never mistaken for
 * one) carrying a string signature and a value.
 */
function isVariant(v: object): v is { signature: string; value: unknown } {
  const proto = Object.getPrototypeOf(v);
  return (
    proto !== Object.prototype &&
    proto !== null &&
    typeof (v as { signature?: unknown }).signature === 'string' &&
    'value' in v
  );
}

export function bigIntToJson(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

export function toJson(v: unknown): Json {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return bigIntToJson(v);
    case 'undefined':
      return null;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(toJson);
      if (v instanceof Uint8Array) return Array.from(v);
      if (isVariant(v)) return toJson(v.value);
      const out: { [key: string]: Json } = Object.create(null);
      for (const [k, x] of Object.entries(v)) out[k] = toJson(x);
      return out;
    }
    default:
      // symbol, function: never produced by a D-Bus decoder
      return String(v);
  }
}

/** An a{sv} property dictionary as a plain JSON object. */
export function propertiesToJson(dict: unknown): { [key: string]: Json } {
  const out = toJson(dict);
  if (out === null || typeof out !== 'object' || Array.isArray(out)) return Object.create(null);
  return out;
}

/**
 * An a{sv} dictionary as plain JSON plus each property's D-Bus signature (`s`,
 * `t`, `as`, ...), so a consumer can tell a string from an object path and the
 * values can be turned back into variants.
 */
export function typedPropertiesToJson(dict: unknown): { properties: { [key: string]: Json }; signatures: { [key: string]: string } } {
  const properties: { [key: string]: Json } = Object.create(null);
  const signatures: { [key: string]: string } = Object.create(null);
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) return { properties, signatures };
  for (const [k, v] of Object.entries(dict)) {
    properties[k] = toJson(v);
    signatures[k] = v !== null && typeof v === 'object' && isVariant(v) ? v.signature : signatureOf(properties[k]);
  }
  return { properties, signatures };
}

/** A best guess for a value that did not come as a variant (only fakes produce those). */
export function signatureOf(v: Json): string {
  if (typeof v === 'string') return 's';
  if (typeof v === 'boolean') return 'b';
  if (typeof v === 'number') return Number.isInteger(v) ? (v < 0 ? 'x' : 't') : 'd';
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => typeof x === 'string') ? 'as' : 'av';
  return 'a{sv}';
}
