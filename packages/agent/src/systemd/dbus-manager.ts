/**
 * The real SystemdManager: systemd's Manager API on the system bus.
 *
 * Two layers:
 *   BusPort            a connection that can call methods and delivers signals; it
 *                      rejects every pending call when the connection closes or a
 *                      call times out. The dbus-next one is in dbus-next-port.ts.
 *   DbusSystemdManager the Manager logic over any BusPort: job waiters, state
 *                      events, property conversion. Tests drive it with a fake port.
 *
 * Signals come from five broad match rules added once per connection (JobRemoved,
 * UnitNew, UnitRemoved, and PropertiesChanged of org.freedesktop.systemd1.Unit under
 * the unit path namespace), never from per-unit proxies: dbus-next never removes
 * match rules, and the bus allows 2048 per connection.
 */
import type { UnitInfo, UnitOp, UnitProperties } from '@bluechi-ts/protocol';
import {
  DBUS_ERRORS,
  SystemdError,
  type JobResult,
  type QueuedJob,
  type SystemdManager,
  type UnitStateEvent,
} from './manager.js';
import { DbusNextPort, openSystemBus, type DbusOptions } from './dbus-next-port.js';
import { UNIT_PATH_PREFIX, unitNameFromPath } from './unit-path.js';
import { propertiesToJson } from './variant.js';

const SYSTEMD = 'org.freedesktop.systemd1';
const SYSTEMD_PATH = '/org/freedesktop/systemd1';
const MANAGER_IFACE = 'org.freedesktop.systemd1.Manager';
const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
const PROPS_IFACE = 'org.freedesktop.DBus.Properties';

const JOB_METHOD: Record<UnitOp, string> = {
  start: 'StartUnit',
  stop: 'StopUnit',
  restart: 'RestartUnit',
  reload: 'ReloadUnit',
};

export const MATCH_RULES: readonly string[] = [
  ...['JobRemoved', 'UnitNew', 'UnitRemoved'].map(
    (m) => `type='signal',sender='${SYSTEMD}',path='${SYSTEMD_PATH}',interface='${MANAGER_IFACE}',member='${m}'`,
  ),
  `type='signal',sender='${SYSTEMD}',path_namespace='${UNIT_PATH_PREFIX.slice(0, -1)}',` +
    `interface='${PROPS_IFACE}',member='PropertiesChanged',arg0='${UNIT_IFACE}'`,
];

export type BusSignal = { path: string; iface: string; member: string; body: unknown[] };
export type BusCall = BusSignal & { dest: string; signature: string };

/** A bus connection as the manager needs it. Errors are always SystemdError. */
export interface BusPort {
  /** Resolves with the reply's body. */
  call(c: BusCall): Promise<unknown[]>;
  onSignal(listener: (s: BusSignal) => void): void;
  /** Called once when the connection is gone, whoever closed it. */
  onClose(listener: (reason: Error) => void): void;
  close(): Promise<void>;
}

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

export class DbusSystemdManager implements SystemdManager {
  /** Job path -> resolvers; several when systemd merged our jobs into one. */
  private readonly waiters = new Map<string, Array<(r: JobResult) => void>>();
  /** One per queueJob call in flight: JobRemoved results seen before its reply. */
  private readonly early = new Set<Map<string, JobResult>>();
  private readonly lastState = new Map<string, { activeState?: string; subState?: string }>();
  private readonly stateListeners = new Set<Listener<UnitStateEvent>>();
  private readonly newListeners = new Set<Listener<string>>();
  private readonly removedListeners = new Set<Listener<string>>();
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

  async queueJob(op: UnitOp, unit: string, mode: string): Promise<QueuedJob> {
    const early = new Map<string, JobResult>();
    this.early.add(early);
    try {
      const [jobPath] = (await this.managerCall(JOB_METHOD[op], 'ss', [unit, mode])) as [string];
      return { jobPath, done: this.waitForJob(jobPath, early.get(jobPath)) };
    } finally {
      this.early.delete(early);
    }
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

  async getUnitProperties(unit: string, iface = ''): Promise<UnitProperties> {
    const [path] = (await this.managerCall('LoadUnit', 's', [unit])) as [string];
    const [dict] = await this.port.call({
      dest: SYSTEMD, path, iface: PROPS_IFACE, member: 'GetAll', signature: 's', body: [iface],
    });
    return propertiesToJson(dict);
  }

  onStateChanged(listener: Listener<UnitStateEvent>): () => void {
    return subscribe(this.stateListeners, listener);
  }
  onUnitNew(listener: Listener<string>): () => void {
    return subscribe(this.newListeners, listener);
  }
  onUnitRemoved(listener: Listener<string>): () => void {
    return subscribe(this.removedListeners, listener);
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
    return new Promise((resolve) => {
      const list = this.waiters.get(jobPath);
      if (list) list.push(resolve);
      else this.waiters.set(jobPath, [resolve]);
    });
  }

  private handleSignal(s: BusSignal): void {
    if (s.iface === MANAGER_IFACE && s.path === SYSTEMD_PATH) {
      if (s.member === 'JobRemoved') {
        const [, jobPath, , result] = s.body as [number, string, string, string];
        const list = this.waiters.get(jobPath);
        if (list) {
          this.waiters.delete(jobPath);
          for (const resolve of list) resolve(result);
        } else {
          for (const e of this.early) e.set(jobPath, result);
        }
      } else if (s.member === 'UnitNew') {
        emit(this.newListeners, String(s.body[0]));
      } else if (s.member === 'UnitRemoved') {
        const unit = String(s.body[0]);
        this.lastState.delete(unit);
        emit(this.removedListeners, unit);
      }
      return;
    }
    if (s.iface === PROPS_IFACE && s.member === 'PropertiesChanged' && s.body[0] === UNIT_IFACE) {
      const unit = unitNameFromPath(s.path);
      if (unit !== undefined) this.handleUnitChange(unit, propertiesToJson(s.body[1]));
    }
  }

  private handleUnitChange(unit: string, changed: Record<string, unknown>): void {
    const { ActiveState, SubState } = changed;
    if (typeof ActiveState !== 'string' && typeof SubState !== 'string') return;
    const prev = this.lastState.get(unit) ?? {};
    const next = {
      activeState: typeof ActiveState === 'string' ? ActiveState : prev.activeState,
      subState: typeof SubState === 'string' ? SubState : prev.subState,
    };
    this.lastState.set(unit, next);
    if (next.activeState === undefined || next.subState === undefined) return;
    if (next.activeState === prev.activeState && next.subState === prev.subState) return;
    emit(this.stateListeners, { unit, activeState: next.activeState, subState: next.subState });
  }

  private handleClose(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const list of this.waiters.values()) for (const resolve of list) resolve('canceled');
    this.waiters.clear();
    if (!this.closing) emit(this.disconnectListeners, reason);
  }
}

/** Connects to systemd on the system bus and subscribes to its signals. */
export async function connectSystemd(opts: DbusOptions = {}): Promise<SystemdManager> {
  const bus = await openSystemBus(opts.connectTimeoutMs ?? 10_000);
  const manager = new DbusSystemdManager(new DbusNextPort(bus, opts.callTimeoutMs ?? 25_000));
  try {
    await manager.init();
  } catch (err) {
    await manager.close();
    throw err;
  }
  return manager;
}
