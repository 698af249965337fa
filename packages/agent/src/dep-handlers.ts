/**
 * The target side of proxy services: `bluechi-dep@UNIT.service` binds to the
 * target, so starting it pulls the target in and it stops with it. A target
 * that cannot be loaded (missing, bad settings, masked) makes systemd refuse
 * the whole start transaction with its own message, e.g.
 * "Unit nosuch.service not found.", which goes back to the requesting proxy.
 */
import { BluechiError, ErrorCodes, depUnitName } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { SystemdError, type SystemdManager } from './systemd/manager.js';

export async function startDep(systemd: SystemdManager, unit: string, log: Logger): Promise<void> {
  const dep = depUnitName(unit);
  log.info({ unit }, `Starting dependency ${dep}`);
  try {
    const job = await systemd.queueJob('start', dep, 'replace');
    void job.done.then((result) => {
      if (result !== 'done') log.warn({ unit, result }, `Starting ${dep} ended with result '${result}'`);
    });
  } catch (err) {
    const e = err instanceof SystemdError ? new BluechiError(ErrorCodes.SYSTEMD_ERROR, err.message) : (err as Error);
    log.warn({ unit }, `Error starting dep service: ${e.message}`);
    throw e;
  }
}
export async function stopDep(systemd: SystemdManager, unit: string, log: Logger): Promise<void> {
  const dep = depUnitName(unit);
  log.info({ unit }, `Stopping dependency ${dep}`);
  try {
    await systemd.queueJob('stop', dep, 'replace');
  } catch (err) {
    // Already stopped (e.g. together with its target): nothing to do.
    log.debug({ unit }, `Stopping ${dep}: ${(err as Error).message}, ignoring`);
  }
}
