/**
 * `bluechictl status [NODE [UNIT...]] [-w] [-o wide] [--json]`.
 *
 *   status            every configured node: state, peer IP, last seen
 *   status NODE       the same table with one row (`Node X not found` otherwise)
 *   status NODE UNIT… the unit table, see status-units.ts
 *
 * `-w` clears the screen and prints the table, then redraws it whenever a
 * node comes or goes, until SIGINT/SIGTERM; it keeps going across controller
 * restarts. `-o wide` adds
 * since when each node has been connected.
 */
import type { NodeInfo } from '@bluechi-ts/protocol';
import { optionValue, type CtlClient, type Deps, type VerbArgs } from '../deps.js';
import { errorMessage } from '../exit-codes.js';
import { painter } from '../format/colour.js';
import { formatNodeTable, formatWideNodeTable, nodeRow } from '../format/node-table.js';
import { coalesce, followController } from './follow.js';
import { HELP_OPTION, JSON_OPTION, type VerbHelp } from './help.js';
import { CLEAR_SCREEN, runUnitStatus, type StatusMode } from './status-units.js';

type NodeFetch = { ok: true; nodes: NodeInfo[] } | { ok: false; message: string };

async function fetchNodes(client: CtlClient, name: string | undefined): Promise<NodeFetch> {
  let nodes: NodeInfo[];
  try {
    ({ nodes } = await client.call('ListNodes', {}));
  } catch (err) {
    return { ok: false, message: `Failed to list nodes: ${errorMessage(err)}\n` };
  }
  if (name === undefined) return { ok: true, nodes };
  const one = nodes.filter((n) => n.name === name);
  if (one.length === 0) return { ok: false, message: `Node ${name} not found\n` };
  return { ok: true, nodes: one };
}

export function renderNodeTable(nodes: readonly NodeInfo[], deps: Pick<Deps, 'clock' | 'colour'>, wide = false): string {
  const paint = painter(deps.colour);
  const offset = (ms: number) => deps.clock.offsetMinutes(ms);
  if (wide) return formatWideNodeTable(nodes, deps.clock.now(), offset, paint);
  return formatNodeTable(nodes.map((n) => nodeRow(n, offset)), paint);
}

export function nodesJson(nodes: readonly NodeInfo[]): string {
  return JSON.stringify({ nodes }, null, 2) + '\n';
}

async function watchNodes(name: string | undefined, mode: StatusMode, deps: Deps): Promise<number> {
  const first = await fetchNodes(deps.client, name);
  if (!first.ok) {
    deps.err(first.message);
    return 1;
  }
  let shown = '';
  return followController(deps, async (client) => {
    const redraw = coalesce(async () => {
      const fetched = await fetchNodes(client, name);
      if (!fetched.ok) {
        deps.err(fetched.message);
        return;
      }
      const table = renderNodeTable(fetched.nodes, deps, mode.wide);
      if (table === shown) return;
      shown = table;
      deps.out(CLEAR_SCREEN + table);
    });
    client.on('NodeStatusChanged', (e) => {
      if (name === undefined || e.node === name) void redraw();
    });
    await client.call('WatchNodes', {});
    await redraw();
  });
}

export async function runNodeStatus(name: string | undefined, mode: StatusMode, deps: Deps): Promise<number> {
  if (mode.watch) return watchNodes(name, mode, deps);
  const fetched = await fetchNodes(deps.client, name);
  if (!fetched.ok) {
    deps.err(fetched.message);
    return 1;
  }
  deps.out(mode.json ? nodesJson(fetched.nodes) : renderNodeTable(fetched.nodes, deps, mode.wide));
  return 0;
}

/** Refuses option combinations that make no sense, before connecting. */
export function checkStatus(args: VerbArgs): string | undefined {
  const output = optionValue(args, 'output');
  if (output !== undefined && output !== 'wide') return `Value '${output}' of option --output is invalid (only 'wide' is known)\n`;
  if (args.options.has('watch') && args.options.has('json')) return 'The options --watch and --json cannot be used together\n';
  return undefined;
}

export async function runStatus(args: VerbArgs, deps: Deps): Promise<number> {
  const mode: StatusMode = {
    watch: args.options.has('watch'),
    json: args.options.has('json'),
    wide: optionValue(args, 'output') === 'wide',
  };
  const [node, ...units] = args.positionals;
  if (node !== undefined && units.length > 0) return runUnitStatus(node, units, mode, deps);
  return runNodeStatus(node, mode, deps);
}

export const STATUS_HELP: VerbHelp = {
  description: 'Show the connection state of nodes, or the state of units on one node',
  usage: 'bluechictl status [nodename] [unitname...] [options]',
  notes: [
    'Without arguments every configured node is shown; with [nodename] only that node.',
    'With [unitname]s the load, active, sub, freezer and enablement states of those units',
    'on [nodename] are shown.',
  ],
  options: [
    HELP_OPTION,
    ['--watch, -w', 'keep running and redraw whenever a node or unit changes (stop with Ctrl-C)'],
    ['-o, --output=wide', 'units: add since when and for how long each is in its state, its main PID,\n\t\t restarts, memory and last result; nodes: since when each is connected'],
    JSON_OPTION,
  ],
};
