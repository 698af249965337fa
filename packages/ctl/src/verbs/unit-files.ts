/**
 * Unit files on a node: `enable`, `disable`, `is-enabled`, `get-default` and
 * `set-default`. Output, messages and exit codes are upstream bluechictl's
 * (reference §1.2, transcripts §6.8 and §6.12): enable and disable report on
 * stderr, set-default prints systemd's change list on one line.
 */
import { globMatch, type UnitFileChange } from '@bluechi-ts/protocol';
import type { Deps, VerbArgs } from '../deps.js';
import { EXIT_FAILURE, errnoTextFor, errorMessage, failedCall } from '../exit-codes.js';
import { HELP_OPTION, JSON_OPTION, type VerbHelp } from './help.js';

/** One line per symlink change, as upstream words them (systemd's other change types are "unknown" to it). */
export function changeLine(c: UnitFileChange): string {
  if (c.type === 'symlink') return `Created symlink ${c.file} -> ${c.destination}\n`;
  if (c.type === 'unlink') return `Removed "${c.file}".\n`;
  return `Unknown operation: ${c.type}\n`;
}

/** systemd's change list on one line, the way upstream's set-default prints it. */
export function changeList(changes: readonly UnitFileChange[]): string {
  return `[${changes.map((c) => `(${c.type} ${c.file} ${c.destination}),`).join('')}]\n`;
}

/**
 * Upstream's two-line report of a failed unit-file call; the second line has
 * no newline, as upstream prints it.
 */
function unitFileFailure(deps: Deps, what: string, node: string, err: unknown): number {
  deps.err(`Failed to issue call: ${errorMessage(err)}\nFailed to ${what} on node [${node}] - ${errnoTextFor(err)}`);
  return EXIT_FAILURE;
}

/** systemd's daemon-reload after a change, as `daemon-reload` words its failure. */
async function reloadUnlessAsked(args: VerbArgs, deps: Deps, node: string): Promise<number> {
  if (args.options.has('no-reload')) return 0;
  try {
    await deps.client.call('Reload', { node });
  } catch (err) {
    return failedCall(deps, err);
  }
  return 0;
}

export async function runEnable(args: VerbArgs, deps: Deps): Promise<number> {
  const [node, ...files] = args.positionals as [string, ...string[]];
  let reply;
  try {
    reply = await deps.client.call('EnableUnitFiles', {
      node,
      files,
      runtime: args.options.has('runtime'),
      force: args.options.has('force'),
    });
  } catch (err) {
    return unitFileFailure(deps, 'enable the units', node, err);
  }
  deps.err(
    reply.carriesInstallInfo
      ? 'The unit files included enablement information\n'
      : 'The unit files did not include any enablement information\n',
  );
  for (const c of reply.changes) deps.err(changeLine(c));
  return reloadUnlessAsked(args, deps, node);
}

/**
 * Like upstream, a failed disable still reloads systemd (unless --no-reload).
 * Upstream then exits with the reload's status, 0 after a failed disable;
 * here a failed disable always exits 1.
 */
export async function runDisable(args: VerbArgs, deps: Deps): Promise<number> {
  const [node, ...files] = args.positionals as [string, ...string[]];
  let reply;
  try {
    reply = await deps.client.call('DisableUnitFiles', { node, files, runtime: args.options.has('runtime') });
  } catch (err) {
    unitFileFailure(deps, 'disable the units', node, err);
    await reloadUnlessAsked(args, deps, node);
    return EXIT_FAILURE;
  }
  for (const c of reply.changes) deps.err(changeLine(c));
  return reloadUnlessAsked(args, deps, node);
}

/** The states upstream's is-enabled exits 0 for; everything else (and unknown units) exits 1. */
export const ENABLED_STATES: readonly string[] = ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'];

export async function runIsEnabled(args: VerbArgs, deps: Deps): Promise<number> {
  const [node, unit] = args.positionals as [string, string];
  let state: string;
  try {
    ({ state } = await deps.client.call('GetUnitFileState', { node, file: unit }));
  } catch (err) {
    return failedCall(deps, err);
  }
  const enabled = ENABLED_STATES.includes(state);
  deps.out(args.options.has('json') ? JSON.stringify({ node, unit, state, enabled }, null, 2) + '\n' : `${state}\n`);
  return enabled ? 0 : EXIT_FAILURE;
}

export async function runGetDefault(args: VerbArgs, deps: Deps): Promise<number> {
  const [node] = args.positionals as [string];
  try {
    const { target } = await deps.client.call('GetDefaultTarget', { node });
    deps.out(`${target}\n`);
    return 0;
  } catch (err) {
    return failedCall(deps, err);
  }
}

/**
 * The target must end in "target" (upstream's glob `*target`). Upstream prints
 * the refusal and still exits 0; here bad input exits 1.
 */
export async function runSetDefault(args: VerbArgs, deps: Deps): Promise<number> {
  const [node, target] = args.positionals as [string, string];
  if (!globMatch('*target', target)) {
    deps.err(`Error: Unit '${target}' is not a target unit\n`);
    return EXIT_FAILURE;
  }
  try {
    const { changes } = await deps.client.call('SetDefaultTarget', { node, target, force: true });
    deps.out(changeList(changes));
    return 0;
  } catch (err) {
    return failedCall(deps, err);
  }
}

export const ENABLE_HELP: VerbHelp = {
  description: 'Enable unit files on a node (the symlinks of their [Install] section)',
  usage: 'bluechictl enable [nodename] [unitfile...] [options]',
  notes: ['What changed is reported on stderr, as systemctl does; then systemd reloads its configuration.'],
  options: [
    HELP_OPTION,
    ['--runtime', 'enable until the next reboot only (links under /run)'],
    ['--force', 'replace symlinks that point to other units'],
    ['--no-reload', 'do not reload systemd afterwards'],
  ],
};

export const DISABLE_HELP: VerbHelp = {
  description: 'Disable unit files on a node (remove the symlinks of their [Install] section)',
  usage: 'bluechictl disable [nodename] [unitfile...] [options]',
  options: [
    HELP_OPTION,
    ['--runtime', 'remove the links made with enable --runtime'],
    ['--no-reload', 'do not reload systemd afterwards'],
  ],
};

export const IS_ENABLED_HELP: VerbHelp = {
  description: 'Print the enablement state of a unit file on a node',
  usage: 'bluechictl is-enabled [nodename] [unitfile] [options]',
  notes: ['The exit status is 0 for enabled, enabled-runtime, static, alias, indirect and generated, else 1.'],
  options: [HELP_OPTION, JSON_OPTION],
};

export const GET_DEFAULT_HELP: VerbHelp = {
  description: 'Print the default target of a node (the one it boots into)',
  usage: 'bluechictl get-default [nodename]',
  options: [HELP_OPTION],
};

export const SET_DEFAULT_HELP: VerbHelp = {
  description: 'Set the default target of a node (the one it boots into)',
  usage: 'bluechictl set-default [nodename] [target]',
  notes: ["systemd's list of changed symlinks is printed on one line."],
  options: [HELP_OPTION],
  examples: ['bluechictl set-default worker1 multi-user.target'],
};
