import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './frames.js';

const errorFrame = (data: unknown, code = 'SYSTEMD_ERROR') => JSON.stringify({ type: 'error', id: 3, error: { code, message: 'm', data } });

describe('decodeFrame', () => {
  it('decodes a cancel frame and round-trips it', () => {
    const f = decodeFrame('{"type":"cancel","id":7}');
    expect(f).toEqual({ type: 'cancel', id: 7 });
    expect(decodeFrame(encodeFrame(f))).toEqual(f);
  });

  it.each([['-1'], ['1.5'], ['"7"'], ['null']])('refuses a cancel frame with id %s', (id) => {
    expect(() => decodeFrame(`{"type":"cancel","id":${id}}`)).toThrow('cancel frame without a valid id');
  });

  it("keeps a well-formed D-Bus error name in the error's data", () => {
    expect(decodeFrame(errorFrame({ dbusName: 'org.freedesktop.systemd1.NoSuchUnit' }))).toEqual({
      type: 'error',
      id: 3,
      error: { code: 'SYSTEMD_ERROR', message: 'm', data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' } },
    });
  });

  it.each([
    ['no dots', 'NoSuchUnit'],
    ['a space', 'org.freedesktop.No Such'],
    ['an empty element', 'org..systemd1'],
    ['a leading digit', '1org.freedesktop.X'],
    ['too long', `org.${'a'.repeat(260)}`],
    ['not a string', 42],
  ])('drops a D-Bus error name with %s', (_what, dbusName) => {
    const f = decodeFrame(errorFrame({ dbusName }));
    expect(f).toEqual({ type: 'error', id: 3, error: { code: 'SYSTEMD_ERROR', message: 'm' } });
  });

  it('keeps nothing else of the data', () => {
    const f = decodeFrame(errorFrame({ dbusName: 'org.x.Y', secret: 'z' }));
    expect(f).toMatchObject({ error: { data: { dbusName: 'org.x.Y' } } });
    expect((f as { error: { data: object } }).error.data).not.toHaveProperty('secret');
  });

  it('maps an unknown error code to INTERNAL and caps the message', () => {
    const f = decodeFrame(JSON.stringify({ type: 'error', id: null, error: { code: 'NOPE', message: 'x'.repeat(5000) } }));
    expect(f).toMatchObject({ type: 'error', id: null, error: { code: 'INTERNAL' } });
    expect((f as { error: { message: string } }).error.message).toHaveLength(4096);
  });
});
