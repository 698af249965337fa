/**
 * The target side of proxy services: `bluechi-dep@UNIT.service` binds to the
 * target, so starting it pulls the target in and it stops with it. A target
 * that cannot be loaded (missing, bad settings, masked) makes systemd refuse
 * the whole start transaction with its own message, e.g.
 * "Unit nosuch.service not found.", which goes back to the requesting proxy.
 */
import { depUnitName } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { systemdCall } from './handlers/context.js';
import type { SystemdManager } from './systemd/manager.js';

export async function startDep(systemd: SystemdManager, unit: string, log: Logger): Promise<void> {
  const dep = depUnitName(unit);
  log.info({ unit }, `Starting dependency ${dep}`);
  try {
    const job = await systemdCall(systemd.queueJob('start', dep, 'replace'));
    void job.done.then((result) => {
      if (result !== 'done') log.warn({ unit, result }, `Starting ${dep} ended with result '${result}'`);
    });
  } catch (err) {
    log.warn({ unit }, `Error starting dep service: ${(err as Error).message}`);
    throw err;
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
