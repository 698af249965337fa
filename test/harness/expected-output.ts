/**
 * Upstream bluechictl's output formats (upstream-transcripts §4), written out
 * independently of the product's formatters, so integration tests compare
 * whole strings against an oracle of their own.
 */

/** `bluechictl status` (node table): fields of widths 30, 10, 24, 28 joined by `| `. */
export function nodeTableRow(node: string, state: string, ip: string, lastSeen: string): string {
  const field = (text: string, width: number) => text.slice(0, width).padEnd(width);
  return `${field(node, 30)}| ${field(state, 10)}| ${field(ip, 24)}| ${field(lastSeen, 28)}\n`;
}

export const NODE_TABLE_HEADER = `${nodeTableRow('NODE', 'STATE', 'IP', 'LAST SEEN')}${'='.repeat(90)}\n`;

export function nodeTable(rows: Array<[node: string, state: string, ip: string, lastSeen: string]>): string {
  return NODE_TABLE_HEADER + rows.map((r) => nodeTableRow(...r)).join('');
}

/** The IP a TCP agent on 127.0.0.1 shows (the controller listens dual-stack). */
export const LOOPBACK_IP = '::ffff:127.0.0.1';

/** LAST SEEN of an offline node that was once seen. */
export const LAST_SEEN_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}[+-]\d{4}$/;

/** `status NODE UNIT...` header and dash rule; W = longest requested unit name. */
export function unitTableHeader(units: string[]): string {
  const w = Math.max(...units.map((u) => u.length));
  const tabs = Math.ceil(w / 8);
  return (
    `UNIT${'\t'.repeat(tabs)}| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n` +
    `${'-'.repeat(8 * tabs + 80)}\n`
  );
}

/** One row of `status NODE UNIT...`: LoadState, ActiveState, SubState, FreezerState, UnitFileState. */
export function unitTableRow(units: string[], unit: string, values: [string, string, string, string, string]): string {
  const w = Math.max(...units.map((u) => u.length));
  const cells = values.map((v) => `| ${v}\t${v.length < 6 ? '\t' : ''}`).join('');
  return `${unit}${'\t'.repeat(Math.floor((w - unit.length + 8) / 8))}${cells}|\n`;
}

export type ListRow = { node: string; id: string; active: string; sub: string };

/**
 * `list-units`: columns padded to the widest value over ALL rows the nodes
 * returned (at least the header), even rows a filter then hides; the rule is
 * the sum of the widths plus 9.
 */
export function listUnitsTable(all: ListRow[], shown: ListRow[]): string {
  const width = (key: keyof ListRow, header: string) => Math.max(header.length, ...all.map((r) => r[key].length));
  const w = [width('node', 'NODE'), width('id', 'ID'), width('active', 'ACTIVE'), width('sub', 'SUB')] as const;
  const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(w[i]!)).join(' | ')}\n`;
  return (
    line(['NODE', 'ID', 'ACTIVE', 'SUB']) +
    `${'='.repeat(w[0] + w[1] + w[2] + w[3] + 9)}\n` +
    shown.map((r) => line([r.node, r.id, r.active, r.sub])).join('')
  );
}

/** Parses `list-units` rows (after the header and rule), trimming the padding. */
export function parseListUnits(stdout: string): ListRow[] {
  return stdout
    .split('\n')
    .slice(2)
    .filter((line) => line !== '')
    .map((line) => {
      const [node = '', id = '', active = '', sub = ''] = line.split(' | ').map((f) => f.trimEnd());
      return { node, id, active, sub };
    });
}
