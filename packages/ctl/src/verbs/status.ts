/**
 * `bluechictl status [NODE [UNIT...]] [-w] [--json]`.
 *
 *   status            every configured node: state, peer IP, last seen
 *   status NODE       the same table with one row (`Node X not found` otherwise)
 *   status NODE UNIT… the unit table, see status-units.ts
 *
 * `--watch` polls the controller and redraws (clearing the screen) whenever the
 * output changes, until SIGINT/SIGTERM.
 */
import type { NodeInfo } from '@bluechi-ts/protocol';
import { unlessStopped, type Deps, type VerbArgs } from '../deps.js';
import { errorMessage } from '../exit-codes.js';
import { formatNodeTable, nodeRow } from '../format/node-table.js';
import { HELP_OPTION, type VerbHelp } from './help.js';
import { CLEAR_SCREEN, runUnitStatus, type StatusMode } from './status-units.js';

type NodeFetch = { ok: true; nodes: NodeInfo[] } | { ok: false; message: string };

async function fetchNodes(name: string | undefined, deps: Deps): Promise<NodeFetch> {
  let nodes: NodeInfo[];
  try {
    nodes = await deps.client.listNodes();
  } catch (err) {
    return { ok: false, message: `Failed to list nodes: ${errorMessage(err)}\n` };
  }
  if (name === undefined) return { ok: true, nodes };
  const one = nodes.filter((n) => n.name === name);
  if (one.length === 0) return { ok: false, message: `Node ${name} not found\n` };
  return { ok: true, nodes: one };
}

export function renderNodeTable(nodes: readonly NodeInfo[], deps: Pick<Deps, 'clock'>): string {
  return formatNodeTable(nodes.map((n) => nodeRow(n, (ms) => deps.clock.offsetMinutes(ms))));
}

export function nodesJson(nodes: readonly NodeInfo[]): string {
  return JSON.stringify({ nodes }, null, 2) + '\n';
}

async function watchNodes(name: string | undefined, deps: Deps): Promise<number> {
  const stop = deps.stopSignal();
  let shown: string | undefined;
  for (;;) {
    const fetched = await unlessStopped(fetchNodes(name, deps), stop);
    if (fetched === undefined) return 0;
    if (!fetched.ok) {
      deps.err(fetched.message);
      return 1;
    }
    const table = renderNodeTable(fetched.nodes, deps);
    if (table !== shown) {
      deps.out(CLEAR_SCREEN + table);
      shown = table;
    }
    await deps.clock.sleep(deps.watchIntervalMs, stop);
    if (stop.aborted) return 0;
  }
}

export async function runNodeStatus(name: string | undefined, mode: StatusMode, deps: Deps): Promise<number> {
  if (mode.watch) return watchNodes(name, deps);
  const fetched = await fetchNodes(name, deps);
  if (!fetched.ok) {
    deps.err(fetched.message);
    return 1;
  }
  deps.out(mode.json ? nodesJson(fetched.nodes) : renderNodeTable(fetched.nodes, deps));
  return 0;
}

export async function runStatus(args: VerbArgs, deps: Deps): Promise<number> {
  const mode: StatusMode = { watch: args.options.has('watch'), json: args.options.has('json') };
  if (mode.watch && mode.json) {
    deps.err('The options --watch and --json cannot be used together\n');
    return 1;
  }
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
    ['--watch, -w', 'keep running and redraw the output whenever it changes (stop with Ctrl-C)'],
    ['--json', 'print JSON instead of a table (not together with --watch)'],
  ],
};
