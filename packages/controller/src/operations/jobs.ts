/**
 * Lifecycle jobs: StartUnit, StopUnit, RestartUnit and ReloadUnit queue a job
 * on a node and answer with its id once systemd accepted it; the session that
 * asked then receives the job's JobStateChanged and JobRemoved. Waiting for the
 * result is the client's thin layer on top. ListJobs and CancelJob act on any
 * job of the controller.
 */
import {
  BluechiError,
  ErrorCodes,
  JOB_METHODS,
  Messages,
  assertUnitName,
  type ApiMethods,
  type JobState,
  type ParamsOf,
  type UnitOp,
} from '@bluechi-ts/protocol';
import type { Job, JobOutcome } from '../jobs.js';
import { onlineNode } from './forward.js';
import type { ApiSession, OperationContext, OperationsFor, Services } from './context.js';

/** Jobs whose events each session receives. */
const followed = new WeakMap<ApiSession, Set<number>>();

/** Sends `session` the JobStateChanged and JobRemoved of `job` (registered before the job is queued). */
function follow(s: Services, session: ApiSession, job: Job): void {
  let ids = followed.get(session);
  if (!ids) {
    const own = new Set<number>();
    followed.set(session, (ids = own));
    const onState = (j: Job) => {
      if (own.has(j.id)) session.signal('JobStateChanged', { jobId: j.id, state: j.state as JobState });
    };
    const onRemoved = (j: Job, outcome: JobOutcome) => {
      if (!own.delete(j.id)) return;
      const error = outcome.error && { code: outcome.error.code, message: outcome.error.message };
      session.signal('JobRemoved', { jobId: j.id, node: j.node, unit: j.unit, type: j.type, result: outcome.result, ...(error ? { error } : {}) });
    };
    s.jobs.on('state', onState);
    s.jobs.on('removed', onRemoved);
    session.onClose(() => {
      s.jobs.off('state', onState);
      s.jobs.off('removed', onRemoved);
    });
  }
  ids.add(job.id);
}

/** Queues one job on a node; resolves with its id once systemd accepted it. */
export async function queueJob(
  s: Services,
  ctx: OperationContext,
  type: UnitOp,
  params: ParamsOf<typeof ApiMethods, 'StartUnit'>,
): Promise<{ jobId: number }> {
  if (s.isShuttingDown()) throw new BluechiError(ErrorCodes.SHUTTING_DOWN, Messages.shuttingDown);
  const node = onlineNode(s.registry, params.node);
  assertUnitName(params.unit);
  const method = JOB_METHODS[type];
  const job = s.jobs.create(node.name, params.unit, type);
  follow(s, ctx.session, job);
  const log = s.log.child({ node: node.name, unit: params.unit, jobId: job.id });
  log.debug(`Requesting ${method}`);
  try {
    await node.call(method, { unit: params.unit, mode: params.mode ?? 'replace', jobId: job.id });
  } catch (err) {
    s.jobs.refuse(job);
    followed.get(ctx.session)?.delete(job.id);
    log.debug({ code: (err as BluechiError).code }, `${method} refused: ${(err as Error).message}`);
    throw err;
  }
  s.jobs.accept(job);
  return { jobId: job.id };
}

export function jobOperations(s: Services): OperationsFor<'StartUnit' | 'StopUnit' | 'RestartUnit' | 'ReloadUnit' | 'ListJobs' | 'CancelJob'> {
  return {
    StartUnit: (p, ctx) => queueJob(s, ctx, 'start', p),
    StopUnit: (p, ctx) => queueJob(s, ctx, 'stop', p),
    RestartUnit: (p, ctx) => queueJob(s, ctx, 'restart', p),
    ReloadUnit: (p, ctx) => queueJob(s, ctx, 'reload', p),
    ListJobs: () => ({ jobs: s.jobs.list().map((j) => j.info()) }),
    CancelJob: async ({ jobId }, ctx) => {
      const job = s.jobs.get(jobId);
      if (!job) throw new BluechiError(ErrorCodes.NOT_FOUND, Messages.jobNotFound(jobId));
      s.log.info({ node: job.node, unit: job.unit, jobId }, `Cancelling job ${jobId} (${job.type} of ${job.unit} on ${job.node})`);
      await onlineNode(s.registry, job.node).call('JobCancel', { jobId }, { signal: ctx.signal });
      return {};
    },
  };
}
