/**
 * GNU getopt_long-style parsing: options may appear anywhere, `--` ends options,
 * `--name=value` and `--name value`, short `-x value` and `-xvalue`.
 * Errors use getopt's own wording so scripts that grep for it keep working.
 */

export type OptionSpec = { long: string; short?: string; arg: 'none' | 'required' };
export type ParsedArgs = { options: Map<string, string | true>; order: string[]; positionals: string[] };

export class GetoptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GetoptError';
  }
}

export function getopt(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const order: string[] = [];
  const positionals: string[] = [];
  const set = (spec: OptionSpec, value: string | true) => {
    options.set(spec.long, value);
    order.push(spec.long);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const spec = specs.find((s) => s.long === name);
      if (!spec) throw new GetoptError(`unrecognized option '${eq === -1 ? arg : arg.slice(0, eq)}'`);
      if (spec.arg === 'none') {
        if (eq !== -1) throw new GetoptError(`option '--${name}' doesn't allow an argument`);
        set(spec, true);
      } else if (eq !== -1) {
        set(spec, arg.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length) throw new GetoptError(`option '--${name}' requires an argument`);
        set(spec, argv[++i]!);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j]!;
        const spec = specs.find((s) => s.short === ch);
        if (!spec) throw new GetoptError(`invalid option -- '${ch}'`);
        if (spec.arg === 'none') {
          set(spec, true);
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest.length > 0) set(spec, rest);
        else if (i + 1 < argv.length) set(spec, argv[++i]!);
        else throw new GetoptError(`option requires an argument -- '${ch}'`);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { options, order, positionals };
}
