/**
 * The target side of proxy services: `bluechi-dep@UNIT.service` binds to the
 * target, so starting it pulls the target in and it stops with the target.
 * A target that cannot be loaded is refused up front, in systemd's words, so
 * the requesting proxy fails with a reason instead of waiting.
 */
import { BluechiError, ErrorCodes, depUnitName } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { SystemdError, type SystemdManager } from './systemd/manager.js';

const LOAD_PROBLEM: Record<string, string> = {
  'not-found': 'not found',
  'bad-setting': 'has a bad unit file setting',
  error: 'failed to load',
  masked: 'is masked',
};

/** systemd's LoadError text, when it adds something to our wording. */
function loadErrorText(state: string, value: unknown): string {
  if (state === 'not-found') return '';
  const text = Array.isArray(value) && typeof value[1] === 'string' ? value[1].replace(/\.$/, '') : '';
  return text ? `: ${text}` : '';
}

export async function startDep(systemd: SystemdManager, unit: string, log: Logger): Promise<void> {
  const dep = depUnitName(unit);
  log.info({ unit }, `Starting dependency ${dep}`);
  try {
    const props = await systemd.getUnitProperties(unit, 'org.freedesktop.systemd1.Unit');
    const state = String(props.LoadState);
    if (state !== 'loaded') {
      const problem = LOAD_PROBLEM[state] ?? `cannot be loaded (${state})`;
      throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, `Unit ${unit} ${problem}${loadErrorText(state, props.LoadError)}.`);
    }
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
