/**
 * The node table of `bluechictl status` / `status NODE`: four fixed-width,
 * left-aligned and truncated columns (30, 10, 24, 28) each followed by `| `
 * except the last, then a rule of exactly 90 `=`.
 */
import type { NodeInfo } from '@bluechi-ts/protocol';
import { PLAIN, type Paint } from './colour.js';
import { formatLastSeen, localOffsetMinutes } from './last-seen.js';
import { formatListTable } from './list-table.js';
import { formatAge, formatSince } from './unit-wide.js';

export type NodeRow = { name: string; state: string; ip: string; lastSeen: string };

const WIDTHS = [30, 10, 24, 28] as const;
export const NODE_TABLE_RULE = '='.repeat(90);

/** printf's `%-W.Ws`: cut to W characters, then pad with spaces to W (the text coloured by `paint`). */
function fixed(value: string, width: number, paint: Paint = PLAIN): string {
  const cut = value.slice(0, width);
  return paint(cut) + ' '.repeat(width - cut.length);
}

/** One line; `paint` colours the STATE cell. */
export function formatNodeLine(cells: readonly [string, string, string, string], paint: Paint = PLAIN): string {
  return cells.map((c, i) => fixed(c, WIDTHS[i]!, i === 1 ? paint : PLAIN)).join('| ') + '\n';
}

export function nodeRow(node: NodeInfo, offsetMinutes: (ms: number) => number = localOffsetMinutes): NodeRow {
  return {
    name: node.name,
    state: node.status,
    ip: node.peerIp,
    lastSeen: formatLastSeen(node, offsetMinutes),
  };
}

export function formatNodeTable(rows: readonly NodeRow[], paint: Paint = PLAIN): string {
  let out = formatNodeLine(['NODE', 'STATE', 'IP', 'LAST SEEN']) + NODE_TABLE_RULE + '\n';
  for (const r of rows) out += formatNodeLine([r.name, r.state, r.ip, r.lastSeen], paint);
  return out;
}

export const WIDE_NODE_HEADERS = ['NODE', 'STATE', 'IP', 'LAST SEEN', 'CONNECTED SINCE', 'FOR'] as const;

/**
 * `status -o wide`: the node table plus since when each online node has been
 * connected and for how long (by the controller's clock), `|`-separated like
 * list-units.
 */
export function formatWideNodeTable(
  nodes: readonly NodeInfo[],
  nowMs: number,
  offsetMinutes: (ms: number) => number,
  paint: Paint = PLAIN,
): string {
  const rows = nodes.map((n) => {
    const r = nodeRow(n, offsetMinutes);
    const since = n.connectedSince > 0 ? formatSince(n.connectedSince * 1000, offsetMinutes(n.connectedSince)) : '-';
    const age = n.connectedSince > 0 ? formatAge(Math.max(0, Math.floor((nowMs - n.connectedSince) / 1000))) : '-';
    return [r.name, r.state, r.ip, r.lastSeen, since, age];
  });
  return formatListTable(WIDE_NODE_HEADERS, rows, undefined, { column: 1, paint });
}
