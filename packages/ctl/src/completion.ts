/**
 * Shell completion: the candidates for one word of a bluechictl command line,
 * as the shell scripts in packaging/completion ask for them through the
 * hidden `bluechictl __complete INDEX WORDS...`.
 *
 * - the first word: the verbs of the global usage;
 * - a word starting with '-': the verb's options (and --help), `--name=` for
 *   those that take a value;
 * - the value of --kill-whom and -o/--output, given as `--name=VALUE`,
 *   `--name VALUE` or `-o VALUE`;
 * - positional arguments by what the verb takes there: node names (ListNodes),
 *   unit names of that node (ListUnits), unit file names (base names from
 *   ListUnitFiles), metrics subcommands, log levels.
 *
 * Only node and unit names need the controller. The connection is opened the
 * first time one is needed; when it fails, or a call fails, those candidates
 * are simply left out.
 */
import { LOG_LEVELS } from '@bluechi-ts/protocol';
import type { CtlClient } from './deps.js';
import { longOptionMatches, shortGroupTakesNext, type OptionSpec } from './options.js';
import { findVerb, OPTIONS, VERBS, type VerbSpec } from './verbs.js';
import { METRICS_SUBCOMMANDS } from './verbs/metrics.js';
import { KILL_WHOM } from './verbs/unit-control.js';

/** What a positional argument of a verb is. */
/**
 * `unit`: a unit systemd has loaded; `startable`: that, or any installed unit
 * file that is not a template (start, restart, status and monitor take units
 * that are not loaded yet).
 */
type ArgKind = 'node' | 'unit' | 'startable' | 'unit-list' | 'unit-file' | 'target' | 'metrics' | 'node-or-level' | 'level';

/** Per verb: the kind of each positional argument after the verb, then of any further ones. */
const ARGUMENTS: Readonly<Record<string, { at: readonly ArgKind[]; rest?: ArgKind }>> = {
  'list-unit-files': { at: ['node'] },
  'list-units': { at: ['node'] },
  start: { at: ['node', 'startable'] },
  stop: { at: ['node', 'unit'] },
  freeze: { at: ['node', 'unit'] },
  thaw: { at: ['node', 'unit'] },
  reload: { at: ['node', 'unit'] },
  restart: { at: ['node', 'startable'] },
  'reset-failed': { at: ['node'], rest: 'unit' },
  kill: { at: ['node', 'unit'] },
  enable: { at: ['node'], rest: 'unit-file' },
  disable: { at: ['node'], rest: 'unit-file' },
  'is-enabled': { at: ['node', 'unit-file'] },
  metrics: { at: ['metrics'] },
  monitor: { at: ['node', 'unit-list'] },
  status: { at: ['node'], rest: 'startable' },
  'daemon-reload': { at: ['node'] },
  'set-loglevel': { at: ['node-or-level', 'level'] },
  'get-default': { at: ['node'] },
  'set-default': { at: ['node', 'target'] },
};

/** The values an option's argument can take, for the options that have a fixed set. */
const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  'kill-whom': KILL_WHOM,
  output: ['wide'],
};


/** How long completion waits for the controller at most, per call. */
export const COMPLETION_TIMEOUT_MS = 2_000;

/** The long option a word names: exact, or an unambiguous abbreviation as getopt_long allows. */
function longOption(name: string): OptionSpec | undefined {
  const matches = longOptionMatches(name, OPTIONS);
  return matches.length === 1 ? matches[0] : undefined;
}

type Scan = {
  positionals: string[];
  /** The option whose value the current word is (given in the word before it). */
  pendingValue?: OptionSpec;
  /** `--` was seen: every further word is positional. */
  optionsEnded: boolean;
};

/** Reads the words before the current one the way the option parser will. */
function scan(words: readonly string[]): Scan {
  const positionals: string[] = [];
  let pendingValue: OptionSpec | undefined;
  let optionsEnded = false;
  for (const word of words) {
    if (pendingValue) {
      pendingValue = undefined;
      continue;
    }
    if (optionsEnded || word === '-' || !word.startsWith('-')) {
      positionals.push(word);
    } else if (word === '--') {
      optionsEnded = true;
    } else if (word.startsWith('--')) {
      const spec = longOption(word.slice(2));
      if (spec?.arg === 'required' && !word.includes('=')) pendingValue = spec;
    } else {
      // A group of short options; the first that takes a value takes the rest of the word, or the next word.
      if (shortGroupTakesNext(word, OPTIONS)) pendingValue = OPTIONS.find((o) => o.short === word[word.length - 1]);
    }
  }
  return { positionals, optionsEnded, ...(pendingValue ? { pendingValue } : {}) };
}

