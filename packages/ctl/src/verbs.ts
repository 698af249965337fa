/**
 * Every bluechictl verb, in the order the global usage lists them. One row says
 * how many positional arguments a verb takes, which options it accepts (besides
 * --help, which every verb accepts), its usage texts, and its handler.
 */
import type { OptionSpec } from '@bluechi-ts/protocol';
import type { Handler } from './deps.js';
import { renderGlobalUsage, type VerbHelp } from './verbs/help.js';
import { lifecycleHandler, LIFECYCLE_HELP } from './verbs/lifecycle.js';
import { LIST_UNITS_HELP, runListUnits } from './verbs/list-units.js';
import { runStatus, STATUS_HELP } from './verbs/status.js';
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
  run: Handler;
};

/**
 * Every option bluechictl's getopt knows. Options of upstream verbs not
 * implemented here are still recognised, so using them with a verb that does not
 * take them gives upstream's "Unsupported option" error rather than a getopt one.
 */
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
];

const lifecycle = (name: 'start' | 'stop' | 'reload' | 'restart', summary: string): VerbSpec => ({
  name,
  minArgs: 2,
  maxArgs: 2,
  options: [],
  summary,
  usage: `${name} nodename unitname`,
  help: LIFECYCLE_HELP,
  needsController: true,
  run: lifecycleHandler(name),
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
  lifecycle('reload', 'reload the configuration of a unit on a node and wait for the job'),
  lifecycle('restart', 'restart a unit on a node and wait until the job has finished'),
  {
    name: 'status',
    minArgs: 0,
    maxArgs: Infinity,
    options: ['watch', 'json'],
    summary: 'show the connection state of the nodes, or the state of units on a node',
    usage: 'status [nodename [unitname...]] [-w/--watch] [--json]',
    help: STATUS_HELP,
    needsController: true,
    run: runStatus,
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
  return renderGlobalUsage(VERBS);
}
