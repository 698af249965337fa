/**
 * Unit control on a node: `freeze`/`thaw` (one handler, chosen by verb),
 * `kill`, `reset-failed` and `daemon-reload`. Output, messages and exit codes
 * are upstream bluechictl's (reference §1.2, transcripts §6.8 and §6.12).
 */
import type { Deps, Handler, VerbArgs } from '../deps.js';
import { optionValue } from '../deps.js';
import { EXIT_FAILURE, errorMessage, failedCall } from '../exit-codes.js';
import { HELP_OPTION, type VerbHelp } from './help.js';

// ---- freeze, thaw ----------------------------------------------------------

export function freezeHandler(verb: 'freeze' | 'thaw'): Handler {
  return async (args, deps) => {
    const [node, unit] = args.positionals as [string, string];
    try {
      await deps.client.call(verb === 'freeze' ? 'FreezeUnit' : 'ThawUnit', { node, unit });
    } catch (err) {
      return failedCall(deps, err);
    }
    deps.out(`Unit ${unit} ${verb} operation done\n`);
    return 0;
  };
}

// ---- kill ------------------------------------------------------------------

/** The processes --kill-whom can name, as systemd's KillUnit takes them. */
export const KILL_WHOM = ['all', 'main', 'control'] as const;

/**
 * A signal number as upstream reads it (strtol in base 10: leading blanks, a
 * sign and leading zeros are fine, nothing may follow), from 1 to 31.
 */
export function parseSignal(raw: string): number | undefined {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(raw)) return undefined;
  const signal = Number(raw.trim());
  return signal >= 1 && signal <= 31 ? signal : undefined;
}

/** --kill-whom (default all) and --signal (default 15, a number from 1 to 31), as upstream accepts them. */
export function killOptions(args: VerbArgs): { whom: (typeof KILL_WHOM)[number]; signal: number } | { error: string } {
  const whom = optionValue(args, 'kill-whom') ?? 'all';
  if (!(KILL_WHOM as readonly string[]).includes(whom)) return { error: `Value '${whom}' of option --kill-whom is invalid\n` };
  const raw = optionValue(args, 'signal') ?? '15';
  const signal = parseSignal(raw);
  if (signal === undefined) return { error: `Value '${raw}' of option --signal is invalid\n` };
  return { whom: whom as (typeof KILL_WHOM)[number], signal };
}

export function checkKill(args: VerbArgs): string | undefined {
  const o = killOptions(args);
  return 'error' in o ? o.error : undefined;
}

export async function runKill(args: VerbArgs, deps: Deps): Promise<number> {
  const [node, unit] = args.positionals as [string, string];
  const o = killOptions(args);
  if ('error' in o) {
    deps.err(o.error);
    return EXIT_FAILURE;
  }
  try {
    await deps.client.call('KillUnit', { node, unit, whom: o.whom, signal: o.signal });
  } catch (err) {
    return failedCall(deps, err, 'Failed to issue method call for KillUnit');
  }
  return 0;
}

// ---- reset-failed ----------------------------------------------------------

async function resetNode(deps: Deps, node: string): Promise<number> {
  try {
    await deps.client.call('ResetFailed', { node });
  } catch (err) {
    deps.err(`Couldn't reset failed state of all units on node '${node}': ${errorMessage(err)}\n`);
    return EXIT_FAILURE;
  }
  return 0;
}

/**
 * No arguments: every node, one after another; a node that fails (offline, ...)
 * is reported and the others still run. A node: all its units. A node and
 * units: each unit in turn, announced by its 1-based position, stopping at
 * the first that fails, as upstream does. The exit status is the last call's.
 */
export async function runResetFailed(args: VerbArgs, deps: Deps): Promise<number> {
  const [node, ...units] = args.positionals;
  const { client } = deps;
  if (node === undefined) {
    let nodes;
    try {
      ({ nodes } = await client.call('ListNodes', {}));
    } catch (err) {
      return failedCall(deps, err);
    }
    let status = 0;
    for (const n of nodes) status = await resetNode(deps, n.name);
    return status;
  }
  if (units.length === 0) return resetNode(deps, node);
  for (const [i, unit] of units.entries()) {
    deps.out(`${i + 1} ${unit}\n`);
    try {
      await client.call('ResetFailedUnit', { node, unit });
    } catch (err) {
      return failedCall(deps, err);
    }
  }
  return 0;
}

// ---- daemon-reload ---------------------------------------------------------

export async function runDaemonReload(args: VerbArgs, deps: Deps): Promise<number> {
  const [node] = args.positionals as [string];
  try {
    await deps.client.call('Reload', { node });
  } catch (err) {
    return failedCall(deps, err);
  }
  return 0;
}

// ---- help ------------------------------------------------------------------

export const FREEZE_HELP: VerbHelp = {
  description: 'Freeze a unit on a node: its processes are suspended until it is thawed',
  usage: 'bluechictl freeze [nodename] [unitname]',
  notes: ['Freezing needs the unified cgroup hierarchy (cgroup v2); on cgroup v1 systemd refuses it.'],
  options: [HELP_OPTION],
};

export const THAW_HELP: VerbHelp = {
  description: 'Thaw a frozen unit on a node: its processes run again',
  usage: 'bluechictl thaw [nodename] [unitname]',
  options: [HELP_OPTION],
};

export const KILL_HELP: VerbHelp = {
  description: 'Send a signal to the processes of a unit on a node',
  usage: 'bluechictl kill [nodename] [unitname] [options]',
  options: [
    HELP_OPTION,
    ['--kill-whom', "which processes: all, main or control (default 'all')"],
    ['--signal', "the signal number to send, 1 to 31 (default '15', SIGTERM)"],
  ],
  examples: ['bluechictl kill worker1 httpd.service', 'bluechictl kill worker1 httpd.service --kill-whom=main --signal=9'],
};

export const RESET_FAILED_HELP: VerbHelp = {
  description: 'Clear the failed state of units',
  usage: 'bluechictl reset-failed [nodename] [unitname...]',
  notes: [
    'Without arguments, the failed state of every unit on every node is cleared.',
    'With only [nodename], that of every unit on that node.',
  ],
  options: [HELP_OPTION],
};

export const DAEMON_RELOAD_HELP: VerbHelp = {
  description: "Reload systemd's configuration on a node (systemctl daemon-reload)",
  usage: 'bluechictl daemon-reload [nodename]',
  options: [HELP_OPTION],
};
