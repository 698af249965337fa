import { describe, expect, it } from 'vitest';
import { UNIT_PATH_PREFIX, unescapePathLabel, unitNameFromPath, unitObjectPath } from './unit-path.js';

describe('unit object paths', () => {
  it.each([
    ['foo.service', 'foo_2eservice'],
    ['foo-bar.service', 'foo_2dbar_2eservice'],
    ['-.mount', '_2d_2emount'],
    ['a_b.service', 'a_5fb_2eservice'],
    ['getty@tty1.service', 'getty_40tty1_2eservice'],
    ['0leading.service', '_30leading_2eservice'],
    ['dev-ttyS0.device', 'dev_2dttyS0_2edevice'],
    ['sys-x\\x2dy.device', 'sys_2dx_5cx2dy_2edevice'],
    ['ü.service', '_c3_bc_2eservice'],
    ['', '_'],
  ])('escapes %j like systemd and reads it back', (name, label) => {
    expect(unitObjectPath(name)).toBe(UNIT_PATH_PREFIX + label);
    expect(unitNameFromPath(UNIT_PATH_PREFIX + label)).toBe(name);
  });

  it.each([
    ['dangling underscore', 'foo_'],
    ['one hex digit', 'foo_4'],
    ['non-hex digits', 'foo_zz'],
    ['non-ASCII character', 'fü'],
    ['bytes that are not UTF-8', '_c3'],
  ])('rejects a label with a %s', (_why, label) => {
    expect(unescapePathLabel(label)).toBeUndefined();
  });

  it('accepts uppercase hex although systemd writes lowercase', () => {
    expect(unescapePathLabel('foo_2Eservice')).toBe('foo.service');
  });

  it.each([
    ['a job path', '/org/freedesktop/systemd1/job/42'],
    ['the manager path', '/org/freedesktop/systemd1'],
    ['an empty label', UNIT_PATH_PREFIX],
    ['a deeper path', `${UNIT_PATH_PREFIX}foo_2eservice/bar`],
  ])('finds no unit name in %s', (_why, path) => {
    expect(unitNameFromPath(path)).toBeUndefined();
  });
});
