import { describe, expect, it } from 'vitest';
import { GetoptError, parseCommandLine, type OptionSpec } from './options.js';
import { OPTIONS } from './verbs.js';

const parse = (argv: string[]) => parseCommandLine(argv, OPTIONS);

/** The getopt message for argv, or undefined when it parses. */
function errorOf(argv: string[]): string | undefined {
  try {
    parse(argv);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(GetoptError);
    return (err as GetoptError).message;
  }
}

describe('command line errors, worded as GNU getopt_long words them', () => {
  it.each([
    { argv: ['list-units', '--bogus'], message: "unrecognized option '--bogus'" },
    { argv: ['list-units', '--bogus=1'], message: "unrecognized option '--bogus=1'" },
    { argv: ['list-units', '--bogus='], message: "unrecognized option '--bogus='" },
    { argv: ['-Q'], message: "invalid option -- 'Q'" },
    { argv: ['status', '-wQ'], message: "invalid option -- 'Q'" },
    { argv: ['status', '-Qw'], message: "invalid option -- 'Q'" },
    { argv: ['list-units', '--filter'], message: "option '--filter' requires an argument" },
    { argv: ['list-units', '--filt'], message: "option '--filter' requires an argument" },
    { argv: ['status', '-o'], message: "option requires an argument -- 'o'" },
    { argv: ['status', '-wo'], message: "option requires an argument -- 'o'" },
    { argv: ['kill', 'a', 'b', '--signal'], message: "option '--signal' requires an argument" },
    { argv: ['status', '--watch=yes'], message: "option '--watch' doesn't allow an argument" },
    { argv: ['status', '--watch='], message: "option '--watch' doesn't allow an argument" },
    { argv: ['status', '--wat=yes'], message: "option '--watch' doesn't allow an argument" },
    { argv: ['status', '--json=1'], message: "option '--json' doesn't allow an argument" },
    { argv: ['list-units', '--f'], message: "option '--f' is ambiguous; possibilities: '--filter' '--force'" },
    { argv: ['list-units', '--f=x'], message: "option '--f=x' is ambiguous; possibilities: '--filter' '--force'" },
    { argv: ['enable', 'a', 'b', '--no'], message: "option '--no' is ambiguous; possibilities: '--no-reload' '--no-block'" },
    { argv: ['enable', 'a', 'b', '--no-'], message: "option '--no-' is ambiguous; possibilities: '--no-reload' '--no-block'" },
  ])('$argv: $message', ({ argv, message }) => {
    expect(errorOf(argv)).toBe(message);
  });

  it('reports the first error on the command line, as getopt stops there', () => {
    expect(errorOf(['--bogus', '--f'])).toBe("unrecognized option '--bogus'");
    expect(errorOf(['--f', '--bogus'])).toBe("option '--f' is ambiguous; possibilities: '--filter' '--force'");
    expect(errorOf(['-Q', '--no'])).toBe("invalid option -- 'Q'");
  });
});

describe('command lines getopt accepts', () => {
  it('groups short flags', () => {
    const p = parse(['status', '-wh']);
    expect(p.options).toEqual(new Map([['watch', true], ['help', true]]));
    expect(p.order).toEqual(['watch', 'help']);
    expect(p.positionals).toEqual(['status']);
  });

  it.each([
    { argv: ['status', '-o', 'wide'], value: 'wide' },
    { argv: ['status', '-owide'], value: 'wide' },
    { argv: ['status', '-wowide'], value: 'wide' },
    { argv: ['status', '-wo', 'wide'], value: 'wide' },
    { argv: ['status', '--output=wide'], value: 'wide' },
    { argv: ['status', '--output', 'wide'], value: 'wide' },
    { argv: ['status', '--out=wide'], value: 'wide' },
    { argv: ['status', '--o', 'wide'], value: 'wide' },
  ])('takes an option argument in every getopt form: $argv', ({ argv, value }) => {
    const p = parse(argv);
    expect(p.options.get('output')).toBe(value);
    expect(p.positionals).toEqual(['status']);
  });

  it('expands unambiguous abbreviations of long options', () => {
    const p = parse(['list-units', '--filt=x*', 'status', '--wat', '--kill-w', 'main', '--j']);
    expect(p.options).toEqual(
      new Map<string, string | true>([
        ['filter', 'x*'],
        ['watch', true],
        ['kill-whom', 'main'],
        ['json', true],
      ]),
    );
    expect(p.positionals).toEqual(['list-units', 'status']);
  });

  it('prefers an exact name to the longer names it is a prefix of', () => {
    const specs: OptionSpec[] = [
      { long: 'no', arg: 'none' },
      { long: 'no-reload', arg: 'none' },
    ];
    expect(parseCommandLine(['--no'], specs).options).toEqual(new Map([['no', true]]));
  });

  it('ends the options at --', () => {
    const p = parse(['status', '--', '-w', '--bogus', '--']);
    expect(p.options.size).toBe(0);
    expect(p.positionals).toEqual(['status', '-w', '--bogus', '--']);
  });

  it('accepts options after, between and before positionals', () => {
    const p = parse(['-w', 'status', 'worker1', '--json', 'a.service', '-o', 'wide', 'b.service']);
    expect(p.positionals).toEqual(['status', 'worker1', 'a.service', 'b.service']);
    expect(p.order).toEqual(['watch', 'json', 'output']);
  });

  it('keeps the last value of a repeated option and every occurrence in order', () => {
    const p = parse(['list-units', '--filter=a*', '--filter', 'b*', '--filt=c*']);
    expect(p.options.get('filter')).toBe('c*');
    expect(p.order).toEqual(['filter', 'filter', 'filter']);
  });

  it('takes the next word as the argument even when it looks like an option', () => {
    expect(parse(['list-units', '--filter', '--json']).options).toEqual(new Map([['filter', '--json']]));
    expect(parse(['list-units', '--filter', '--f']).options).toEqual(new Map([['filter', '--f']]));
    expect(parse(['list-units', '--filter', '--bogus']).options).toEqual(new Map([['filter', '--bogus']]));
    expect(parse(['status', '-o', '-w']).options).toEqual(new Map([['output', '-w']]));
  });

  it('takes -- as an argument, and still sees options after it then', () => {
    const p = parse(['list-units', '--filter', '--', '--wat']);
    expect(p.options).toEqual(new Map<string, string | true>([['filter', '--'], ['watch', true]]));
    expect(p.positionals).toEqual(['list-units']);
  });

  it('accepts an empty value', () => {
    expect(parse(['list-units', '--filter=']).options).toEqual(new Map([['filter', '']]));
    expect(parse(['list-units', '--filter', '']).options).toEqual(new Map([['filter', '']]));
  });

  it('treats a lone dash as a positional', () => {
    expect(parse(['status', '-']).positionals).toEqual(['status', '-']);
  });
});
