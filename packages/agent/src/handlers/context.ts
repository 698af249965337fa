/**
 * What the agent's request handlers share: the local systemd, the unit watch,
 * a way to signal the controller, the logger, and the metrics switch.
 */
import {
  BluechiError,
  DbusSignatureError,
  DbusValueError,
  ErrorCodes,
  type AgentMethods,
  type LogLevel,
  type MethodHandler,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { SystemdError, type SystemdManager } from '../systemd/manager.js';
import type { AgentNotify, UnitWatch } from '../unit-watch.js';

export type AgentContext = {
  systemd: SystemdManager;
  watch: UnitWatch;
  notify: AgentNotify;
  log: Logger;
  /** AgentJobMetrics are sent while this is on (EnableMetrics / DisableMetrics). */
  metrics: { enabled: boolean };
  /** Told the new level after the controller's SetLogLevel changed it. */
  onLogLevel?: (level: LogLevel) => void;
};

type Methods = typeof AgentMethods;

/** A handler for each of the given methods of the agent link. */
export type HandlersFor<K extends keyof Methods> = { [M in K]: MethodHandler<Methods, M> };

/**
 * systemd's errors as the controller sees them: SYSTEMD_ERROR with systemd's
 * own text, and its D-Bus error name in `data.dbusName`. A value that does not
 * fit its D-Bus type never reached systemd: INVALID_ARGS, saying which and why.
 */
export function systemdCall<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    if (err instanceof SystemdError) throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, err.message, { dbusName: err.dbusName });
    if (err instanceof DbusValueError || err instanceof DbusSignatureError) throw new BluechiError(ErrorCodes.INVALID_ARGS, err.message);
    throw err;
  });
}
