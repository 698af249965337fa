/**
 * The real SystemdManager: systemd's Manager API on the system bus, over any
 * BusPort (bus-port.ts). It owns the job waiters, the unit state each
 * PropertiesChanged implies, and the conversion of D-Bus values to JSON.
 * `connectSystemd()` (dbus-next-port.ts) builds one on the real system bus.
 *
 * Signals come from a few broad match rules added once per connection
 * (JobRemoved, UnitNew, UnitRemoved, and PropertiesChanged under the unit and
 * job path namespaces), never from per-unit proxies: dbus-next never removes
 * match rules, and the bus allows 2048 per connection.
 */
import { dbusToJson, type UnitFileChange, type UnitFileInfo, type UnitInfo, type UnitOp } from '@bluechi-ts/protocol';
import type { BusPort, BusSignal } from './bus-port.js';
import {
  DBUS_ERRORS,
  SystemdError,
  type AuxUnit,
  type JobResult,
  type QueuedJob,
  type SystemdManager,
  type TypedProperties,
  type TypedProperty,
  type TypedValue,
  type UnitPropertiesEvent,
  type UnitState,
  type UnitStateEvent,
} from './manager.js';
import { auxUnitList, propertyList } from './property-list.js';
import { UNIT_PATH_PREFIX, unitNameFromPath } from './unit-path.js';
import { typedPropertiesToJson } from './variant.js';

const SYSTEMD = 'org.freedesktop.systemd1';
const SYSTEMD_PATH = '/org/freedesktop/systemd1';
const MANAGER_IFACE = 'org.freedesktop.systemd1.Manager';
const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
const JOB_IFACE = 'org.freedesktop.systemd1.Job';
const PROPS_IFACE = 'org.freedesktop.DBus.Properties';
const JOB_PATH_PREFIX = '/org/freedesktop/systemd1/job/';

const JOB_METHOD: Record<UnitOp, string> = {
  start: 'StartUnit',
  stop: 'StopUnit',
  restart: 'RestartUnit',
  reload: 'ReloadUnit',
};

/** What systemd assumes of a unit it has not reported yet. */
const UNSEEN: UnitState = { activeState: 'inactive', subState: 'dead' };

export const MATCH_RULES: readonly string[] = [
  ...['JobRemoved', 'UnitNew', 'UnitRemoved'].map(
    (m) => `type='signal',sender='${SYSTEMD}',path='${SYSTEMD_PATH}',interface='${MANAGER_IFACE}',member='${m}'`,
  ),
  ...[UNIT_PATH_PREFIX, JOB_PATH_PREFIX].map(
    (prefix) =>
      `type='signal',sender='${SYSTEMD}',path_namespace='${prefix.slice(0, -1)}',interface='${PROPS_IFACE}',member='PropertiesChanged'`,
  ),
];

type Listener<T> = (e: T) => void;

