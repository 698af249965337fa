/**
 * From argv to what the user asked bluechi-is-online for, or the usage error
 * to report. Options are parsed like bluechictl's (getopt_long's behaviour
 * and messages, ../options.ts), and the checks run in bluechictl's order:
 * option syntax, command, --help, argument count, options the command
 * supports, option values.
 *
 *   bluechi-is-online agent [--wait=MS] [--monitor] [--switch-timeout=MS] [--initial-wait=MS]
 *   bluechi-is-online node NAME [--wait=MS] [--monitor] [--initial-wait=MS]
 *   bluechi-is-online system [--wait=MS] [--monitor] [--initial-wait=MS]
 *   bluechi-is-online help | version | -h | --help
 *
 * `--initial-wait=MS` is ours (upstream has no such option): wait up to MS
 * for the component to come online, then monitor it; the same as
 * `--wait=MS --monitor`, in one option for a unit's ExecStart.
 */
import { GetoptError, parseCommandLine, type OptionSpec } from '../options.js';
import type { WatchOptions } from './decision.js';
import type { Component } from './targets.js';

export const IS_ONLINE_OPTIONS: readonly OptionSpec[] = [
  { long: 'help', short: 'h', arg: 'none' },
  { long: 'monitor', arg: 'none' },
  { long: 'wait', arg: 'required' },
  { long: 'switch-timeout', arg: 'required' },
  { long: 'initial-wait', arg: 'required' },
];

export type CommandSpec = { name: string; args: number; options: readonly string[] };

const WATCH_OPTIONS = ['monitor', 'wait', 'initial-wait'];
/** bluechi-is-online's commands, their argument counts and options. */
export const IS_ONLINE_COMMANDS: readonly CommandSpec[] = [
  { name: 'help', args: 0, options: [] },
  { name: 'version', args: 0, options: [] },
  { name: 'agent', args: 0, options: [...WATCH_OPTIONS, 'switch-timeout'] },
  { name: 'node', args: 1, options: WATCH_OPTIONS },
  { name: 'system', args: 0, options: WATCH_OPTIONS },
];

export type Request =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'watch'; component: Component; options: WatchOptions }
  /** A usage error: `message` goes to stderr (with a getopt prefix when `getopt`), then the help text when `showHelp`. */
  | { kind: 'usage-error'; message: string; getopt: boolean; showHelp: boolean };

/** The largest number of milliseconds accepted (well beyond any wait anybody means). */
export const MAX_MS = Number.MAX_SAFE_INTEGER;

/** A duration in milliseconds: decimal digits only, as getopt users expect from `strtol` without signs or units. */
export function parseMilliseconds(raw: string): number | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  const ms = Number(raw);
  return ms <= MAX_MS ? ms : undefined;
}

function usageError(message: string, showHelp = false): Request {
  return { kind: 'usage-error', message, getopt: false, showHelp };
}

export function parseRequest(argv: readonly string[]): Request {
  let parsed;
  try {
    parsed = parseCommandLine(argv, IS_ONLINE_OPTIONS);
  } catch (err) {
    if (!(err instanceof GetoptError)) throw err;
    return { kind: 'usage-error', message: err.message, getopt: true, showHelp: true };
  }
  const wantsHelp = parsed.options.has('help');
  const [name, ...args] = parsed.positionals;
  if (name === undefined) return wantsHelp ? { kind: 'help' } : usageError('No command given', true);
  const command = IS_ONLINE_COMMANDS.find((c) => c.name === name);
  if (!command) return usageError(`Method ${name} not found`, true);
  if (wantsHelp || command.name === 'help') {
    if (args.length > command.args && !wantsHelp) return usageError(`Too many arguments for method ${command.name}`);
    return { kind: 'help' };
  }
  if (args.length < command.args) return usageError(`Too few arguments for method ${command.name}`);
  if (args.length > command.args) return usageError(`Too many arguments for method ${command.name}`);
  const unsupported = parsed.order.find((o) => o !== 'help' && !command.options.includes(o));
  if (unsupported !== undefined) return usageError(`Unsupported option '${unsupported}' for method '${command.name}'`);
  if (command.name === 'version') return { kind: 'version' };

  const values = new Map<string, number>();
  for (const option of ['wait', 'initial-wait', 'switch-timeout']) {
    const raw = parsed.options.get(option);
    if (typeof raw !== 'string') continue;
    const ms = parseMilliseconds(raw);
    if (ms === undefined) return usageError(`Value '${raw}' of option --${option} is invalid`);
    values.set(option, ms);
  }
  const wait = values.get('wait');
  const initialWait = values.get('initial-wait');
  if (wait !== undefined && initialWait !== undefined) return usageError('Options --wait and --initial-wait cannot be used together');

  const component: Component = command.name === 'node' ? { kind: 'node', name: args[0]! } : { kind: command.name as 'agent' | 'system' };
  return {
    kind: 'watch',
    component,
    options: {
      waitMs: wait ?? initialWait ?? 0,
      monitor: parsed.options.has('monitor') || initialWait !== undefined,
      switchTimeoutMs: values.get('switch-timeout') ?? 0,
    },
  };
}
