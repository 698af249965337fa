/**
 * `bluechictl list-unit-files [NODE] [--filter=GLOB] [--json]`: the unit files
 * of one node, or of every online node in the controller's node order. The
 * filter matches the file's full path, as upstream's does
 * (`--filter='*httpd*'`, not `httpd*`); column widths cover all rows anyway.
 */
import { globMatch, type UnitFileInfo } from '@bluechi-ts/protocol';
import { optionValue, type Deps, type VerbArgs } from '../deps.js';
import { failedCall } from '../exit-codes.js';
import { formatListTable, LIST_UNIT_FILES_HEADERS } from '../format/list-table.js';
import { HELP_OPTION, JSON_OPTION, type VerbHelp } from './help.js';

export type NodeUnitFiles = { node: string; unitFiles: UnitFileInfo[] };

export function formatUnitFileList(nodes: readonly NodeUnitFiles[], filter?: string): string {
  const rows: string[][] = [];
  for (const { node, unitFiles } of nodes) for (const f of unitFiles) rows.push([node, f.path, f.state]);
  const keep = filter === undefined ? undefined : (row: readonly string[]) => globMatch(filter, row[1]!);
  return formatListTable(LIST_UNIT_FILES_HEADERS, rows, keep);
}

/** `--json`: one flat array, each file tagged with its node. */
export function unitFileListJson(nodes: readonly NodeUnitFiles[], filter?: string): string {
  const unitFiles: Array<UnitFileInfo & { node: string }> = [];
  for (const { node, unitFiles: files } of nodes) {
    for (const f of files) if (filter === undefined || globMatch(filter, f.path)) unitFiles.push({ node, ...f });
  }
  return JSON.stringify({ unitFiles }, null, 2) + '\n';
}

export async function runListUnitFiles(args: VerbArgs, deps: Deps): Promise<number> {
  const node = args.positionals[0];
  const filter = optionValue(args, 'filter');
  let nodes: NodeUnitFiles[];
  try {
    ({ nodes } = await deps.client.call('ListUnitFiles', node === undefined ? {} : { node }));
  } catch (err) {
    return failedCall(deps, err);
  }
  deps.out(args.options.has('json') ? unitFileListJson(nodes, filter) : formatUnitFileList(nodes, filter));
  return 0;
}

export const LIST_UNIT_FILES_HELP: VerbHelp = {
  description: 'List the unit files installed on a node, with their enablement state',
  usage: 'bluechictl list-unit-files [nodename] [options]',
  notes: [
    'Without [nodename], the unit files of every online node are listed; offline nodes are skipped.',
    "--filter matches the full path of the file: use '*httpd*', not 'httpd*'.",
  ],
  options: [HELP_OPTION, ['--filter', "only show files whose path matches the glob ('*' and '?' are wildcards)"], JSON_OPTION],
};
