/**
 * `bluechictl monitor [NODE [UNIT,UNIT...]] [--json]`: prints unit events as
 * they happen until SIGINT/SIGTERM (exit 0). NODE and the units default to
 * `*` (every node, every unit). The format is upstream's (reference §1.6);
 * `--json` prints one object per line instead.
 *
 * When the controller goes away, monitor says so on stderr, reconnects and
 * subscribes again; the controller then reports the units' current states as
 * virtual events, so nothing that changed meanwhile goes unnoticed.
 */
import type { CtlClient, Deps, VerbArgs } from '../deps.js';
import { errorMessage, isConnectionLost } from '../exit-codes.js';
import { monitorEventJson, monitorEventLines, monitorHeader, type MonitorEvent } from '../format/events.js';
import { followController, SetupFailure } from './follow.js';
import { HELP_OPTION, type VerbHelp } from './help.js';

const EVENTS = ['UnitNew', 'UnitRemoved', 'UnitStateChanged', 'UnitPropertiesChanged'] as const;

export function monitorTargets(args: VerbArgs): { node: string; units: string[] } {
  const [node = '*', list = '*'] = args.positionals;
  const units = list.split(',').filter((u) => u !== '');
  return { node, units: units.length > 0 ? units : ['*'] };
}

/** Upstream's wording of a failed monitor call; a lost controller is left to followController. */
const failedTo = (what: string) => (err: unknown): never => {
  if (isConnectionLost(err)) throw err;
  throw new SetupFailure(`Failed to ${what}: ${errorMessage(err)}\n`);
};

export async function runMonitor(args: VerbArgs, deps: Deps): Promise<number> {
  const { node, units } = monitorTargets(args);
  const json = args.options.has('json');
  const print = (e: MonitorEvent) => deps.out(json ? monitorEventJson(e) : monitorEventLines(e));
  return followController(deps, async (client: CtlClient, again: boolean) => {
    const { monitorId, path } = await client.call('CreateMonitor', {}).catch(failedTo('create monitor'));
    for (const event of EVENTS) {
      client.on(event, (p) => {
        if (p.monitorId === monitorId) print({ event, ...p } as MonitorEvent);
      });
    }
    if (again) deps.err(`Monitoring again as ${path}\n`);
    else if (json) for (const unit of units) deps.out(JSON.stringify({ event: 'Subscribed', monitor: path, node, unit }) + '\n');
    else deps.out(monitorHeader(path, node, units));
    await client.call('SubscribeList', { monitorId, node, units }).catch(failedTo('subscribe to monitor'));
  });
}

export const MONITOR_HELP: VerbHelp = {
  description: 'Print unit events on nodes as they happen, until interrupted',
  usage: 'bluechictl monitor [nodename] [unitname,...] [options]',
  notes: [
    'Without [nodename] and [unitname], every unit on every node is watched; either may be * too.',
    'Several units are separated by commas. Events for the pseudo-unit * tell that a node',
    'connected or disconnected: whoever watches everything should look again then.',
  ],
  options: [HELP_OPTION, ['--json', 'print one JSON object per event and line']],
  examples: ['bluechictl monitor', 'bluechictl monitor worker1 \\*', 'bluechictl monitor \\* httpd.service', 'bluechictl monitor worker1 httpd.service,db.service'],
};