/** Calls each listener; a throwing listener is reported as uncaught, never stops the rest. */
function emit<T>(listeners: Set<Listener<T>>, e: T): void {
  for (const l of [...listeners]) {
    try {
      l(e);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

function subscribe<T>(listeners: Set<Listener<T>>, l: Listener<T>): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

type Waiters<T> = Map<string, Array<(v: T) => void>>;

/** Resolves when `settle(waiters, key, …)` is called; several waiters may share a key. */
function waitOn<T>(waiters: Waiters<T>, key: string): Promise<T> {
  return new Promise((resolve) => {
    const list = waiters.get(key);
    if (list) list.push(resolve);
    else waiters.set(key, [resolve]);
  });
}

/** Resolves and forgets every waiter of `key`. */
function settle<T>(waiters: Waiters<T>, key: string, value: T): void {
  const list = waiters.get(key);
  waiters.delete(key);
  for (const resolve of list ?? []) resolve(value);
}

function changes(rows: unknown): UnitFileChange[] {
  return (rows as unknown[][]).map((r) => ({ type: String(r[0]), file: String(r[1]), destination: String(r[2]) }));
}

/** What a queueJob call in flight may miss before systemd's reply names its job. */
type Early = { removed: Map<string, JobResult>; running: Set<string> };

export class DbusSystemdManager implements SystemdManager {
  /** Job path -> resolvers; several when systemd merged our jobs into one. */
  private readonly waiters: Waiters<JobResult> = new Map();
  /** Job path -> resolvers waiting for the job to start running. */
  private readonly runningWaiters: Waiters<void> = new Map();
  private readonly early = new Set<Early>();
  private readonly lastState = new Map<string, UnitState>();
  private readonly stateListeners = new Set<Listener<UnitStateEvent>>();
  private readonly newListeners = new Set<Listener<string>>();
  private readonly removedListeners = new Set<Listener<string>>();
  private readonly propertiesListeners = new Set<Listener<UnitPropertiesEvent>>();
  private readonly disconnectListeners = new Set<Listener<Error>>();
  private closed = false;
  private closing = false;

  constructor(private readonly port: BusPort) {
    port.onSignal((s) => this.handleSignal(s));
    port.onClose((reason) => this.handleClose(reason));
  }

  /** Adds the match rules, then subscribes to systemd's signals. Call once. */
  async init(): Promise<void> {
    const bus = { dest: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus' };
    for (const rule of MATCH_RULES) {
      await this.port.call({ ...bus, member: 'AddMatch', signature: 's', body: [rule] });
    }
    await this.managerCall('Subscribe', '', []);
  }

  // ---- units ---------------------------------------------------------------

  async queueJob(op: UnitOp, unit: string, mode: string): Promise<QueuedJob> {
    const early: Early = { removed: new Map(), running: new Set() };
    this.early.add(early);
    try {
      const [jobPath] = (await this.managerCall(JOB_METHOD[op], 'ss', [unit, mode])) as [string];
      const seen = early.removed.get(jobPath);
      return {
        jobPath,
        running: early.running.has(jobPath) ? Promise.resolve() : this.waitForRunning(jobPath, seen !== undefined),
        done: this.waitForJob(jobPath, seen),
      };
    } finally {
      this.early.delete(early);
    }
  }

  async cancelJob(jobPath: string): Promise<void> {
    await this.port.call({ dest: SYSTEMD, path: jobPath, iface: JOB_IFACE, member: 'Cancel', signature: '', body: [] });
  }

  async listUnits(): Promise<UnitInfo[]> {
    const [rows] = (await this.managerCall('ListUnits', '', [])) as [unknown[][]];
    return rows.map((r) => ({
      name: String(r[0]),
      description: String(r[1]),
      loadState: String(r[2]),
      activeState: String(r[3]),
      subState: String(r[4]),
      following: String(r[5]),
      unitPath: String(r[6]),
      jobId: Number(r[7]),
      jobType: String(r[8]),
      jobPath: String(r[9]),
    }));
  }

  async getUnitProperties(unit: string, iface = ''): Promise<TypedProperties> {
    const [path] = (await this.managerCall('LoadUnit', 's', [unit])) as [string];
    const [dict] = await this.port.call({ dest: SYSTEMD, path, iface: PROPS_IFACE, member: 'GetAll', signature: 's', body: [iface] });
    const typed = typedPropertiesToJson(dict);
    const { ActiveState, SubState, LoadState } = typed.properties;
    if (typeof ActiveState === 'string' && typeof SubState === 'string' && LoadState !== 'not-found') {
      this.lastState.set(unit, { activeState: ActiveState, subState: SubState });
    }
    return typed;
  }

  async getUnitProperty(unit: string, iface: string, property: string): Promise<TypedValue> {
    const [path] = (await this.managerCall('LoadUnit', 's', [unit])) as [string];
    const [variant] = await this.port.call({ dest: SYSTEMD, path, iface: PROPS_IFACE, member: 'Get', signature: 'ss', body: [iface, property] });
    const { signature, value } = variant as { signature: string; value: unknown };
    return { signature, value: dbusToJson(signature, value) };
  }

  async setUnitProperties(unit: string, runtime: boolean, properties: readonly TypedProperty[]): Promise<void> {
    const list = propertyList(properties, (sig, v) => this.port.variant(sig, v));
    await this.managerCall('SetUnitProperties', 'sba(sv)', [unit, runtime, list]);
  }

  async startTransientUnit(unit: string, mode: string, properties: readonly TypedProperty[], aux: readonly AuxUnit[]): Promise<string> {
    const variant = (sig: string, v: unknown) => this.port.variant(sig, v);
    const body = [unit, mode, propertyList(properties, variant), auxUnitList(aux, variant)];
    const [jobPath] = await this.managerCall('StartTransientUnit', 'ssa(sv)a(sa(sv))', body);
    return String(jobPath);
  }

  async getLoadedUnitState(unit: string): Promise<UnitState | undefined> {
    let path: string;
    try {
      [path] = (await this.managerCall('GetUnit', 's', [unit])) as [string];
    } catch (err) {
      if (err instanceof SystemdError && err.dbusName === DBUS_ERRORS.NO_SUCH_UNIT) return undefined;
      throw err;
    }
    const [dict] = await this.port.call({ dest: SYSTEMD, path, iface: PROPS_IFACE, member: 'GetAll', signature: 's', body: [UNIT_IFACE] });
    const { ActiveState, SubState } = typedPropertiesToJson(dict).properties;
    const state = { activeState: String(ActiveState ?? ''), subState: String(SubState ?? '') };
    this.lastState.set(unit, state);
    return state;
  }

  async freezeUnit(unit: string): Promise<void> {
    await this.managerCall('FreezeUnit', 's', [unit]);
  }

  async thawUnit(unit: string): Promise<void> {
    await this.managerCall('ThawUnit', 's', [unit]);
  }

  async killUnit(unit: string, whom: string, signal: number): Promise<void> {
    await this.managerCall('KillUnit', 'ssi', [unit, whom, signal]);
  }

  async resetFailed(): Promise<void> {
    await this.managerCall('ResetFailed', '', []);
  }

  async resetFailedUnit(unit: string): Promise<void> {
    await this.managerCall('ResetFailedUnit', 's', [unit]);
  }

  // ---- unit files ----------------------------------------------------------

  async listUnitFiles(): Promise<UnitFileInfo[]> {
    const [rows] = (await this.managerCall('ListUnitFiles', '', [])) as [unknown[][]];
    return rows.map((r) => ({ path: String(r[0]), state: String(r[1]) }));
  }

  async getUnitFileState(file: string): Promise<string> {
    const [state] = await this.managerCall('GetUnitFileState', 's', [file]);
    return String(state);
  }

  async enableUnitFiles(files: string[], runtime: boolean, force: boolean): Promise<{ carriesInstallInfo: boolean; changes: UnitFileChange[] }> {
    const [carries, rows] = await this.managerCall('EnableUnitFiles', 'asbb', [files, runtime, force]);
    return { carriesInstallInfo: Boolean(carries), changes: changes(rows) };
  }

  async disableUnitFiles(files: string[], runtime: boolean): Promise<UnitFileChange[]> {
    const [rows] = await this.managerCall('DisableUnitFiles', 'asb', [files, runtime]);
    return changes(rows);
  }

  async reload(): Promise<void> {
    await this.managerCall('Reload', '', []);
  }

  async getDefaultTarget(): Promise<string> {
    const [target] = await this.managerCall('GetDefaultTarget', '', []);
    return String(target);
  }

  async setDefaultTarget(target: string, force: boolean): Promise<UnitFileChange[]> {
    const [rows] = await this.managerCall('SetDefaultTarget', 'sb', [target, force]);
    return changes(rows);
  }

  // ---- events --------------------------------------------------------------

  onStateChanged(listener: Listener<UnitStateEvent>): () => void {
    return subscribe(this.stateListeners, listener);
  }
  onUnitNew(listener: Listener<string>): () => void {
    return subscribe(this.newListeners, listener);
  }
  onUnitRemoved(listener: Listener<string>): () => void {
    return subscribe(this.removedListeners, listener);
  }
  onPropertiesChanged(listener: Listener<UnitPropertiesEvent>): () => void {
    return subscribe(this.propertiesListeners, listener);
  }
  onDisconnect(listener: Listener<Error>): () => void {
    return subscribe(this.disconnectListeners, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await this.port.close();
  }

  private managerCall(member: string, signature: string, body: unknown[]): Promise<unknown[]> {
    return this.port.call({ dest: SYSTEMD, path: SYSTEMD_PATH, iface: MANAGER_IFACE, member, signature, body });
  }

  private waitForJob(jobPath: string, seen: JobResult | undefined): Promise<JobResult> {
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.closed) return Promise.resolve('canceled');
    return waitOn(this.waiters, jobPath);
  }

  private waitForRunning(jobPath: string, finished: boolean): Promise<void> {
    if (finished || this.closed) return new Promise(() => {});
    return waitOn(this.runningWaiters, jobPath);
  }

  private handleSignal(s: BusSignal): void {
    if (s.iface === MANAGER_IFACE && s.path === SYSTEMD_PATH) {
      if (s.member === 'JobRemoved') {
        const [, jobPath, , result] = s.body as [number, string, string, string];
        this.runningWaiters.delete(jobPath);
        settle(this.waiters, jobPath, result);
        // A call in flight may get this job as its own (systemd merged them).
        for (const e of this.early) e.removed.set(jobPath, result);
      } else if (s.member === 'UnitNew') {
        emit(this.newListeners, String(s.body[0]));
      } else if (s.member === 'UnitRemoved') {
        const unit = String(s.body[0]);
        this.lastState.delete(unit);
        emit(this.removedListeners, unit);
      }
      return;
    }
    if (s.iface !== PROPS_IFACE || s.member !== 'PropertiesChanged') return;
    const iface = String(s.body[0]);
    if (s.path.startsWith(JOB_PATH_PREFIX)) {
      if (iface === JOB_IFACE && typedPropertiesToJson(s.body[1]).properties.State === 'running') this.jobRunning(s.path);
      return;
    }
    const unit = unitNameFromPath(s.path);
    if (unit === undefined) return;
    const typed = typedPropertiesToJson(s.body[1]);
    if (iface === UNIT_IFACE) this.handleUnitChange(unit, typed.properties);
    emit(this.propertiesListeners, { unit, interface: iface, ...typed });
  }

  private jobRunning(jobPath: string): void {
    settle(this.runningWaiters, jobPath, undefined);
    for (const e of this.early) e.running.add(jobPath);
  }

  private handleUnitChange(unit: string, changed: Record<string, unknown>): void {
    const { ActiveState, SubState } = changed;
    if (typeof ActiveState !== 'string' && typeof SubState !== 'string') return;
    const prev = this.lastState.get(unit) ?? UNSEEN;
    const next = {
      activeState: typeof ActiveState === 'string' ? ActiveState : prev.activeState,
      subState: typeof SubState === 'string' ? SubState : prev.subState,
    };
    this.lastState.set(unit, next);
    if (next.activeState === prev.activeState && next.subState === prev.subState) return;
    emit(this.stateListeners, { unit, ...next });
  }

  private handleClose(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const list of this.waiters.values()) for (const resolve of list) resolve('canceled');
    this.waiters.clear();
    this.runningWaiters.clear();
    if (!this.closing) emit(this.disconnectListeners, reason);
  }
}