function optionCandidates(verb: VerbSpec | undefined): string[] {
  const names = ['help', ...(verb?.options ?? [])];
  return names.map((name) => {
    const spec = OPTIONS.find((o) => o.long === name);
    return spec?.arg === 'required' ? `--${name}=` : `--${name}`;
  });
}

/** Fetches names from the controller; every failure yields no names. */
class Names {
  private client: Promise<CtlClient | undefined> | undefined;

  constructor(private readonly connect: () => Promise<CtlClient>) {}

  /** Closes the connection, if one was opened. */
  async close(): Promise<void> {
    (await this.client)?.close();
  }

  private async call<T>(use: (client: CtlClient) => Promise<T>): Promise<T | undefined> {
    this.client ??= this.connect().catch(() => undefined);
    const client = await this.client;
    if (!client) return undefined;
    try {
      return await use(client);
    } catch {
      return undefined;
    }
  }

  async nodes(): Promise<string[]> {
    const reply = await this.call((c) => c.call('ListNodes', {}, { timeoutMs: COMPLETION_TIMEOUT_MS }));
    return reply?.nodes.map((n) => n.name) ?? [];
  }

  /** Units systemd has loaded (not the `not-found` ones it merely heard of). */
  async units(node: string): Promise<string[]> {
    const reply = await this.call((c) => c.call('ListUnits', { node }, { timeoutMs: COMPLETION_TIMEOUT_MS }));
    return (reply?.nodes ?? []).flatMap((n) => n.units.filter((u) => u.loadState !== 'not-found').map((u) => u.name)).sort();
  }

  async unitFiles(node: string): Promise<string[]> {
    const reply = await this.call((c) => c.call('ListUnitFiles', { node }, { timeoutMs: COMPLETION_TIMEOUT_MS }));
    return (reply?.nodes ?? []).flatMap((n) => n.unitFiles.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1))).sort();
  }
}

async function positionalCandidates(kind: ArgKind, args: readonly string[], names: Names): Promise<string[]> {
  const node = args[0] ?? '';
  switch (kind) {
    case 'node':
      return names.nodes();
    case 'unit':
      return names.units(node);
    case 'startable':
    case 'unit-list': {
      const [loaded, files] = await Promise.all([names.units(node), names.unitFiles(node)]);
      return [...new Set([...loaded, ...files.filter((f) => !f.includes('@.'))])].sort();
    }
    case 'unit-file':
      return names.unitFiles(node);
    case 'target':
      return (await names.unitFiles(node)).filter((f) => f.endsWith('.target'));
    case 'metrics':
      return [...METRICS_SUBCOMMANDS];
    case 'node-or-level':
      return [...(await names.nodes()), ...LOG_LEVELS];
    case 'level':
      // set-loglevel LEVEL takes nothing after the level.
      return (LOG_LEVELS as readonly string[]).includes(node) ? [] : [...LOG_LEVELS];
  }
}

function matching(candidates: readonly string[], prefix: string, add = ''): string[] {
  const seen = new Set<string>();
  for (const c of candidates) if (c.startsWith(prefix)) seen.add(add + c);
  return [...seen];
}

/**
 * The candidates for `words[index]`, the word being completed (words[0] is the
 * program's name). Each candidate is the whole word, starting with what is
 * already typed; `--name=` candidates expect the value to follow directly.
 */
export async function complete(words: readonly string[], index: number, connect: () => Promise<CtlClient>): Promise<string[]> {
  if (!Number.isInteger(index) || index < 1) return [];
  const current = words[index] ?? '';
  const before = scan(words.slice(1, index));
  const [verbName, ...args] = before.positionals;
  const verb = verbName === undefined ? undefined : findVerb(verbName);

  if (before.pendingValue) return matching(OPTION_VALUES[before.pendingValue.long] ?? [], current);
  if (!before.optionsEnded && current.startsWith('-')) {
    const eq = current.indexOf('=');
    if (current.startsWith('--') && eq !== -1) {
      const spec = longOption(current.slice(2, eq));
      return spec ? matching(OPTION_VALUES[spec.long] ?? [], current.slice(eq + 1), current.slice(0, eq + 1)) : [];
    }
    return matching(optionCandidates(verb), current);
  }

  if (verbName === undefined) return matching(VERBS.filter((v) => !v.hidden).map((v) => v.name), current);
  if (!verb || args.length >= verb.maxArgs) return [];
  const spec = ARGUMENTS[verb.name];
  const kind = spec?.at[args.length] ?? spec?.rest;
  if (!kind) return [];
  const names = new Names(connect);
  try {
    // monitor's units are one comma-separated word: complete its last item.
    const split = kind === 'unit-list' ? current.lastIndexOf(',') + 1 : 0;
    return matching(await positionalCandidates(kind, args, names), current.slice(split), current.slice(0, split));
  } finally {
    await names.close();
  }
}
