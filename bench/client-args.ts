/** Command-line options both persistent benchmark clients take: `--name VALUE` pairs, looked up by name. */
export type OptionLookup = (name: string) => string | undefined;

/** The value after `--name` in argv, or undefined. */
export function optionLookup(argv: string[]): OptionLookup {
  return (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
}

/** `--node`, `--unit` (both required, else `usage` is thrown), `--runs` (default 30) and `--warmup` (default 3). */
export function jobArgs(value: OptionLookup, usage: string): { node: string; unit: string; runs: number; warmup: number } {
  const node = value('node');
  const unit = value('unit');
  if (!node || !unit) throw new Error(usage);
  return { node, unit, runs: Number(value('runs') ?? 30), warmup: Number(value('warmup') ?? 3) };
}
