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

/** `bluechictl status` of the usual test cluster, main (local agent) and worker1, both online. */
export const MAIN_AND_WORKER1_ONLINE = nodeTable([
  ['main', 'online', '', 'now'],
  ['worker1', 'online', LOOPBACK_IP, 'now'],
]);

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

/**
 * A node's D-Bus object path as upstream escapes the name: every byte but
 * ASCII letters and non-leading digits becomes `_` and two lowercase hex
 * digits; an empty name is `_`.
 */
export function nodeObjectPath(node: string): string {
  const bytes = [...Buffer.from(node, 'utf8')];
  const escaped = bytes
    .map((b, i) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z]/.test(c) || (i > 0 && /[0-9]/.test(c)) ? c : `_${b.toString(16).padStart(2, '0')}`;
    })
    .join('');
  return `/org/eclipse/bluechi/node/${escaped === '' ? '_' : escaped}`;
}

/** The D-Bus error message for a node the controller does not know. */
export function unknownNodeMessage(node: string): string {
  return `Unknown object '${nodeObjectPath(node)}'.`;
}

export type UnitFileRow = { node: string; path: string; state: string };

/**
 * `list-unit-files`: columns NODE, PATH, IS-ENABLED joined by ` | `, each
 * padded to the widest value over ALL rows the nodes returned (at least the
 * header), even rows a filter then hides; the rule is the sum plus 6.
 */
export function listUnitFilesTable(all: UnitFileRow[], shown: UnitFileRow[]): string {
  const width = (key: keyof UnitFileRow, header: string) => Math.max(header.length, ...all.map((r) => r[key].length));
  const w = [width('node', 'NODE'), width('path', 'PATH'), width('state', 'IS-ENABLED')] as const;
  const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(w[i]!)).join(' | ')}\n`;
  return (
    line(['NODE', 'PATH', 'IS-ENABLED']) +
    `${'='.repeat(w[0] + w[1] + w[2] + 6)}\n` +
    shown.map((r) => line([r.node, r.path, r.state])).join('')
  );
}

/** Parses `list-unit-files` rows (after the header and rule), trimming the padding. */
export function parseListUnitFiles(stdout: string): UnitFileRow[] {
  return stdout
    .split('\n')
    .slice(2)
    .filter((line) => line !== '')
    .map((line) => {
      const [node = '', path = '', state = ''] = line.split(' | ').map((f) => f.trimEnd());
      return { node, path, state };
    });
}

/** enable's first stderr line, by whether the files had an [Install] section. */
export const ENABLEMENT_INFO = 'The unit files included enablement information\n';
export const NO_ENABLEMENT_INFO = 'The unit files did not include any enablement information\n';

/** enable/disable report each change systemd made on stderr, one line each. */
export const createdSymlink = (link: string, target: string): string => `Created symlink ${link} -> ${target}\n`;
export const removedSymlink = (link: string): string => `Removed "${link}".\n`;

/** set-default: systemd's changes (type, file, destination) on one line. */
export function defaultTargetChanges(changes: Array<[type: string, file: string, destination: string]>): string {
  return `[${changes.map(([type, file, destination]) => `(${type} ${file} ${destination}),`).join('')}]\n`;
}

/**
 * A failed enable or disable call: the D-Bus message, then the errno text sd-bus
 * derives from the error's name, the second line without a final newline.
 */
export function unitFileCallFailure(verb: 'enable' | 'disable', node: string, message: string, strerror: string): string {
  return `Failed to issue call: ${message}\nFailed to ${verb} the units on node [${node}] - ${strerror}`;
}
