/**
 * bluechi-agent's command line, parsed with yargs. The usage text is our
 * own (yargs' generated help and version are switched off), and every refusal
 * is one line naming the offending word: an unknown option, a stray argument,
 * an option without its value.
 */
import { parseDaemonOptions, type DaemonOption } from '@bluechi-ts/protocol/command-line';
import type { AgentOverrides } from './config.js';

export const USAGE = `Usage: bluechi-agent [options]

Runs the bluechi-ts agent for this node: it connects to the controller and
carries out unit operations with the local systemd.

Options:
  -h, --help              show this help and exit
  -v, --version           show the version and exit
  -H, --host HOST         controller host (overrides ControllerHost)
  -p, --port PORT         controller port (overrides ControllerPort)
  -a, --address ADDRESS   controller address, e.g. tcp:host=10.0.0.1,port=842
                          or unix:path=/run/bluechi/bluechi.sock
  -n, --name NAME         node name to register as (overrides NodeName)
  -i, --interval MS       heartbeat interval in milliseconds
  -c, --config FILE       read FILE after the standard configuration files
`;

export type AgentCommandLine =
  /** Every value as given; the configuration loader checks them. */
  | { action: 'run'; overrides: AgentOverrides }
  | { action: 'help' }
  | { action: 'version' }
  /** `--user`: user-session mode, not supported. */
  | { action: 'user' }
  | { action: 'refuse'; message: string };

/** Every command-line option, by long name (documented in the man page; its test checks that). */
export const AGENT_OPTIONS = {
  help: { alias: 'h', type: 'boolean' },
  version: { alias: 'v', type: 'boolean' },
  host: { alias: 'H', type: 'string', requiresArg: true },
  port: { alias: 'p', type: 'string', requiresArg: true },
  address: { alias: 'a', type: 'string', requiresArg: true },
  name: { alias: 'n', type: 'string', requiresArg: true },
  interval: { alias: 'i', type: 'string', requiresArg: true },
  config: { alias: 'c', type: 'string', requiresArg: true },
  user: { alias: 'u', type: 'boolean' },
} as const satisfies Record<string, DaemonOption>;

/** Command-line option -> the override it sets. */
const OVERRIDES = { host: 'host', port: 'port', address: 'address', name: 'name', interval: 'interval', config: 'configFile' } as const;

export function parseAgentCommandLine(argv: readonly string[]): AgentCommandLine {
  const parsed = parseDaemonOptions(argv, AGENT_OPTIONS);
  if ('refusal' in parsed) return { action: 'refuse', message: parsed.refusal };
  const { values, rest } = parsed;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  if (values.user) return { action: 'user' };
  if (rest.length > 0) return { action: 'refuse', message: `unexpected argument '${rest[0]}'` };
  const overrides: AgentOverrides = {};
  for (const [option, key] of Object.entries(OVERRIDES)) if (values[option] !== undefined) overrides[key] = String(values[option]);
  return { action: 'run', overrides };
}
