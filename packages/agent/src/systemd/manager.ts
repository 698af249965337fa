/**
 * The agent's only way to reach systemd. One real implementation over D-Bus
 * (dbus-manager.ts, the only file that imports dbus-next) and one in-memory
 * fake (fake-manager.ts) for unit and in-process tests.
 */
import type { UnitInfo, UnitOp, UnitProperties } from '@bluechi-ts/protocol';

/** systemd's job result strings: done, canceled, timeout, failed, dependency, skipped, ... */
export type JobResult = string;

export type QueuedJob = {
  /** systemd's job object path, e.g. /org/freedesktop/systemd1/job/42 */
  jobPath: string;
  /** Settles with systemd's result once its JobRemoved signal arrives. Never rejects. */
  done: Promise<JobResult>;
};

export type UnitStateEvent = { unit: string; activeState: string; subState: string };

export interface UnitEvents {
  /** ActiveState/SubState of a loaded unit changed. */
  onStateChanged(listener: (e: UnitStateEvent) => void): () => void;
  /** systemd loaded a unit (UnitNew). */
  onUnitNew(listener: (unit: string) => void): () => void;
  /** systemd unloaded a unit (UnitRemoved). */
  onUnitRemoved(listener: (unit: string) => void): () => void;
}

/**
 * Raised for every error systemd returns. `message` is systemd's own text,
 * e.g. "Unit nosuch.service not found.", so it can be shown to users unchanged.
 */
export class SystemdError extends Error {
  constructor(
    /** D-Bus error name, e.g. org.freedesktop.systemd1.NoSuchUnit */
    readonly dbusName: string,
    message: string,
  ) {
    super(message);
    this.name = 'SystemdError';
  }
}

/** D-Bus error names both implementations use, so callers can tell failures apart. */
export const DBUS_ERRORS = {
  /** Unknown unit on start/restart/reload ("not found") or unloaded unit on stop ("not loaded"). */
  NO_SUCH_UNIT: 'org.freedesktop.systemd1.NoSuchUnit',
  /** e.g. reload of a unit without ExecReload=. */
  JOB_TYPE_NOT_APPLICABLE: 'org.freedesktop.systemd1.JobTypeNotApplicable',
  /** Invalid unit name or job mode. */
  INVALID_ARGS: 'org.freedesktop.DBus.Error.InvalidArgs',
  /** The bus connection is gone; the manager cannot be used any more. */
  DISCONNECTED: 'org.freedesktop.DBus.Error.Disconnected',
  /** No reply within the call timeout. */
  NO_REPLY: 'org.freedesktop.DBus.Error.NoReply',
} as const;

export interface SystemdManager extends UnitEvents {
  /**
   * Queues a start/stop/restart/reload job and resolves once systemd accepted it.
   * The JobRemoved waiter is registered before the call, so a fast job is never missed.
   */
  queueJob(op: UnitOp, unit: string, mode: string): Promise<QueuedJob>;
  /** All loaded units, like `systemctl list-units --all`, in systemd's order. */
  listUnits(): Promise<UnitInfo[]>;
  /**
   * Properties of a unit, loaded or not (LoadUnit is used, so an inactive unit works
   * and an unknown one reports LoadState=not-found). `iface` "" or undefined = all
   * interfaces. 64-bit integers arrive as JSON numbers (or strings beyond 2^53).
   */
  getUnitProperties(unit: string, iface?: string): Promise<UnitProperties>;
  /**
   * The bus connection was lost (never called for close()). By then every job still
   * waiting has settled with 'canceled', and every later call rejects with
   * SystemdError DBUS_ERRORS.DISCONNECTED: the manager is finished.
   */
  onDisconnect(listener: (reason: Error) => void): () => void;
  /** Releases the bus connection. Jobs still waiting settle with 'canceled'. */
  close(): Promise<void>;
}
