import { describe, expect, it } from 'vitest';
import { getopt, type OptionSpec } from './getopt.js';

const specs: OptionSpec[] = [
  { long: 'help', short: 'h', arg: 'none' },
  { long: 'filter', arg: 'required' },
  { long: 'config', short: 'c', arg: 'required' },
  { long: 'watch', short: 'w', arg: 'none' },
];

describe('getopt', () => {
  it('accepts options anywhere among positionals', () => {
    const r = getopt(['list-units', '--filter=dbus*', 'worker1', '-w'], specs);
    expect(r.positionals).toEqual(['list-units', 'worker1']);
    expect(r.options.get('filter')).toBe('dbus*');
    expect(r.options.get('watch')).toBe(true);
  });
  it('takes separate and attached short arguments', () => {
    expect(getopt(['-c', 'a.conf'], specs).options.get('config')).toBe('a.conf');
    expect(getopt(['-cb.conf'], specs).options.get('config')).toBe('b.conf');
    expect(getopt(['--config', 'c.conf'], specs).options.get('config')).toBe('c.conf');
  });
  it('stops at --', () => {
    expect(getopt(['--', '-h', 'x'], specs).positionals).toEqual(['-h', 'x']);
  });
  it.each([
    [['-Q'], "invalid option -- 'Q'"],
    [['--QWERTY'], "unrecognized option '--QWERTY'"],
    [['--bogus=1'], "unrecognized option '--bogus'"],
    [['--filter'], "option '--filter' requires an argument"],
    [['-c'], "option requires an argument -- 'c'"],
    [['--help=yes'], "option '--help' doesn't allow an argument"],
  ])('reports %j with getopt wording', (argv, message) => {
    expect(() => getopt(argv, specs)).toThrow(message);
  });
});
