/**
 * `bluechictl list-units [NODE] [--filter=GLOB] [--json]`: the units of one node,
 * or of every online node in the controller's node order (offline nodes are left
 * out by the controller). Column widths cover all units, filtered or not.
 */
import { globMatch, type UnitInfo } from '@bluechi-ts/protocol';
import { optionValue, type Deps, type VerbArgs } from '../deps.js';
import { failedCall } from '../exit-codes.js';
import { PLAIN, painter, type Paint } from '../format/colour.js';
import { formatListTable, LIST_UNITS_HEADERS } from '../format/list-table.js';
import { HELP_OPTION, JSON_OPTION, type VerbHelp } from './help.js';

export type NodeUnits = { node: string; units: UnitInfo[] };
export type UnitOnNode = UnitInfo & { node: string };

/** The table exactly as bluechictl prints it (`paint` colours the ACTIVE column). */
export function formatUnitList(nodes: readonly NodeUnits[], filter?: string, paint: Paint = PLAIN): string {
  const rows: string[][] = [];
  for (const { node, units } of nodes) {
    for (const u of units) rows.push([node, u.name, u.activeState, u.subState]);
  }
  const keep = filter === undefined ? undefined : (row: readonly string[]) => globMatch(filter, row[1]!);
  return formatListTable(LIST_UNITS_HEADERS, rows, keep, { column: 2, paint });
}

/** The `--json` form: one flat array of units, each tagged with its node. */
export function unitListJson(nodes: readonly NodeUnits[], filter?: string): string {
  const units: UnitOnNode[] = [];
  for (const { node, units: list } of nodes) {
    for (const u of list) if (filter === undefined || globMatch(filter, u.name)) units.push({ node, ...u });
  }
  return JSON.stringify({ units }, null, 2) + '\n';
}

export async function runListUnits(args: VerbArgs, deps: Deps): Promise<number> {
  const node = args.positionals[0];
  const filter = optionValue(args, 'filter');
  let nodes: NodeUnits[];
  try {
    ({ nodes } = await deps.client.call('ListUnits', node === undefined ? {} : { node }));
  } catch (err) {
    return failedCall(deps, err);
  }
  deps.out(args.options.has('json') ? unitListJson(nodes, filter) : formatUnitList(nodes, filter, painter(deps.colour)));
  return 0;
}

export const LIST_UNITS_HELP: VerbHelp = {
  description: 'List the systemd units loaded on a node',
  usage: 'bluechictl list-units [nodename] [options]',
  notes: ['Without [nodename], the units of every online node are listed; offline nodes are skipped.'],
  options: [
    HELP_OPTION,
    ['--filter', "only show units whose name matches the glob ('*' and '?' are wildcards)"],
    JSON_OPTION,
  ],
};
