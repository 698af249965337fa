import { describe, expect, it } from 'vitest';
import { bigIntToJson, propertiesToJson, toJson } from './variant.js';

/** Shaped like the D-Bus library's variant: a class instance with signature and value. */
class Variant {
  constructor(
    readonly signature: string,
    readonly value: unknown,
  ) {}
}

describe('D-Bus values as JSON', () => {
  it.each<[string, unknown, unknown]>([
    ['string', 'active', 'active'],
    ['boolean', true, true],
    ['u/i number', 42, 42],
    ['double', 0.5, 0.5],
    ['NaN double as its string', Number.NaN, 'NaN'],
    ['infinite double as its string', Number.POSITIVE_INFINITY, 'Infinity'],
    ['small t', 90_000_000n, 90_000_000],
    ['negative x', -1n, -1],
    ['largest safe integer', 2n ** 53n - 1n, 2 ** 53 - 1],
    ['t just beyond 2^53 as a string', 2n ** 53n + 1n, '9007199254740993'],
    ['UINT64_MAX (systemd infinity) as a string', 2n ** 64n - 1n, '18446744073709551615'],
    ['ay Buffer as byte numbers', Buffer.from([0, 1, 255]), [0, 1, 255]],
    ['variant as its value', new Variant('s', 'x'), 'x'],
    ['variant inside variant', new Variant('v', new Variant('t', 7n)), 7],
    ['struct (array) of mixed values', ['org.x.Err', 3n, new Variant('b', false)], ['org.x.Err', 3, false]],
    ['array of structs', [['/bin/true', ['/bin/true'], false, 0n]], [['/bin/true', ['/bin/true'], false, 0]]],
    [
      'dict of variants',
      { A: new Variant('s', 'a'), B: new Variant('t', 2n ** 64n - 1n) },
      { A: 'a', B: '18446744073709551615' },
    ],
    ['plain dict with variant-like keys stays a dict', { signature: 's', value: 1n }, { signature: 's', value: 1 }],
    ['null', null, null],
    ['undefined', undefined, null],
  ])('converts %s', (_what, input, expected) => {
    expect(toJson(input)).toEqual(expected);
  });

  it('produces output JSON.stringify accepts', () => {
    const out = toJson({ x: new Variant('a(st)', [['a', 2n ** 64n - 1n]]) });
    expect(JSON.parse(JSON.stringify(out))).toEqual({ x: [['a', '18446744073709551615']] });
  });

  it('turns a non-dict into an empty property set', () => {
    expect(propertiesToJson(undefined)).toEqual({});
    expect(propertiesToJson(['a'])).toEqual({});
  });

  it('keeps 64-bit integers exact when they cannot be numbers', () => {
    expect(bigIntToJson(12345678901234567890n)).toBe('12345678901234567890');
  });
});
