/**
 * Usage texts. The global usage lists every verb of the table in order; a verb's
 * own help (`bluechictl <verb> --help`) is rendered from its VerbHelp. Layout
 * follows upstream bluechictl (a one-line banner, then `Description: ` and
 * `Usage: ` blocks) so scripts that look for "Usage" keep working.
 */

export const BANNER = 'bluechictl is a command-line client for the bluechi-ts controller\n\n';

export type VerbHelp = {
  description: string;
  usage: string;
  /** Free-form paragraphs printed after the usage line, indented by two spaces. */
  notes?: readonly string[];
  /** [flag as shown, explanation] */
  options?: readonly (readonly [string, string])[];
  examples?: readonly string[];
};

export type UsageEntry = { name: string; summary: string; usage: string };

export const HELP_OPTION: readonly [string, string] = ['--help', 'print this help text'];
export const JSON_OPTION: readonly [string, string] = ['--json', 'print JSON instead of text'];

export function renderGlobalUsage(entries: readonly UsageEntry[]): string {
  let out = BANNER + 'Usage: \n  bluechictl [command]\n\nAvailable commands:\n';
  for (const e of entries) out += `  - ${e.name}: ${e.summary}\n    usage: ${e.usage}\n`;
  out += '\nRun `bluechictl <command> --help` for the details of one command.\n';
  out += 'The controller is reached at $BLUECHI_API_SOCKET (default /run/bluechi/api.sock).\n';
  return out;
}

export function renderVerbHelp(help: VerbHelp): string {
  let out = BANNER;
  out += `Description: \n  ${help.description}\n\n`;
  out += `Usage: \n  ${help.usage}\n\n`;
  if (help.notes?.length) out += help.notes.map((n) => `  ${n}\n`).join('') + '\n';
  if (help.options?.length) {
    out += 'Available options:\n';
    for (const [flag, text] of help.options) out += `  ${flag} \t ${text}\n`;
    if (help.examples?.length) out += '\n';
  }
  if (help.examples?.length) {
    out += 'Examples:\n';
    for (const ex of help.examples) out += `  ${ex}\n`;
  }
  return out;
}
