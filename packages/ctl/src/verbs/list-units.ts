/**
 * `bluechictl list-units [NODE] [--filter=GLOB] [--json]`: the units of one node,
 * or of every online node in the controller's node order (offline nodes are left
 * out by the controller). Column widths cover all units, filtered or not.
 *
 * The units come as compact rows (ListUnitRows): only the fields printed,
 * filtered on the nodes, each node's rows streamed as it answers, with each
 * field's widest value over all of the node's units, so the table is aligned
 * exactly as if every unit had been sent. The table is written once every
 * node has answered (its widths need them all), one node's rows at a time.
 */
import {
  BluechiError,
  ErrorCodes,
  UNIT_FIELDS,
  printedWidth,
  unitRows,
  type UnitField,
  type UnitInfo,
  type UnitRows,
} from '@bluechi-ts/protocol';
import { optionValue, type Deps, type VerbArgs } from '../deps.js';
import { failedCall } from '../exit-codes.js';
import { PLAIN, painter, type Paint } from '../format/colour.js';
import { formatListHeader, formatListRows, listTableWidths, LIST_UNITS_HEADERS } from '../format/list-table.js';
import { HELP_OPTION, JSON_OPTION, type VerbHelp } from './help.js';

/** One node's units as rows of some fields. */
export type NodeUnitRows = { node: string } & UnitRows;
export type UnitOnNode = UnitInfo & { node: string };

/** The fields of the table's ID, ACTIVE and SUB columns. */
export const TABLE_FIELDS = ['name', 'activeState', 'subState'] as const satisfies readonly UnitField[];

/** Widths of NODE, ID, ACTIVE, SUB: the header words, the names of nodes with units, and the nodes' field widths. */
export function unitTableWidths(parts: readonly NodeUnitRows[]): number[] {
  const widths = listTableWidths(LIST_UNITS_HEADERS, []);
  for (const part of parts) {
    if (part.total > 0) widths[0] = Math.max(widths[0]!, printedWidth(part.node));
    part.widths.forEach((w, i) => (widths[i + 1] = Math.max(widths[i + 1]!, w)));
  }
  return widths;
}

/** The table exactly as bluechictl prints it, in pieces: the header, then one piece per node (`paint` colours ACTIVE). */
export function* unitTable(parts: readonly NodeUnitRows[], paint: Paint = PLAIN): Generator<string> {
  const widths = unitTableWidths(parts);
  yield formatListHeader(LIST_UNITS_HEADERS, widths);
  for (const { node, rows } of parts) {
    if (rows.length > 0) yield formatListRows(widths, rows.map((r) => [node, ...r.map(String)]), { column: 2, paint });
  }
}

/** The `--json` form: one flat array of units (rows of every field), each tagged with its node. */
export function unitRowsJson(parts: readonly NodeUnitRows[]): string {
  const units: Record<string, unknown>[] = [];
  for (const { node, rows } of parts) {
    for (const row of rows) {
      const unit: Record<string, unknown> = { node };
      UNIT_FIELDS.forEach((f, i) => (unit[f] = row[i]));
      units.push(unit);
    }
  }
  return JSON.stringify({ units }, null, 2) + '\n';
}

let nextStreamId = 1;

/**
 * Every node's rows, in the controller's node order. A controller that does not
 * know ListUnitRows yet (still running the previous version after an upgrade) is
 * asked for ListUnits, and its reply is cut down here.
 */
async function fetchRows(deps: Deps, node: string | undefined, fields: readonly UnitField[], filter: string | undefined): Promise<NodeUnitRows[]> {
  const streamId = nextStreamId++;
  const parts = new Map<string, NodeUnitRows>();
  const stop = deps.client.on('UnitRows', ({ streamId: id, ...part }) => {
    if (id === streamId) parts.set(part.node, part);
  });
  try {
    const reply = await deps.client.call('ListUnitRows', {
      fields: [...fields],
      streamId,
      ...(node !== undefined && { node }),
      ...(filter !== undefined && { filter }),
    });
    if (reply.order === undefined) return reply.nodes;
    return reply.order.flatMap((name) => parts.get(name) ?? []);
  } catch (err) {
    if ((err as BluechiError).code !== ErrorCodes.UNKNOWN_METHOD) throw err;
    const { nodes } = await deps.client.call('ListUnits', node === undefined ? {} : { node });
    return nodes.map((n) => ({ node: n.node, ...unitRows(n.units, fields, filter) }));
  } finally {
    stop();
  }
}

export async function runListUnits(args: VerbArgs, deps: Deps): Promise<number> {
  const node = args.positionals[0];
  const filter = optionValue(args, 'filter');
  const json = args.options.has('json');
  let parts: NodeUnitRows[];
  try {
    parts = await fetchRows(deps, node, json ? UNIT_FIELDS : TABLE_FIELDS, filter);
  } catch (err) {
    return failedCall(deps, err);
  }
  if (json) deps.out(unitRowsJson(parts));
  else for (const piece of unitTable(parts, painter(deps.colour))) deps.out(piece);
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
