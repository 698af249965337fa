/**
 * Serves the controller's requests with the local systemd: one handler for
 * every method of the agent link, by family (jobs, units, transient units,
 * unit files), plus unit subscriptions, proxy dependencies, log level and
 * metrics.
 */
import {
  BluechiError,
  ErrorCodes,
  Messages,
  assertUnitName,
  isLogLevel,
  type AgentMethods,
} from '@bluechi-ts/protocol';
import { setLogLevel } from '@bluechi-ts/protocol/logging';
import { startDep, stopDep } from '../dep-handlers.js';
import { ALL_UNITS } from '../unit-watch.js';
import { systemdCall, type AgentContext, type HandlersFor } from './context.js';
import { jobHandlers } from './jobs.js';
import { transientUnitHandlers } from './transient-units.js';
import { unitFileHandlers } from './unit-files.js';
import { unitHandlers } from './units.js';

export type { AgentContext } from './context.js';

/** Every method has a handler: adding one to the catalogue without serving it fails to compile. */
export type AgentHandlers = HandlersFor<keyof typeof AgentMethods>;

export function agentHandlers(c: AgentContext): AgentHandlers {
  const { systemd, watch, log } = c;
  const unitOrAll = (unit: string) => {
    if (unit !== ALL_UNITS) assertUnitName(unit);
  };
  return {
    ...jobHandlers(c),
    ...unitHandlers(c),
    ...transientUnitHandlers(c),
    ...unitFileHandlers(c),
    Subscribe: async ({ unit }) => {
      unitOrAll(unit);
      await systemdCall(watch.subscribe(unit));
      return {};
    },
    Unsubscribe: ({ unit }) => {
      unitOrAll(unit);
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
    SetLogLevel: ({ level }) => {
      if (!isLogLevel(level)) throw new BluechiError(ErrorCodes.INVALID_ARGS, Messages.invalidLogLevel);
      log.info(`Log level set to ${level}`);
      setLogLevel(log, level);
      c.onLogLevel?.(level);
      return {};
    },
    EnableMetrics: () => {
      if (!c.metrics.enabled) log.info('Metrics enabled');
      c.metrics.enabled = true;
      return {};
    },
    DisableMetrics: () => {
      if (c.metrics.enabled) log.info('Metrics disabled');
      c.metrics.enabled = false;
      return {};
    },
  };
}
