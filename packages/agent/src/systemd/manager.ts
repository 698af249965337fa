/**
 * The agent's only way to reach systemd. One real implementation over D-Bus
 * (dbus-manager.ts over a BusPort; only dbus-next-port.ts imports dbus-next) and
 * one in-memory fake (fake-manager.ts) for unit and in-process tests.
 *
 * Method names and semantics are systemd's Manager API (`man org.freedesktop.systemd1`).
 */
import type {
  Json,
  PropertySignatures,
  UnitFileChange,
  UnitFileInfo,
  UnitInfo,
  UnitOp,
  UnitProperties,
} from '@bluechi-ts/protocol';

/** systemd's job result strings: done, canceled, timeout, failed, dependency, skipped, ... */
export type JobResult = string;

export type QueuedJob = {
  /** systemd's job object path, e.g. /org/freedesktop/systemd1/job/42 */
  jobPath: string;
  /** Settles with systemd's result once its JobRemoved signal arrives. Never rejects. */
  done: Promise<JobResult>;
  /** Settles when systemd reports the job `running`; stays pending for a job that never ran. */
  running: Promise<void>;
};

export type UnitState = { activeState: string; subState: string };
export type UnitStateEvent = UnitState & { unit: string };

/** Properties with the D-Bus signature of each, so nothing about their types is lost. */
export type TypedProperties = { properties: UnitProperties; signatures: PropertySignatures };

/** One property with its D-Bus type; `value` is in the JSON form of the protocol's dbus-values.ts. */
export type TypedProperty = { name: string; signature: string; value: unknown };
/** An auxiliary unit of StartTransientUnit: its name and properties. */
export type AuxUnit = { name: string; properties: TypedProperty[] };
/** One property's value (JSON form of dbus-values.ts) and its D-Bus signature. */
export type TypedValue = { signature: string; value: Json };

/** One systemd PropertiesChanged signal of a unit object, any interface. */
export type UnitPropertiesEvent = TypedProperties & { unit: string; interface: string };

export interface UnitEvents {
  /**
   * ActiveState/SubState of a unit changed. A unit never seen before counts as
   * `inactive/dead`, as upstream's agent assumes, so its first real transition is reported.
   */
  onStateChanged(listener: (e: UnitStateEvent) => void): () => void;
  /** systemd loaded a unit (UnitNew). */
  onUnitNew(listener: (unit: string) => void): () => void;
  /** systemd unloaded a unit (UnitRemoved). */
  onUnitRemoved(listener: (unit: string) => void): () => void;
  /** Every PropertiesChanged of a unit object, after the state change it may carry. */
  onPropertiesChanged(listener: (e: UnitPropertiesEvent) => void): () => void;
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
  /** No such job (cancelling one that ended). */
  NO_SUCH_JOB: 'org.freedesktop.systemd1.NoSuchJob',
  /** e.g. reload of a unit without ExecReload=. */
  JOB_TYPE_NOT_APPLICABLE: 'org.freedesktop.systemd1.JobTypeNotApplicable',
  /** Invalid unit name or job mode. */
  INVALID_ARGS: 'org.freedesktop.DBus.Error.InvalidArgs',
  /** The operation is not possible on this unit or system (e.g. freezing on cgroup v1). */
  NOT_SUPPORTED: 'org.freedesktop.DBus.Error.NotSupported',
  /** A generic refusal, e.g. "No main process to kill". */
  FAILED: 'org.freedesktop.DBus.Error.Failed',
  /** The bus connection is gone; the manager cannot be used any more. */
  DISCONNECTED: 'org.freedesktop.DBus.Error.Disconnected',
  /** No reply within the call timeout. */
  NO_REPLY: 'org.freedesktop.DBus.Error.NoReply',
} as const;

/** Units: jobs, state and process control. */
export interface UnitControl {
  /**
   * Queues a start/stop/restart/reload job and resolves once systemd accepted it.
   * The JobRemoved waiter is registered before the call, so a fast job is never missed.
   */
  queueJob(op: UnitOp, unit: string, mode: string): Promise<QueuedJob>;
  /** Job.Cancel on a queued job; the job then ends with result `canceled`. */
  cancelJob(jobPath: string): Promise<void>;
  /** All loaded units, like `systemctl list-units --all`, in systemd's order. */
  listUnits(): Promise<UnitInfo[]>;
  /**
   * Properties of a unit, loaded or not (LoadUnit is used, so an inactive unit works
   * and an unknown one reports LoadState=not-found). `iface` "" or undefined = all
   * interfaces. 64-bit integers arrive as JSON numbers (or strings beyond 2^53).
   */
  getUnitProperties(unit: string, iface?: string): Promise<TypedProperties>;
  /** Properties.Get of one property of one interface on the loaded unit (LoadUnit first). */
  getUnitProperty(unit: string, iface: string, property: string): Promise<TypedValue>;
  /**
   * Manager.SetUnitProperties. A value that does not fit its signature throws
   * DbusValueError (DbusSignatureError for a bad signature) before systemd sees it.
   */
  setUnitProperties(unit: string, runtime: boolean, properties: readonly TypedProperty[]): Promise<void>;
  /**
   * Manager.StartTransientUnit, passed through; resolves with systemd's job path
   * once systemd accepted the job. Bad values throw as for setUnitProperties.
   */
  startTransientUnit(unit: string, mode: string, properties: readonly TypedProperty[], aux: readonly AuxUnit[]): Promise<string>;
  /** The state of a unit systemd has loaded right now; undefined (and nothing loaded) otherwise. */
  getLoadedUnitState(unit: string): Promise<UnitState | undefined>;
  freezeUnit(unit: string): Promise<void>;
  thawUnit(unit: string): Promise<void>;
  /** `whom`: all, main or control; `signal`: a signal number. */
  killUnit(unit: string, whom: string, signal: number): Promise<void>;
  resetFailed(): Promise<void>;
  resetFailedUnit(unit: string): Promise<void>;
}

/** Unit files, the default target and daemon-reload. */
export interface UnitFiles {
  /** Every unit file with its enablement state, in systemd's order. */
  listUnitFiles(): Promise<UnitFileInfo[]>;
  getUnitFileState(file: string): Promise<string>;
  enableUnitFiles(files: string[], runtime: boolean, force: boolean): Promise<{ carriesInstallInfo: boolean; changes: UnitFileChange[] }>;
  disableUnitFiles(files: string[], runtime: boolean): Promise<UnitFileChange[]>;
  /** systemd daemon-reload; resolves once systemd has reloaded. */
  reload(): Promise<void>;
  getDefaultTarget(): Promise<string>;
  setDefaultTarget(target: string, force: boolean): Promise<UnitFileChange[]>;
}

export interface SystemdManager extends UnitControl, UnitFiles, UnitEvents {
  /**
   * The bus connection was lost (never called for close()). By then every job still
   * waiting has settled with 'canceled', and every later call rejects with
   * SystemdError DBUS_ERRORS.DISCONNECTED: the manager is finished.
   */
  onDisconnect(listener: (reason: Error) => void): () => void;
  /** Releases the bus connection. Jobs still waiting settle with 'canceled'. */
  close(): Promise<void>;
}
