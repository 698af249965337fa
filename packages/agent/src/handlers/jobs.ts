/**
 * Lifecycle jobs on the node: answered once systemd accepted the job; its
 * progress follows as JobStateChanged and JobDone under the controller's job
 * id, and (while metrics are on) AgentJobMetrics with systemd's own job time.
 */
import { BluechiError, ErrorCodes, JOB_METHODS, Messages, assertUnitName, type UnitOp } from '@bluechi-ts/protocol';
import { systemdCall, type AgentContext, type HandlersFor } from './context.js';

export function jobHandlers(c: AgentContext): HandlersFor<'StartUnit' | 'StopUnit' | 'RestartUnit' | 'ReloadUnit' | 'JobCancel'> {
  /** Controller job id -> systemd job path, while the job runs. */
  const systemdJobs = new Map<number, string>();
  const job =
    (op: UnitOp) =>
    async ({ unit, mode, jobId }: { unit: string; mode: string; jobId: number }) => {
      assertUnitName(unit);
      const method = JOB_METHODS[op];
      c.log.debug({ unit, mode, jobId }, `Request to ${method} unit ${unit}`);
      const started = performance.now();
      const queued = await systemdCall(c.systemd.queueJob(op, unit, mode));
      systemdJobs.set(jobId, queued.jobPath);
      void queued.running.then(() => {
        if (systemdJobs.has(jobId)) c.notify('JobStateChanged', { jobId, state: 'running' });
      });
      void queued.done.then((result) => {
        systemdJobs.delete(jobId);
        const micros = Math.max(1, Math.round((performance.now() - started) * 1000));
        c.log.debug({ unit, jobId, result, ms: +(micros / 1000).toFixed(1) }, `${method} job finished`);
        if (c.metrics.enabled) c.notify('AgentJobMetrics', { unit, method, systemdJobTimeUs: micros });
        c.notify('JobDone', { jobId, result });
      });
      return {};
    };
  return {
    StartUnit: job('start'),
    StopUnit: job('stop'),
    RestartUnit: job('restart'),
    ReloadUnit: job('reload'),
    JobCancel: async ({ jobId }) => {
      const path = systemdJobs.get(jobId);
      if (path === undefined) throw new BluechiError(ErrorCodes.NOT_FOUND, Messages.jobNotFound(jobId));
      c.log.debug({ jobId, path }, `Cancelling job ${jobId}`);
      await systemdCall(c.systemd.cancelJob(path));
      return {};
    },
  };
}
