/**
 * `bluechictl start|stop|restart|reload NODE UNIT`: runs one job through the
 * controller and waits for systemd to finish it. Exit status is 0 whatever the
 * job's result (done, failed, dependency, ...); only a failed call exits 1.
 */
import type { UnitOp } from '@bluechi-ts/protocol';
import type { Deps, Handler, VerbArgs } from '../deps.js';
import { errorMessage, exitCodeFor } from '../exit-codes.js';
import { HELP_OPTION, type VerbHelp } from './help.js';

/** The systemd method name upstream prints for each operation. */
export const METHOD_NAMES: Record<UnitOp, string> = {
  start: 'StartUnit',
  stop: 'StopUnit',
  restart: 'RestartUnit',
  reload: 'ReloadUnit',
};

export function jobResultLine(unit: string, op: UnitOp, result: string): string {
  return `Unit ${unit} ${METHOD_NAMES[op]} operation result: ${result}\n`;
}

export async function runLifecycle(op: UnitOp, args: VerbArgs, deps: Deps): Promise<number> {
  const [node, unit] = args.positionals as [string, string];
  try {
    const outcome = await deps.client.unitJob(node, unit, op);
    deps.out(jobResultLine(unit, op, outcome.result));
    return 0;
  } catch (err) {
    deps.err(`Failed to issue method call: ${errorMessage(err)}\n`);
    return exitCodeFor(err);
  }
}

export function lifecycleHandler(op: UnitOp): Handler {
  return (args, deps) => runLifecycle(op, args, deps);
}

export const LIFECYCLE_HELP: VerbHelp = {
  description: 'Run a start, stop, restart or reload job for one unit on one node',
  usage: 'bluechictl [start|stop|restart|reload] [nodename] [unitname]',
  notes: [
    'The command returns once systemd has finished the job and prints the job result',
    '(done, failed, dependency, canceled, ...). The exit status is 0 whenever the job ran,',
    'whatever its result; it is 1 when the controller refused the request.',
  ],
  options: [HELP_OPTION],
  examples: [
    'bluechictl start worker1 httpd.service',
    'bluechictl stop worker1 httpd.service',
    'bluechictl restart worker1 httpd.service',
    'bluechictl reload worker1 httpd.service',
  ],
};
