/**
 * `bluechictl set-loglevel [NODE] LEVEL`: changes the log level of the
 * controller, or of the agent on NODE, at run time (not persisted). LEVEL is
 * DEBUG, INFO, WARN or ERROR, case-sensitive. Upstream exits 0 for an invalid
 * level given with a node; here bad input always exits 1.
 */
import type { Deps, VerbArgs } from '../deps.js';
import { failedCall } from '../exit-codes.js';
import { HELP_OPTION, type VerbHelp } from './help.js';

export async function runSetLogLevel(args: VerbArgs, deps: Deps): Promise<number> {
  const [first, second] = args.positionals as [string, string | undefined];
  const params = second === undefined ? { level: first } : { node: first, level: second };
  try {
    await deps.client.call('SetLogLevel', params);
  } catch (err) {
    return failedCall(deps, err);
  }
  return 0;
}

export const LOGLEVEL_HELP: VerbHelp = {
  description: 'Change the log level of the controller, or of the agent on a node, until it restarts',
  usage: 'bluechictl set-loglevel [nodename] [loglevel]',
  notes: ['Without [nodename] the controller\'s level changes. [loglevel] is one of DEBUG, INFO, WARN, ERROR.'],
  options: [HELP_OPTION],
  examples: ['bluechictl set-loglevel INFO', 'bluechictl set-loglevel worker1 DEBUG'],
};
