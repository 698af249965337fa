import { describe, expect, it } from 'vitest';
import { DbusSignatureError, DbusValueError, dbusToJson, isSingleType, jsonToDbus, splitSignature, type Json } from './dbus-values.js';

/** A variant as a bus library decodes it: a class instance with signature and value. */
class Variant {
  constructor(
    readonly signature: string,
    readonly value: unknown,
  ) {}
}
const makeVariant = (signature: string, value: unknown) => new Variant(signature, value);

describe('splitSignature', () => {
  it.each([
    ['sa{sv}u', ['s', 'a{sv}', 'u']],
    ['a(sasbttttuii)', ['a(sasbttttuii)']],
    ['ssa(sv)a(sa(sv))', ['s', 's', 'a(sv)', 'a(sa(sv))']],
    ['', []],
  ])('%s', (sig, types) => expect(splitSignature(sig)).toEqual(types));

  it.each(['a', '(', '()', 'a{vs}', 'a{ss', 'z', 'a{sss}'])('refuses %s', (sig) => {
    expect(() => splitSignature(sig)).toThrow(DbusSignatureError);
  });

  it('tells one complete type from several', () => {
    expect(isSingleType('a{sv}')).toBe(true);
    expect(isSingleType('ss')).toBe(false);
    expect(isSingleType('(')).toBe(false);
  });
});

describe('dbusToJson and jsonToDbus', () => {
  const cases: Array<[string, unknown, Json]> = [
    ['s', 'x', 'x'],
    ['t', 18446744073709551615n, '18446744073709551615'],
    ['t', 100000n, 100000],
    ['x', -5n, -5],
    ['ay', Buffer.from([1, 2]), [1, 2]],
    ['a(sasb)', [['/bin/sleep', ['/bin/sleep', '5'], false]], [['/bin/sleep', ['/bin/sleep', '5'], false]]],
    ['a{sv}', { A: new Variant('u', 3) }, { A: { signature: 'u', value: 3 } }],
    ['v', new Variant('as', ['a', 'b']), { signature: 'as', value: ['a', 'b'] }],
  ];
  it.each(cases)('%s round-trips', (sig, value, json) => {
    expect(dbusToJson(sig, value)).toEqual(json);
    const back = jsonToDbus(sig, json, makeVariant);
    expect(dbusToJson(sig, back)).toEqual(json);
  });

  it('writes 64-bit integers as BigInt and byte arrays as Buffers', () => {
    expect(jsonToDbus('t', '18446744073709551615', makeVariant)).toBe(18446744073709551615n);
    expect(jsonToDbus('ay', [7], makeVariant)).toEqual(Buffer.from([7]));
  });

  it('guesses the type of a variant whose type was not kept', () => {
    expect(jsonToDbus('v', 'text', makeVariant)).toEqual(new Variant('s', 'text'));
    expect(jsonToDbus('v', ['a'], makeVariant)).toEqual(new Variant('as', ['a']));
  });

  it.each<[string, Json]>([
    ['u', -1],
    ['u', 1.5],
    ['y', 256],
    ['t', '-1'],
    ['t', 'many'],
    ['s', 3],
    ['b', 'yes'],
    ['(ss)', ['a']],
    ['ay', [300]],
    ['v', { signature: 'ss', value: ['a', 'b'] }],
  ])('refuses %s %j with a DbusValueError', (sig, json) => {
    expect(() => jsonToDbus(sig, json, makeVariant)).toThrow(DbusValueError);
  });
});
