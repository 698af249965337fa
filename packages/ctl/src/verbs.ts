/**
 * Every bluechictl verb, in the order the global usage lists them (upstream's
 * order, then our additions). One row says how many positional arguments a
 * verb takes, which options it accepts (besides --help, which every verb
 * accepts), its usage texts, an argument check that runs before connecting,
 * and its handler. Verbs of one family share a handler file, chosen by name.
 */
import type { Handler, VerbArgs } from './deps.js';
import type { OptionSpec } from './options.js';
import { renderGlobalUsage, type VerbHelp } from './verbs/help.js';
import { LIFECYCLE_HELP, lifecycleHandler } from './verbs/lifecycle.js';
import { LIST_UNIT_FILES_HELP, runListUnitFiles } from './verbs/list-unit-files.js';
import { LIST_UNITS_HELP, runListUnits } from './verbs/list-units.js';
import { METRICS_HELP, runMetrics } from './verbs/metrics.js';
import { MONITOR_HELP, runMonitor } from './verbs/monitor.js';
import { LOGLEVEL_HELP, runSetLogLevel } from './verbs/set-loglevel.js';
import { STATUS_HELP, checkStatus, runStatus } from './verbs/status.js';
import {
  DAEMON_RELOAD_HELP,
  FREEZE_HELP,
  KILL_HELP,
  RESET_FAILED_HELP,
  THAW_HELP,
  checkKill,
  freezeHandler,
  runDaemonReload,
  runKill,
  runResetFailed,
} from './verbs/unit-control.js';
import {
  DISABLE_HELP,
  ENABLE_HELP,
  GET_DEFAULT_HELP,
  IS_ENABLED_HELP,
  SET_DEFAULT_HELP,
  runDisable,
  runEnable,
  runGetDefault,
  runIsEnabled,
  runSetDefault,
} from './verbs/unit-files.js';
import { runVersion } from './verbs/version.js';

export type VerbSpec = {
  name: string;
  minArgs: number;
  /** Infinity = no upper bound. */
  maxArgs: number;
  /** Long names of the options this verb accepts. */
  options: readonly string[];
  /** One line for the global usage. */
  summary: string;
  /** The usage line shown under the summary. */
  usage: string;
  /** `<verb> --help`; without it the global usage is shown. */
  help?: VerbHelp;
  /** False for verbs that never talk to the controller (help, version). */
  needsController: boolean;
  /** Left out of the global usage (helpers for shell completion). */
  hidden?: boolean;
  /** Checks option values before connecting; returns the stderr text of a refusal. */
  check?: (args: VerbArgs) => string | undefined;
  run: Handler;
};

/** Every option bluechictl knows: upstream's, then ours (--json, -o/--output, --no-block). */
export const OPTIONS: readonly OptionSpec[] = [
  { long: 'help', short: 'h', arg: 'none' },
  { long: 'filter', arg: 'required' },
  { long: 'force', short: 'f', arg: 'none' },
  { long: 'runtime', arg: 'none' },
  { long: 'no-reload', arg: 'none' },
  { long: 'watch', short: 'w', arg: 'none' },
  { long: 'kill-whom', arg: 'required' },
  { long: 'signal', arg: 'required' },
  { long: 'json', arg: 'none' },
  { long: 'output', short: 'o', arg: 'required' },
  { long: 'no-block', arg: 'none' },
];

const lifecycle = (name: 'start' | 'stop' | 'reload' | 'restart', summary: string): VerbSpec => ({
  name,
  minArgs: 2,
  maxArgs: 2,
  options: ['json', 'no-block'],
  summary,
  usage: `${name} nodename unitname [--no-block] [--json]`,
  help: LIFECYCLE_HELP,
  needsController: true,
  run: lifecycleHandler(name),
});

const freezer = (name: 'freeze' | 'thaw', summary: string, help: VerbHelp): VerbSpec => ({
  name,
  minArgs: 2,
  maxArgs: 2,
  options: [],
  summary,
  usage: `${name} nodename unitname`,
  help,
  needsController: true,
  run: freezeHandler(name),
});

