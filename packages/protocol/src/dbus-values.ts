/**
 * D-Bus values on the links, guided by their type signatures, so a value read
 * from one bus (an a{sv} a client sent to the controller, a property systemd
 * returned on a node) crosses the WebSocket as JSON and is written back to
 * another bus with the same type. Pure; the D-Bus library is not imported: the
 * side that writes passes its own variant constructor.
 *
 * JSON form, by signature:
 *   y n q i u d b s o g   the number, boolean or string
 *   t x                   a number, or a decimal string beyond 2^53
 *   h                     the number
 *   ay                    an array of byte numbers
 *   a<T>                  an array
 *   a{KV}                 an object keyed by the key's string form
 *   (...)                 an array, one entry per member
 *   v                     { signature, value } (the inner value in this form)
 *
 * Errors: `DbusSignatureError` for a malformed signature, `DbusValueError` for a
 * value that does not fit its signature (both say where).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class DbusSignatureError extends Error {
  constructor(signature: string, why: string) {
    super(`Invalid D-Bus signature '${signature}': ${why}`);
    this.name = 'DbusSignatureError';
  }
}

export class DbusValueError extends Error {
  constructor(signature: string, path: string, why: string) {
    super(`${path || 'value'} does not fit D-Bus type '${signature}': ${why}`);
    this.name = 'DbusValueError';
  }
}

const BASIC = 'ybnqiuxtdsogh';
const MAX_SIGNATURE = 255;

/** The end (exclusive) of the complete type that starts at `i`. */
function typeEnd(sig: string, i: number, depth = 0): number {
  if (depth > 64) throw new DbusSignatureError(sig, 'nested too deeply');
  const c = sig[i];
  if (c === undefined) throw new DbusSignatureError(sig, 'ends early');
  if (BASIC.includes(c) || c === 'v') return i + 1;
  if (c === 'a') {
    if (sig[i + 1] === '{') {
      const key = sig[i + 2];
      if (key === undefined || !BASIC.includes(key)) throw new DbusSignatureError(sig, 'a dict key must be a basic type');
      const end = typeEnd(sig, i + 3, depth + 1);
      if (sig[end] !== '}') throw new DbusSignatureError(sig, "a dict entry needs exactly one value type and '}'");
      return end + 1;
    }
    return typeEnd(sig, i + 1, depth + 1);
  }
  if (c === '(') {
    let j = i + 1;
    if (sig[j] === ')') throw new DbusSignatureError(sig, 'empty struct');
    while (sig[j] !== ')') j = typeEnd(sig, j, depth + 1);
    return j + 1;
  }
  throw new DbusSignatureError(sig, `unexpected '${c}'`);
}

/** The complete types of a signature, e.g. `sa{sv}u` -> [`s`, `a{sv}`, `u`]. */
export function splitSignature(sig: string): string[] {
  if (sig.length > MAX_SIGNATURE) throw new DbusSignatureError(sig.slice(0, 32) + '…', `longer than ${MAX_SIGNATURE}`);
  const out: string[] = [];
  let i = 0;
  while (i < sig.length) {
    const end = typeEnd(sig, i);
    out.push(sig.slice(i, end));
    i = end;
  }
  return out;
}

/** True when `sig` is exactly one complete type. */
export function isSingleType(sig: string): boolean {
  try {
    return sig.length > 0 && splitSignature(sig).length === 1;
  } catch {
    return false;
  }
}

function int64ToJson(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

/** A decoded variant: an object carrying its own signature and value. */
function variantParts(v: unknown): { signature: string; value: unknown } | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as { signature?: unknown; value?: unknown };
  return typeof o.signature === 'string' && 'value' in o ? { signature: o.signature, value: o.value } : undefined;
}

/** A value as the D-Bus library decoded it (BigInt, Buffer, variant objects) -> its JSON form. */
export function dbusToJson(sig: string, v: unknown, path = ''): Json {
  const c = sig[0];
  switch (c) {
    case 's':
    case 'o':
    case 'g':
      if (typeof v !== 'string') throw new DbusValueError(sig, path, 'expected a string');
      return v;
    case 'b':
      return Boolean(v);
    case 'y':
    case 'n':
    case 'q':
    case 'i':
    case 'u':
    case 'h':
      if (typeof v !== 'number') throw new DbusValueError(sig, path, 'expected a number');
      return v;
    case 'd':
      if (typeof v !== 'number') throw new DbusValueError(sig, path, 'expected a number');
      return Number.isFinite(v) ? v : String(v);
    case 't':
    case 'x':
      if (typeof v === 'bigint') return int64ToJson(v);
      if (typeof v === 'number') return v;
      throw new DbusValueError(sig, path, 'expected an integer');
    case 'v': {
      const parts = variantParts(v);
      if (!parts) throw new DbusValueError(sig, path, 'expected a variant');
      return { signature: parts.signature, value: dbusToJson(parts.signature, parts.value, `${path}.value`) };
    }
    case 'a': {
      if (sig === 'ay' && v instanceof Uint8Array) return Array.from(v);
      if (sig[1] === '{') {
        const [keySig, valueSig] = splitSignature(sig.slice(2, -1));
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DbusValueError(sig, path, 'expected a dict');
        const out: { [key: string]: Json } = Object.create(null);
        for (const [k, x] of Object.entries(v)) out[k] = dbusToJson(valueSig!, x, `${path}.${k}`);
        void keySig;
        return out;
      }
      if (!Array.isArray(v)) throw new DbusValueError(sig, path, 'expected an array');
      const inner = sig.slice(1);
      return v.map((x, i) => dbusToJson(inner, x, `${path}[${i}]`));
    }
    case '(': {
      const members = splitSignature(sig.slice(1, -1));
      if (!Array.isArray(v) || v.length !== members.length) throw new DbusValueError(sig, path, `expected ${members.length} struct members`);
      return members.map((m, i) => dbusToJson(m, v[i], `${path}[${i}]`));
    }
    default:
      throw new DbusSignatureError(sig, 'not a complete type');
  }
}

