/**
 * `bluechictl start|stop|restart|reload NODE UNIT [--no-block] [--json]`:
 * queues one job through the controller and waits for systemd to finish it.
 *
 * - Exit status 0 whatever the job's result (done, failed, dependency, ...);
 *   1 when the controller refused the request or the node dropped.
 * - `--no-block` returns as soon as the job is queued, with its id.
 * - Ctrl-C (or SIGTERM) while waiting ends bluechictl with status 130; the job
 *   goes on, and its id is printed so it can be found again.
 */
import { JOB_METHODS, type ApiSignals, type SignalParamsOf, type UnitOp } from '@bluechi-ts/protocol';
import type { Deps, Handler, VerbArgs } from '../deps.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, failedCall } from '../exit-codes.js';
import { HELP_OPTION, JSON_OPTION, type VerbHelp } from './help.js';

type JobRemoved = SignalParamsOf<typeof ApiSignals, 'JobRemoved'>;

/** How long a Ctrl-C waits for the controller to say which job it queued. */
const REPLY_GRACE_MS = 2_000;

export function jobResultLine(unit: string, op: UnitOp, result: string): string {
  return `Unit ${unit} ${JOB_METHODS[op]} operation result: ${result}\n`;
}

/** The `--json` object of a job verb; `result` is null with --no-block. */
export function jobJson(node: string, unit: string, op: UnitOp, jobId: number, result: string | null): string {
  return JSON.stringify({ node, unit, method: JOB_METHODS[op], jobId, result }, null, 2) + '\n';
}

type Outcome = { kind: 'removed'; removed: JobRemoved } | { kind: 'stopped' } | { kind: 'closed' };

export async function runLifecycle(op: UnitOp, args: VerbArgs, deps: Deps): Promise<number> {
  const [node, unit] = args.positionals as [string, string];
  const method = JOB_METHODS[op];
  const json = args.options.has('json');
  const stop = deps.stopSignal();
  const { client } = deps;

  // Results may overtake the reply that names the job: collect them from the start.
  const removed = new Map<number, JobRemoved>();
  let settle: ((o: Outcome) => void) | undefined;
  let waitingFor = 0;
  client.on('JobRemoved', (p) => {
    removed.set(p.jobId, p);
    if (p.jobId === waitingFor) settle?.({ kind: 'removed', removed: p });
  });

  const reply = client.call(method, { node, unit, mode: 'replace' });
  const queued = await Promise.race([
    reply.then((r) => ({ ok: true as const, jobId: r.jobId }), (err: unknown) => ({ ok: false as const, err })),
    new Promise<'stopped'>((resolve) => stop.addEventListener('abort', () => resolve('stopped'), { once: true })),
  ]);
  if (queued === 'stopped') {
    // The job may be queued already: learn its id before leaving.
    const late = await Promise.race([
      reply.then((r) => r.jobId, () => undefined),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), REPLY_GRACE_MS).unref()),
    ]);
    if (late === undefined) {
      deps.err(`Interrupted before the controller confirmed the ${method} job for ${unit} on ${node}\n`);
      return EXIT_INTERRUPTED;
    }
    return interrupted(deps, late, method, unit, node);
  }
  if (!queued.ok) return failedCall(deps, queued.err);
  const { jobId } = queued;
  if (args.options.has('no-block')) {
    deps.out(json ? jobJson(node, unit, op, jobId, null) : `Unit ${unit} ${method} operation queued as job ${jobId}\n`);
    return 0;
  }

  const outcome: Outcome = await new Promise<Outcome>((resolve) => {
    const known = removed.get(jobId);
    if (known) return resolve({ kind: 'removed', removed: known });
    waitingFor = jobId;
    settle = resolve;
    stop.addEventListener('abort', () => resolve({ kind: 'stopped' }), { once: true });
    client.onClose(() => resolve({ kind: 'closed' }));
  });
  switch (outcome.kind) {
    case 'stopped':
      return interrupted(deps, jobId, method, unit, node);
    case 'closed':
      deps.err(`Lost the connection to the controller while waiting for job ${jobId} (${method} of ${unit} on ${node})\n`);
      return EXIT_FAILURE;
    case 'removed': {
      const r = outcome.removed;
      if (r.error) return failedCall(deps, r.error.message);
      deps.out(json ? jobJson(node, unit, op, jobId, r.result) : jobResultLine(unit, op, r.result));
      return 0;
    }
  }
}

/** Ctrl-C after the job was queued: the job goes on, and its id is printed so it can be found again. */
function interrupted(deps: Deps, jobId: number, method: string, unit: string, node: string): number {
  deps.err(`Interrupted; job ${jobId} (${method} of ${unit} on ${node}) goes on without bluechictl waiting for it\n`);
  return EXIT_INTERRUPTED;
}

export function lifecycleHandler(op: UnitOp): Handler {
  return (args, deps) => runLifecycle(op, args, deps);
}

export const LIFECYCLE_HELP: VerbHelp = {
  description: 'Run a start, stop, restart or reload job for one unit on one node',
  usage: 'bluechictl [start|stop|restart|reload] [nodename] [unitname] [options]',
  notes: [
    'The command returns once systemd has finished the job and prints the job result',
    '(done, failed, dependency, canceled, ...). The exit status is 0 whenever the job ran,',
    'whatever its result; it is 1 when the controller refused the request.',
    'Ctrl-C stops waiting (exit status 130); the job itself goes on.',
  ],
  options: [
    HELP_OPTION,
    ['--no-block', 'return as soon as the job is queued, printing its id'],
    JSON_OPTION,
  ],
  examples: [
    'bluechictl start worker1 httpd.service',
    'bluechictl stop worker1 httpd.service',
    'bluechictl restart worker1 httpd.service --no-block',
    'bluechictl reload worker1 httpd.service --json',
  ],
};
