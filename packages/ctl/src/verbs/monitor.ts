/**
 * `bluechictl monitor [NODE [UNIT,UNIT...]] [--json]`: prints unit events as
 * they happen until SIGINT/SIGTERM (exit 0). NODE and the units default to
 * `*` (every node, every unit). The format is upstream's (reference §1.6);
 * `--json` prints one object per line instead.
 *
 * When the controller goes away, monitor can no longer vouch for the units
 * it knew: it reports them as upstream reports the units of a node that
 * disconnects (a virtual state change to `inactive (agent-offline)` unless
 * inactive, then a virtual `Unit removed`), says so on stderr, reconnects and
 * subscribes again. The new subscription reports the loaded units as virtual
 * `Unit created` with their states, so a unit stopped and unloaded meanwhile
 * ends up removed, and one started meanwhile shows its new state.
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

type Known = { node: string; unit: string; activeState: string };

/**
 * The units the monitor has seen loaded, with their last state, so that a
 * lost controller can be reported for them (see above).
 */
class LoadedUnits {
  private readonly units = new Map<string, Known>();

  track(e: MonitorEvent): void {
    const key = `${e.node}\u0000${e.unit}`;
    if (e.event === 'UnitNew' && !this.units.has(key)) this.units.set(key, { node: e.node, unit: e.unit, activeState: 'inactive' });
    else if (e.event === 'UnitStateChanged') this.units.set(key, { node: e.node, unit: e.unit, activeState: e.activeState });
    else if (e.event === 'UnitRemoved') this.units.delete(key);
  }

  /** The virtual events that say the units are out of reach; forgets them. */
  lose(monitorId: number): MonitorEvent[] {
    const events: MonitorEvent[] = [];
    for (const u of this.units.values()) {
      const base = { monitorId, node: u.node, unit: u.unit, reason: 'virtual' as const };
      // The pseudo-unit `*` gets both, as the controller reports it for a node that disconnects.
      if (u.activeState !== 'inactive' || u.unit === '*') {
        events.push({ event: 'UnitStateChanged', ...base, activeState: 'inactive', subState: 'agent-offline' });
      }
      events.push({ event: 'UnitRemoved', ...base });
    }
    this.units.clear();
    return events;
  }
}

export async function runMonitor(args: VerbArgs, deps: Deps): Promise<number> {
  const { node, units } = monitorTargets(args);
  const json = args.options.has('json');
  const loaded = new LoadedUnits();
  let current = 0;
  const write = (e: MonitorEvent) => deps.out(json ? monitorEventJson(e) : monitorEventLines(e));
  const print = (e: MonitorEvent) => {
    loaded.track(e);
    write(e);
  };
  const subscribed = (path: string) => {
    for (const unit of units) deps.out(JSON.stringify({ event: 'Subscribed', monitor: path, node, unit }) + '\n');
  };
  return followController(
    deps,
    async (client: CtlClient, again: boolean) => {
      const { monitorId, path } = await client.call('CreateMonitor', {}).catch(failedTo('create monitor'));
      current = monitorId;
      for (const event of EVENTS) {
        client.on(event, (p) => {
          if (p.monitorId === monitorId) print({ event, ...p } as MonitorEvent);
        });
      }
      if (again) deps.err(`Monitoring again as ${path}\n`);
      if (json) subscribed(path);
      else if (!again) deps.out(monitorHeader(path, node, units));
      await client.call('SubscribeList', { monitorId, node, units }).catch(failedTo('subscribe to monitor'));
    },
    {
      lost: () => {
        if (json) deps.out(JSON.stringify({ event: 'ConnectionLost' }) + '\n');
        for (const e of loaded.lose(current)) write(e);
      },
    },
  );
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