export const VERBS: readonly VerbSpec[] = [
  {
    name: 'help',
    minArgs: 0,
    maxArgs: 0,
    options: [],
    summary: 'print this overview of the commands',
    usage: 'help',
    needsController: false,
    run: (_args, deps) => {
      deps.out(globalUsage());
      return 0;
    },
  },
  {
    name: 'list-unit-files',
    minArgs: 0,
    maxArgs: 1,
    options: ['filter', 'json'],
    summary: 'list the unit files installed on one node or on every online node',
    usage: 'list-unit-files [nodename] [--filter=glob] [--json]',
    help: LIST_UNIT_FILES_HELP,
    needsController: true,
    run: runListUnitFiles,
  },
  {
    name: 'list-units',
    minArgs: 0,
    maxArgs: 1,
    options: ['filter', 'json'],
    summary: 'list the systemd units loaded on one node or on every online node',
    usage: 'list-units [nodename] [--filter=glob] [--json]',
    help: LIST_UNITS_HELP,
    needsController: true,
    run: runListUnits,
  },
  lifecycle('start', 'start a unit on a node and wait until the job has finished'),
  lifecycle('stop', 'stop a unit on a node and wait until the job has finished'),
  freezer('freeze', 'freeze (suspend) the processes of a unit on a node', FREEZE_HELP),
  freezer('thaw', 'thaw (resume) a frozen unit on a node', THAW_HELP),
  lifecycle('reload', 'reload the configuration of a unit on a node and wait for the job'),
  lifecycle('restart', 'restart a unit on a node and wait until the job has finished'),
  {
    name: 'reset-failed',
    minArgs: 0,
    maxArgs: Infinity,
    options: [],
    summary: 'clear the failed state of units on every node, on one node, or of some units',
    usage: 'reset-failed [nodename [unitname...]]',
    help: RESET_FAILED_HELP,
    needsController: true,
    run: runResetFailed,
  },
  {
    name: 'kill',
    minArgs: 2,
    maxArgs: 2,
    options: ['kill-whom', 'signal'],
    summary: 'send a signal to the processes of a unit on a node',
    usage: 'kill nodename unitname [--kill-whom=all|main|control] [--signal=number]',
    help: KILL_HELP,
    needsController: true,
    check: checkKill,
    run: runKill,
  },
  {
    name: 'enable',
    minArgs: 2,
    maxArgs: Infinity,
    options: ['force', 'runtime', 'no-reload'],
    summary: 'enable unit files on a node, then reload its systemd',
    usage: 'enable nodename unitfile... [--force] [--runtime] [--no-reload]',
    help: ENABLE_HELP,
    needsController: true,
    run: runEnable,
  },
  {
    name: 'disable',
    minArgs: 2,
    maxArgs: Infinity,
    options: ['runtime', 'no-reload'],
    summary: 'disable unit files on a node, then reload its systemd',
    usage: 'disable nodename unitfile... [--runtime] [--no-reload]',
    help: DISABLE_HELP,
    needsController: true,
    run: runDisable,
  },
  {
    name: 'is-enabled',
    minArgs: 2,
    maxArgs: 2,
    options: ['json'],
    summary: 'print the enablement state of a unit file on a node',
    usage: 'is-enabled nodename unitfile [--json]',
    help: IS_ENABLED_HELP,
    needsController: true,
    run: runIsEnabled,
  },
  {
    name: 'metrics',
    minArgs: 1,
    maxArgs: 1,
    options: ['json'],
    summary: 'switch job metrics on or off, or print them as they come',
    usage: 'metrics enable|disable|listen [--json]',
    help: METRICS_HELP,
    needsController: true,
    run: runMetrics,
  },
  {
    name: 'monitor',
    minArgs: 0,
    maxArgs: 2,
    options: ['json'],
    summary: 'print unit events of some or all units on some or all nodes as they happen',
    usage: 'monitor [nodename|* [unitname,...|*]] [--json]',
    help: MONITOR_HELP,
    needsController: true,
    run: runMonitor,
  },
  {
    name: 'status',
    minArgs: 0,
    maxArgs: Infinity,
    options: ['watch', 'json', 'output'],
    summary: 'show the connection state of the nodes, or the state of units on a node',
    usage: 'status [nodename [unitname...]] [-w/--watch] [-o wide] [--json]',
    help: STATUS_HELP,
    needsController: true,
    check: checkStatus,
    run: runStatus,
  },
  {
    name: 'daemon-reload',
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: "reload systemd's configuration on a node",
    usage: 'daemon-reload nodename',
    help: DAEMON_RELOAD_HELP,
    needsController: true,
    run: runDaemonReload,
  },
  {
    name: 'set-loglevel',
    minArgs: 1,
    maxArgs: 2,
    options: [],
    summary: 'change the log level of the controller, or of the agent on a node, at run time',
    usage: 'set-loglevel [nodename] DEBUG|INFO|WARN|ERROR',
    help: LOGLEVEL_HELP,
    needsController: true,
    run: runSetLogLevel,
  },
  {
    name: 'get-default',
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: 'print the default target of a node',
    usage: 'get-default nodename',
    help: GET_DEFAULT_HELP,
    needsController: true,
    run: runGetDefault,
  },
  {
    name: 'set-default',
    minArgs: 2,
    maxArgs: 2,
    options: [],
    summary: 'set the default target of a node',
    usage: 'set-default nodename target',
    help: SET_DEFAULT_HELP,
    needsController: true,
    run: runSetDefault,
  },
  {
    name: 'version',
    minArgs: 0,
    maxArgs: 0,
    options: [],
    summary: 'print the version of bluechictl',
    usage: 'version',
    needsController: false,
    run: runVersion,
  },
];

export function findVerb(name: string): VerbSpec | undefined {
  return VERBS.find((v) => v.name === name);
}

export function globalUsage(): string {
  return renderGlobalUsage(VERBS.filter((v) => !v.hidden));
}
