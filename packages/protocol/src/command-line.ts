/**
 * The daemons' command lines, parsed with yargs in getopt_long's manner
 * (options anywhere, `--` ends them, `--name=value`, `-x value`, `-xvalue`,
 * grouped flags, the last repeat wins), refusing anything unknown in one line.
 * A separate entry point, `@bluechi-ts/protocol/command-line`, so bluechictl
 * never loads yargs (it costs 120-145 ms per call there).
 */
import yargs, { type Options } from 'yargs';

export type { Options as DaemonOption } from 'yargs';

export type ParsedOptions = { values: Record<string, unknown>; rest: string[] } | { refusal: string };

/**
 * Parses getopt_long style (options anywhere, `--` ends them, `--name=value`,
 * `-x value`, `-xvalue`, grouped flags, the last repeat wins) into the
 * options' values and the words that are no option.
 */
export function parseDaemonOptions(argv: readonly string[], options: Record<string, Options>): ParsedOptions {
  // yargs takes `-xVALUE` only for values that start with a digit or a sign: split it for the options with a value.
  const valued = new Set(Object.values(options).flatMap((o) => (o.requiresArg ? [String(o.alias)] : [])));
  const end = argv.indexOf('--');
  const words = argv.flatMap((arg, i) => ((end === -1 || i < end) && /^-[A-Za-z]./.test(arg) && valued.has(arg[1]!) ? [arg.slice(0, 2), arg.slice(2)] : [arg]));
  let failure: string | undefined;
  const parsed = yargs(words)
    .help(false)
    .version(false)
    .exitProcess(false)
    .locale('en')
    .parserConfiguration({
      'unknown-options-as-args': true,
      'populate--': true,
      'camel-case-expansion': false,
      'dot-notation': false,
      'boolean-negation': false,
      'duplicate-arguments-array': false,
      'parse-positional-numbers': false,
      'strip-aliased': true,
    })
    .options(options)
    .fail((message) => {
      failure = message;
    })
    .parseSync();
  if (failure !== undefined) {
    const missing = /^Not enough arguments following: (\S+)$/.exec(failure)?.[1];
    return { refusal: missing ? `option '${missing.length === 1 ? '-' : '--'}${missing}' requires an argument` : failure };
  }
  const positionals = parsed._.map(String);
  const known = new Set(['_', '$0', '--', ...Object.keys(options)]);
  const unknown = positionals.find((w) => w.startsWith('-') && w !== '-') ?? Object.keys(parsed).find((k) => !known.has(k));
  if (unknown !== undefined) return { refusal: `unrecognized option '${unknown.startsWith('-') ? unknown : `--${unknown}`}'` };
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(options)) if (parsed[name] !== undefined) values[name] = parsed[name];
  return { values, rest: [...positionals, ...((parsed['--'] as string[] | undefined) ?? []).map(String)] };
}
