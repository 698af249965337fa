/**
 * bluechictl's command line, parsed with Node's util.parseArgs (yargs would add
 * 120-145 ms to every call) and mapped onto GNU getopt_long's behaviour and
 * messages, which upstream bluechictl users see and scripts grep for:
 *
 *   options anywhere, `--` ends them, `--name=value` or `--name value`,
 *   `-xvalue` or `-x value`, grouped short flags (`-wh`), unambiguous
 *   abbreviations of long options (`--filt=x`), the last repeat wins;
 *
 *   unrecognized option '--bogus'            invalid option -- 'Q'
 *   option '--filter' requires an argument   option requires an argument -- 'o'
 *   option '--watch' doesn't allow an argument
 *   option '--f' is ambiguous; possibilities: '--filter' '--force'
 */
import { parseArgs } from 'node:util';

export type OptionSpec = { long: string; short?: string; arg: 'none' | 'required' };

export type ParsedCommandLine = {
  /** Option long name -> value (true for flags); the last occurrence wins. */
  options: Map<string, string | true>;
  /** Long names in the order they appeared (repeats included). */
  order: string[];
  positionals: string[];
};

/** A command-line error, worded as glibc's getopt words it (without the program name). */
export class GetoptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GetoptError';
  }
}

/** The long options `name` may stand for: the one spelled so, else every one it abbreviates. */
export function longOptionMatches(name: string, specs: readonly OptionSpec[]): OptionSpec[] {
  const exact = specs.find((s) => s.long === name);
  return exact ? [exact] : specs.filter((s) => s.long.startsWith(name));
}

/** Whether a short option group (`-wo`, `-o`) ends with an option whose argument is the next word. */
export function shortGroupTakesNext(arg: string, specs: readonly OptionSpec[]): boolean {
  for (let i = 1; i < arg.length; i++) {
    if (specs.find((s) => s.short === arg[i])?.arg === 'required') return i === arg.length - 1;
  }
  return false;
}

/**
 * Replaces unambiguous abbreviations of long options by the full name, as
 * getopt_long does. The word after an option that requires an argument is
 * that argument, never an option (`--filter --f` filters by `--f`). An
 * ambiguous abbreviation stays as it is and its error is kept by position,
 * so that errors are reported in command-line order.
 */
function expandAbbreviations(argv: readonly string[], specs: readonly OptionSpec[]): { args: string[]; ambiguous: Map<number, GetoptError> } {
  const out: string[] = [];
  const ambiguous = new Map<number, GetoptError>();
  let takesNext = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (takesNext || !arg.startsWith('-') || arg === '-') {
      takesNext = false;
      out.push(arg);
      continue;
    }
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('--')) {
      takesNext = shortGroupTakesNext(arg, specs);
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const matches = longOptionMatches(name, specs);
    if (matches.length > 1) {
      // glibc names the option as it was written, value included.
      ambiguous.set(out.length, new GetoptError(`option '${arg}' is ambiguous; possibilities:${matches.map((m) => ` '--${m.long}'`).join('')}`));
      out.push(arg);
      continue;
    }
    const spec = matches[0];
    if (spec === undefined) {
      out.push(arg);
      continue;
    }
    out.push(`--${spec.long}${eq === -1 ? '' : arg.slice(eq)}`);
    takesNext = eq === -1 && spec.arg === 'required';
  }
  return { args: out, ambiguous };
}

export function parseCommandLine(argv: readonly string[], specs: readonly OptionSpec[]): ParsedCommandLine {
  const { args, ambiguous } = expandAbbreviations(argv, specs);
  const config: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const s of specs) config[s.long] = { type: s.arg === 'none' ? 'boolean' : 'string', ...(s.short ? { short: s.short } : {}) };
  const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  const options = new Map<string, string | true>();
  const order: string[] = [];
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue;
    const unclear = ambiguous.get(t.index);
    if (unclear) throw unclear;
    const isLong = t.rawName.startsWith('--');
    const spec = isLong ? specs.find((s) => s.long === t.name) : specs.find((s) => s.short === t.rawName.slice(1));
    if (!spec) {
      if (isLong) throw new GetoptError(`unrecognized option '${t.rawName}${t.inlineValue ? `=${t.value}` : ''}'`);
      throw new GetoptError(`invalid option -- '${t.rawName.slice(1)}'`);
    }
    if (spec.arg === 'none') {
      if (t.inlineValue) throw new GetoptError(`option '--${spec.long}' doesn't allow an argument`);
      options.set(spec.long, true);
    } else {
      if (t.value === undefined) {
        throw new GetoptError(isLong ? `option '--${spec.long}' requires an argument` : `option requires an argument -- '${spec.short}'`);
      }
      options.set(spec.long, t.value);
    }
    order.push(spec.long);
  }
  return { options, order, positionals };
}
