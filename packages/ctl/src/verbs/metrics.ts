/**
 * `bluechictl metrics enable|disable|listen [--json]`. enable and disable print
 * `Done` (or fail with "Metrics already enabled/disabled"); listen prints each
 * metrics report as it comes until SIGINT/SIGTERM (exit 0), in upstream's
 * format (reference §7), with real measurements where upstream prints 0.0 ms.
 */
import type { CtlClient, Deps, VerbArgs } from '../deps.js';
import { EXIT_FAILURE, failedCall } from '../exit-codes.js';
import { agentJobLine, startUnitJobLines } from '../format/events.js';
import { followController } from './follow.js';
import { HELP_OPTION, type VerbHelp } from './help.js';

/** The words `metrics` takes, as runMetrics handles them. */
export const METRICS_SUBCOMMANDS = ['enable', 'disable', 'listen'] as const;

async function toggle(deps: Deps, method: 'EnableMetrics' | 'DisableMetrics'): Promise<number> {
  try {
    await deps.client.call(method, {});
  } catch (err) {
    return failedCall(deps, err);
  }
  deps.out('Done\n');
  return 0;
}

function listen(args: VerbArgs, deps: Deps): Promise<number> {
  const json = args.options.has('json');
  deps.out('Waiting for metrics signals...\n');
  return followController(deps, async (client: CtlClient) => {
    client.on('StartUnitJobMetrics', (m) => deps.out(json ? JSON.stringify({ event: 'StartUnitJobMetrics', ...m }) + '\n' : startUnitJobLines(m)));
    client.on('AgentJobMetrics', (m) => deps.out(json ? JSON.stringify({ event: 'AgentJobMetrics', ...m }) + '\n' : agentJobLine(m)));
    await client.call('WatchMetrics', {});
  });
}

export async function runMetrics(args: VerbArgs, deps: Deps): Promise<number> {
  const [command] = args.positionals as [string];
  switch (command) {
    case 'enable':
      return toggle(deps, 'EnableMetrics');
    case 'disable':
      return toggle(deps, 'DisableMetrics');
    case 'listen':
      return listen(args, deps);
    default:
      // Upstream prints this without a newline.
      deps.err(`Unknown metrics command: ${command}`);
      return EXIT_FAILURE;
  }
}

export const METRICS_HELP: VerbHelp = {
  description: 'Switch job metrics on or off, or print them as they come',
  usage: 'bluechictl metrics [enable|disable|listen] [options]',
  notes: [
    'While metrics are on, every node reports how long systemd took for each job, and the',
    'controller how long each start took end to end and how long the unit was activating.',
  ],
  options: [HELP_OPTION, ['--json', 'listen: print one JSON object per report and line']],
  examples: ['bluechictl metrics enable', 'bluechictl metrics listen'],
};