/** Builds the D-Bus library's variant for `signature` and an already converted value. */
export type MakeVariant = (signature: string, value: unknown) => unknown;

const RANGES: Record<string, [number, number]> = {
  y: [0, 0xff],
  n: [-0x8000, 0x7fff],
  q: [0, 0xffff],
  i: [-0x80000000, 0x7fffffff],
  u: [0, 0xffffffff],
  h: [0, 0xffffffff],
};

function toBigInt(sig: string, j: Json, path: string): bigint {
  if (typeof j === 'number' && Number.isInteger(j)) return BigInt(j);
  if (typeof j === 'string' && /^-?\d{1,20}$/.test(j)) return BigInt(j);
  throw new DbusValueError(sig, path, 'expected an integer');
}

/** A JSON form (see the top of this file) -> the D-Bus library's values: BigInt for t/x, Buffer for ay. */
export function jsonToDbus(sig: string, j: Json, makeVariant: MakeVariant, path = ''): unknown {
  const c = sig[0];
  switch (c) {
    case 's':
    case 'o':
    case 'g':
      if (typeof j !== 'string') throw new DbusValueError(sig, path, 'expected a string');
      return j;
    case 'b':
      if (typeof j !== 'boolean') throw new DbusValueError(sig, path, 'expected a boolean');
      return j;
    case 'd':
      if (typeof j === 'number') return j;
      if (j === 'NaN' || j === 'Infinity' || j === '-Infinity') return Number(j);
      throw new DbusValueError(sig, path, 'expected a number');
    case 't':
    case 'x': {
      const n = toBigInt(sig, j, path);
      const ok = c === 't' ? n >= 0n && n <= 0xffffffffffffffffn : n >= -0x8000000000000000n && n <= 0x7fffffffffffffffn;
      if (!ok) throw new DbusValueError(sig, path, 'out of range');
      return n;
    }
    case 'v': {
      if (j === null || typeof j !== 'object' || Array.isArray(j) || typeof j.signature !== 'string' || !('value' in j)) {
        // A value whose variant type was not kept (plain JSON): its most likely type.
        const guessed = guessSignature(j);
        return makeVariant(guessed, jsonToDbus(guessed, j, makeVariant, path));
      }
      if (!isSingleType(j.signature)) throw new DbusValueError(sig, path, `'${j.signature}' is not one complete type`);
      return makeVariant(j.signature, jsonToDbus(j.signature, j.value as Json, makeVariant, `${path}.value`));
    }
    case 'a': {
      if (sig[1] === '{') {
        const [keySig, valueSig] = splitSignature(sig.slice(2, -1));
        if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new DbusValueError(sig, path, 'expected an object');
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(j)) {
          if (keySig !== 's' && keySig !== 'o' && keySig !== 'g' && !/^-?\d+$/.test(k)) throw new DbusValueError(sig, path, `key '${k}' is not a number`);
          out[k] = jsonToDbus(valueSig!, x, makeVariant, `${path}.${k}`);
        }
        return out;
      }
      if (!Array.isArray(j)) throw new DbusValueError(sig, path, 'expected an array');
      if (sig === 'ay') {
        if (!j.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) throw new DbusValueError(sig, path, 'expected bytes');
        return Buffer.from(j as number[]);
      }
      const inner = sig.slice(1);
      return j.map((x, i) => jsonToDbus(inner, x, makeVariant, `${path}[${i}]`));
    }
    case '(': {
      const members = splitSignature(sig.slice(1, -1));
      if (!Array.isArray(j) || j.length !== members.length) throw new DbusValueError(sig, path, `expected ${members.length} struct members`);
      return members.map((m, i) => jsonToDbus(m, j[i]!, makeVariant, `${path}[${i}]`));
    }
    default: {
      const range = c !== undefined ? RANGES[c] : undefined;
      if (!range) throw new DbusSignatureError(sig, 'not a complete type');
      if (typeof j !== 'number' || !Number.isInteger(j) || j < range[0] || j > range[1]) throw new DbusValueError(sig, path, 'expected an integer in range');
      return j;
    }
  }
}

/** The most likely D-Bus type of a plain JSON value (only for values whose type was not kept). */
export function guessSignature(j: Json): string {
  if (typeof j === 'string') return 's';
  if (typeof j === 'boolean') return 'b';
  if (typeof j === 'number') return Number.isInteger(j) ? (j < 0 ? 'x' : 't') : 'd';
  if (j === null) return 's';
  if (Array.isArray(j)) return j.length > 0 && j.every((x) => typeof x === 'string') ? 'as' : 'av';
  return 'a{sv}';
}
