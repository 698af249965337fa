/**
 * Serves the controller's requests with the local systemd. Lifecycle requests
 * answer once systemd accepted the job; the result follows as a JobDone signal
 * under the controller's job id.
 */
import {
  BluechiError,
  ErrorCodes,
  assertUnitName,
  type AgentMethods,
  type MethodHandlers,
  type UnitOp,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { startDep, stopDep } from './dep-handlers.js';
import { SystemdError, type SystemdManager } from './systemd/manager.js';
import type { UnitWatch } from './unit-watch.js';

export type JobReporter = (jobId: number, result: string) => void;

function systemdCall<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    if (err instanceof SystemdError) throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, err.message);
    throw err;
  });
}

export function agentHandlers(
  systemd: SystemdManager,
  watch: UnitWatch,
  reportJob: JobReporter,
  log: Logger,
): MethodHandlers<typeof AgentMethods> {
  const job = (op: UnitOp, method: string) => async ({ unit, mode, jobId }: { unit: string; mode: string; jobId: number }) => {
    assertUnitName(unit);
    log.debug({ unit, mode, jobId }, `Request to ${method} unit ${unit}`);
    const started = performance.now();
    const queued = await systemdCall(systemd.queueJob(op, unit, mode));
    void queued.done.then((result) => {
      log.debug({ unit, jobId, result, ms: +(performance.now() - started).toFixed(1) }, `${method} job finished`);
      reportJob(jobId, result);
    });
    return {};
  };
  return {
    StartUnit: job('start', 'StartUnit'),
    StopUnit: job('stop', 'StopUnit'),
    RestartUnit: job('restart', 'RestartUnit'),
    ReloadUnit: job('reload', 'ReloadUnit'),
    ListUnits: async () => ({ units: await systemdCall(systemd.listUnits()) }),
    GetUnitProperties: async ({ unit, interface: iface }) => {
      assertUnitName(unit);
      return { properties: await systemdCall(systemd.getUnitProperties(unit, iface ?? '')) };
    },
    Subscribe: async ({ unit }) => {
      assertUnitName(unit);
      await systemdCall(watch.subscribe(unit));
      return {};
    },
    Unsubscribe: ({ unit }) => {
      watch.unsubscribe(unit);
      return {};
    },
    StartDep: async ({ unit }) => {
      assertUnitName(unit);
      await startDep(systemd, unit, log);
      return {};
    },
    StopDep: async ({ unit }) => {
      assertUnitName(unit);
      await stopDep(systemd, unit, log);
      return {};
    },
  };
}
