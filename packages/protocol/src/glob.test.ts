import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.js';

describe('globMatch', () => {
  it.each([
    ['bluechi*', 'bluechi-agent.service', true],
    ['*bluechi*', '/lib/systemd/system/bluechi-agent.service', true],
    ['bluechi*', '/lib/systemd/system/bluechi-agent.service', false],
    ['dbus*', 'dbus.socket', true],
    ['d?us.socket', 'dbus.socket', true],
    ['d?us.socket', 'dus.socket', false],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['DBUS*', 'dbus.socket', false],
    ['*.service', 'foo.service', true],
    ['*.service', 'foo.socket', false],
  ])('%j matches %j: %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });
});
