/**
 * bluechi-controller's command line, parsed with yargs. The usage text is our
 * own (yargs' generated help and version are switched off), and every refusal
 * is one line naming the offending word: an unknown option, a stray argument,
 * an option without its value.
 */
import { parseDaemonOptions, type DaemonOption } from '@bluechi-ts/protocol/command-line';

export const USAGE = `Usage: bluechi-controller [options]

Runs the bluechi-ts controller: accepts agent connections and serves the local
API that bluechictl uses.

Options:
  -h, --help          show this help and exit
  -v, --version       show the version and exit
  -p, --port PORT     listen for agents on PORT (overrides ControllerPort)
  -c, --config FILE   read FILE after the standard configuration files
`;

export type ControllerCommandLine =
  | { action: 'run'; port?: string; configFile?: string }
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'refuse'; message: string };

/** Every command-line option, by long name (documented in the man page; its test checks that). */
export const CONTROLLER_OPTIONS = {
  help: { alias: 'h', type: 'boolean' },
  version: { alias: 'v', type: 'boolean' },
  port: { alias: 'p', type: 'string', requiresArg: true },
  config: { alias: 'c', type: 'string', requiresArg: true },
} as const satisfies Record<string, DaemonOption>;

export function parseControllerCommandLine(argv: readonly string[]): ControllerCommandLine {
  const parsed = parseDaemonOptions(argv, CONTROLLER_OPTIONS);
  if ('refusal' in parsed) return { action: 'refuse', message: parsed.refusal };
  const { values, rest } = parsed;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  if (rest.length > 0) return { action: 'refuse', message: `unexpected argument '${rest[0]}'` };
  return {
    action: 'run',
    ...(values.port !== undefined ? { port: String(values.port) } : {}),
    ...(values.config !== undefined ? { configFile: String(values.config) } : {}),
  };
}
