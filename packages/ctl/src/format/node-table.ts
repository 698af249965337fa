/**
 * The node table of `bluechictl status` / `status NODE`: four fixed-width,
 * left-aligned and truncated columns (30, 10, 24, 28) each followed by `| `
 * except the last, then a rule of exactly 90 `=`.
 */
import type { NodeInfo } from '@bluechi-ts/protocol';
import { formatLastSeen, localOffsetMinutes } from './last-seen.js';

export type NodeRow = { name: string; state: string; ip: string; lastSeen: string };

const WIDTHS = [30, 10, 24, 28] as const;
export const NODE_TABLE_RULE = '='.repeat(90);

/** printf's `%-W.Ws`: cut to W characters, then pad with spaces to W. */
function fixed(value: string, width: number): string {
  return value.slice(0, width).padEnd(width, ' ');
}

export function formatNodeLine(cells: readonly [string, string, string, string]): string {
  return cells.map((c, i) => fixed(c, WIDTHS[i]!)).join('| ') + '\n';
}

export function nodeRow(node: NodeInfo, offsetMinutes: (ms: number) => number = localOffsetMinutes): NodeRow {
  return {
    name: node.name,
    state: node.status,
    ip: node.peerIp,
    lastSeen: formatLastSeen(node, offsetMinutes),
  };
}

export function formatNodeTable(rows: readonly NodeRow[]): string {
  let out = formatNodeLine(['NODE', 'STATE', 'IP', 'LAST SEEN']) + NODE_TABLE_RULE + '\n';
  for (const r of rows) out += formatNodeLine([r.name, r.state, r.ip, r.lastSeen]);
  return out;
}
