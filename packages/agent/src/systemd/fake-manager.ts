/**
 * An in-memory SystemdManager for unit and in-process tests. It copies the parts
 * of systemd 252 the agent can observe: its error names and texts, job results,
 * the ActiveState/SubState steps a job walks through, PropertiesChanged signals,
 * freezing, killing, reset-failed, reading and writing single properties,
 * transient units (loaded, then started like any unit; fake-unit-properties.ts
 * has the rules), and (fake-unit-files.ts) unit files.
 * Every job settles on a timer (`jobDelayMs`, default 0), never synchronously,
 * unless a test makes it hang.
 *
 * Not modelled: dependencies, job merging and replacement (each call gets its
 * own job), garbage collection of inactive units.
 */
import { isValidUnitName, type UnitFileChange, type UnitFileInfo, type UnitInfo, type UnitOp } from '@bluechi-ts/protocol';
import { FakeUnitFiles, type FakeUnitFileOptions } from './fake-unit-files.js';
import { UNIT_EXISTS, UNKNOWN_PROPERTY, checkTransient, checkWritable, invalidTransientMode } from './fake-unit-properties.js';
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
import { unitObjectPath } from './unit-path.js';
import { signatureOf, type Json } from './variant.js';

const JOB_MODES = new Set([
  'replace', 'fail', 'isolate', 'ignore-dependencies', 'ignore-requirements',
  'replace-irreversibly', 'flush', 'triggering',
]);
const JOB_PATH_PREFIX = '/org/freedesktop/systemd1/job/';
const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
const TYPE_IFACE: Record<string, string> = {
  service: 'Service', socket: 'Socket', device: 'Device', mount: 'Mount', automount: 'Automount',
  swap: 'Swap', target: 'Target', path: 'Path', timer: 'Timer', slice: 'Slice', scope: 'Scope',
};
const NO_SUCH_PROCESS = 'org.freedesktop.systemd1.NoSuchProcess';
const UNIT_INACTIVE = 'org.freedesktop.systemd1.UnitInactive';

export type FakeUnitOptions = {
  description?: string;
  /** loaded (default), not-found, masked, error, ... */
  loadState?: string;
  activeState?: string;
  subState?: string;
  /** SubState after a successful start: running (default) or exited (oneshot, RemainAfterExit). */
  runningSubState?: string;
  /** A start ends with job result 'failed' and the unit failed/failed. */
  failing?: boolean;
  /** Has ExecReload= (default true); when false, reload is not applicable. */
  reloadable?: boolean;
  /** Jobs for this unit stay queued until releaseHungJobs() or a disconnect. */
  hang?: boolean;
  /** Properties of the unit's type interface (e.g. org.freedesktop.systemd1.Service). */
  properties?: Record<string, Json>;
  /** D-Bus signatures of some of `properties` (the others are guessed from their values). */
  signatures?: Record<string, string>;
  /** Also installs a unit file for it (see fake-unit-files.ts). */
  file?: FakeUnitFileOptions;
};

export type FakeUnit = Required<Omit<FakeUnitOptions, 'properties' | 'signatures' | 'file'>> & {
  name: string;
  properties: Record<string, Json>;
  signatures: Record<string, string>;
  freezerState: string;
  mainPid: number;
  nRestarts: number;
  result: string;
  /** Wall clock (µs) of the last ActiveState change. */
  stateChangeUs: number;
  inactiveExitMonoUs: number;
  activeEnterMonoUs: number;
};

type FakeJob = {
  id: number;
  path: string;
  op: UnitOp;
  unit: string;
  resolve: (r: JobResult) => void;
  running: () => void;
  timers: NodeJS.Timeout[];
};

export type JobCall = { op: UnitOp; unit: string; mode: string };

type Listener<T> = (e: T) => void;
type Events = {
  state: UnitStateEvent;
  unitNew: string;
  unitRemoved: string;
  properties: UnitPropertiesEvent;
  disconnect: Error;
};

let nextPid = 1000;
const monoUs = () => Math.round(performance.now() * 1000);

export class FakeSystemdManager implements SystemdManager {
  /** How long a job runs before it settles, in ms. */
  jobDelayMs = 0;
  /** Whether units can be frozen (false: cgroup v1, where systemd refuses). */
  freezerSupported = true;
  /** Every queueJob call, accepted or not, in order. */
  readonly calls: JobCall[] = [];
  /** Every other manager call, by method name, in order (e.g. ['KillUnit', 'a.service', 'main', 9]). */
  readonly managerCalls: unknown[][] = [];
  readonly unitFiles = new FakeUnitFiles();
  private readonly units = new Map<string, FakeUnit>();
  private readonly jobs = new Map<number, FakeJob>();
  private nextJobId = 1;
  private closed = false;
  private readonly listeners: { [K in keyof Events]: Set<Listener<Events[K]>> } = {
    state: new Set(),
    unitNew: new Set(),
    unitRemoved: new Set(),
    properties: new Set(),
    disconnect: new Set(),
  };

  constructor(units: Record<string, FakeUnitOptions> = {}) {
    for (const [name, opts] of Object.entries(units)) this.addUnit(name, opts);
  }

  // ---- test helpers ------------------------------------------------------

  /** Loads (or replaces) a unit and emits UnitNew for a new one. */
  addUnit(name: string, opts: FakeUnitOptions = {}): void {
    const isNew = !this.units.has(name);
    const activeState = opts.activeState ?? 'inactive';
    this.units.set(name, {
      name,
      description: opts.description ?? name,
      loadState: opts.loadState ?? 'loaded',
      activeState,
      subState: opts.subState ?? 'dead',
      runningSubState: opts.runningSubState ?? 'running',
      failing: opts.failing ?? false,
      reloadable: opts.reloadable ?? true,
      hang: opts.hang ?? false,
      properties: { ...opts.properties },
      signatures: { ...opts.signatures },
      freezerState: 'running',
      mainPid: activeState === 'active' && (opts.runningSubState ?? 'running') === 'running' ? nextPid++ : 0,
      nRestarts: 0,
      result: 'success',
      stateChangeUs: Date.now() * 1000,
      inactiveExitMonoUs: 0,
      activeEnterMonoUs: 0,
    });
    if (opts.file) this.unitFiles.install(name, opts.file);
    if (isNew) this.emit('unitNew', name);
  }

  /** Unloads a unit and emits UnitRemoved. */
  removeUnit(name: string): void {
    if (this.units.delete(name)) this.emit('unitRemoved', name);
  }

  /** A copy of the unit's current state, or undefined when it is not loaded. */
  unit(name: string): FakeUnit | undefined {
    const u = this.units.get(name);
    return u && { ...u };
  }

  setFailing(name: string, failing = true): void {
    this.mustGet(name).failing = failing;
  }

  setJobDelay(ms: number): void {
    this.jobDelayMs = ms;
  }

  /** Makes jobs for the unit hang (or not) from now on. */
  setHang(name: string, hang = true): void {
    this.mustGet(name).hang = hang;
  }

  /** A state change nobody asked for, such as a crash: updates the unit and emits. */
  setState(name: string, activeState: string, subState: string): void {
    this.transition(this.mustGet(name), activeState, subState);
  }

  /** Sends a PropertiesChanged of any interface for a unit, as systemd would. */
  changeProperties(name: string, iface: string, changed: Record<string, Json>): void {
    this.emitProperties(name, iface, changed);
  }

  /** Finishes the hung jobs of one unit (or of all units) as if they had just run. */
  releaseHungJobs(name?: string): void {
    for (const job of [...this.jobs.values()]) {
      if (name === undefined || job.unit === name) this.finish(job);
    }
  }

  /** Jobs queued and not yet settled. */
  get pendingJobs(): number {
    return this.jobs.size;
  }

  /** Loses the bus: pending jobs settle 'canceled', disconnect listeners run, later calls fail. */
  simulateDisconnect(reason: Error = new Error('Connection to the bus was lost.')): void {
    if (this.closed) return;
    this.shutDown();
    this.emit('disconnect', reason);
  }

  // ---- UnitControl -------------------------------------------------------

  async queueJob(op: UnitOp, unit: string, mode: string): Promise<QueuedJob> {
    this.calls.push({ op, unit, mode });
    this.checkOpen();
    if (!JOB_MODES.has(mode)) throw new SystemdError(DBUS_ERRORS.INVALID_ARGS, `Job mode ${mode} invalid`);
    checkName(unit);
    const u = this.units.get(unit);
    const fail = (name: string, text: string) => new SystemdError(name, text);
    if (op === 'stop') {
      if (!u) throw fail(DBUS_ERRORS.NO_SUCH_UNIT, `Unit ${unit} not loaded.`);
    } else {
      if (!u || u.loadState === 'not-found') throw fail(DBUS_ERRORS.NO_SUCH_UNIT, `Unit ${unit} not found.`);
      if (u.loadState === 'masked') throw fail('org.freedesktop.systemd1.UnitMasked', `Unit ${unit} is masked.`);
      if (u.loadState === 'bad-setting') throw fail('org.freedesktop.systemd1.BadUnitSetting', `Unit ${unit} has a bad unit file setting.`);
      if (op === 'reload' && !u.reloadable) {
        throw fail(DBUS_ERRORS.JOB_TYPE_NOT_APPLICABLE, `Job type reload is not applicable for unit ${unit}.`);
      }
    }
    return this.enqueue(op, unit);
  }

  /** A job systemd accepted: it begins on the next tick and settles after jobDelayMs. */
  private enqueue(op: UnitOp, unit: string): QueuedJob {
    const id = this.nextJobId++;
    const path = JOB_PATH_PREFIX + id;
    let resolve!: (r: JobResult) => void;
    let running!: () => void;
    const done = new Promise<JobResult>((r) => (resolve = r));
    const isRunning = new Promise<void>((r) => (running = r));
    const job: FakeJob = { id, path, op, unit, resolve, running, timers: [] };
    this.jobs.set(id, job);
    job.timers.push(
      setTimeout(() => {
        this.begin(job);
        if (!this.units.get(unit)?.hang) job.timers.push(setTimeout(() => this.finish(job), this.jobDelayMs));
      }, 0),
    );
    return { jobPath: path, done, running: isRunning };
  }

  async cancelJob(jobPath: string): Promise<void> {
    this.managerCalls.push(['CancelJob', jobPath]);
    this.checkOpen();
    const job = [...this.jobs.values()].find((j) => j.path === jobPath);
    if (!job) throw new SystemdError('org.freedesktop.DBus.Error.UnknownObject', `Unknown object '${jobPath}'.`);
    this.jobs.delete(job.id);
    job.timers.forEach(clearTimeout);
    job.resolve('canceled');
  }

  private readonly unitPaths = new Map<string, string>();

  private unitPath(name: string): string {
    let path = this.unitPaths.get(name);
    if (path === undefined) this.unitPaths.set(name, (path = unitObjectPath(name)));
    return path;
  }

  async listUnits(): Promise<UnitInfo[]> {
    this.checkOpen();
    // Like systemd, a listing costs one pass: jobs by unit looked up once, unit
    // paths escaped once per unit (systemd keeps them with the unit).
    const jobs = new Map<string, { id: number; op: string; path: string }>();
    for (const j of this.jobs.values()) if (!jobs.has(j.unit)) jobs.set(j.unit, j);
    return [...this.units.values()].map((u) => {
      const job = jobs.get(u.name);
      return {
        name: u.name,
        description: u.description,
        loadState: u.loadState,
        activeState: u.activeState,
        subState: u.subState,
        following: '',
        unitPath: this.unitPath(u.name),
        jobId: job?.id ?? 0,
        jobType: job?.op ?? '',
        jobPath: job?.path ?? '/',
      };
    });
  }

  async getUnitProperties(unit: string, iface = ''): Promise<TypedProperties> {
    this.checkOpen();
    checkName(unit);
    const u = this.units.get(unit);
    const common: Record<string, Json> = {
      Id: unit,
      Names: [unit],
      Description: u?.description ?? unit,
      LoadState: u?.loadState ?? 'not-found',
      ActiveState: u?.activeState ?? 'inactive',
      SubState: u?.subState ?? 'dead',
      FreezerState: u?.freezerState ?? 'running',
      UnitFileState: this.unitFiles.unitFileState(unit),
      StateChangeTimestamp: u?.stateChangeUs ?? 0,
      InactiveExitTimestampMonotonic: u?.inactiveExitMonoUs ?? 0,
      ActiveEnterTimestampMonotonic: u?.activeEnterMonoUs ?? 0,
      LoadError: u && u.loadState !== 'not-found' ? ['', ''] : [DBUS_ERRORS.NO_SUCH_UNIT, `Unit ${unit} not found.`],
      CanReload: u?.reloadable ?? false,
      CanFreeze: this.freezerSupported,
    };
    const typeName = TYPE_IFACE[unit.slice(unit.lastIndexOf('.') + 1)];
    const typeIface = `org.freedesktop.systemd1.${typeName}`;
    const typed: Record<string, Json> = { ...(u?.properties ?? {}) };
    if (typeName === 'Service') {
      typed.MainPID = u?.mainPid ?? 0;
      typed.NRestarts = u?.nRestarts ?? 0;
      typed.Result = u?.result ?? 'success';
    }
    const explicit = u?.signatures ?? {};
    if (iface === '') return withSignatures({ ...typed, ...common }, explicit);
    if (iface === UNIT_IFACE) return withSignatures(common);
    if (iface === typeIface) return withSignatures(typed, explicit);
    throw new SystemdError('org.freedesktop.DBus.Error.UnknownInterface', `Unknown interface '${iface}'.`);
  }

  async getUnitProperty(unit: string, iface: string, property: string): Promise<TypedValue> {
    const unknown = new SystemdError(UNKNOWN_PROPERTY, `Unknown interface ${iface} or property ${property}.`);
    if (iface === '') throw unknown;
    const { properties, signatures } = await this.getUnitProperties(unit, iface).catch((err: unknown) => {
      throw err instanceof SystemdError && err.dbusName === 'org.freedesktop.DBus.Error.UnknownInterface' ? unknown : err;
    });
    if (!Object.hasOwn(properties, property)) throw unknown;
    return { signature: signatures[property]!, value: properties[property] as Json };
  }

  async setUnitProperties(unit: string, runtime: boolean, properties: readonly TypedProperty[]): Promise<void> {
    this.managerCalls.push(['SetUnitProperties', unit, runtime, properties]);
    this.checkOpen();
    checkName(unit);
    const written = checkWritable(properties);
    const u = this.units.get(unit);
    if (!u || u.loadState === 'not-found') throw new SystemdError(DBUS_ERRORS.NO_SUCH_UNIT, `Unit ${unit} not found.`);
    if (written.description !== undefined) {
      u.description = written.description;
      this.emitProperties(unit, UNIT_IFACE, { Description: written.description });
    }
    Object.assign(u.properties, written.values);
    Object.assign(u.signatures, written.signatures);
    if (Object.keys(written.values).length > 0) {
      const typeIface = `org.freedesktop.systemd1.${TYPE_IFACE[unit.slice(unit.lastIndexOf('.') + 1)]}`;
      this.emit('properties', { unit, interface: typeIface, ...withSignatures(written.values, written.signatures) });
    }
  }

  async startTransientUnit(unit: string, mode: string, properties: readonly TypedProperty[], aux: readonly AuxUnit[]): Promise<string> {
    this.managerCalls.push(['StartTransientUnit', unit, mode, properties, aux]);
    this.checkOpen();
    if (!JOB_MODES.has(mode)) throw invalidTransientMode(mode);
    const units = [{ name: unit, properties }, ...aux].map((t) => {
      checkName(t.name);
      const written = checkWritable(t.properties);
      if (this.units.has(t.name)) throw new SystemdError(UNIT_EXISTS, `Unit ${t.name} was already loaded or has a fragment file.`);
      checkTransient(t.name, written);
      return { name: t.name, written };
    });
    for (const { name, written } of units) {
      const oneshot = written.values.Type === 'oneshot' && written.values.RemainAfterExit === true;
      this.addUnit(name, {
        ...(written.description !== undefined ? { description: written.description } : {}),
        properties: written.values,
        signatures: written.signatures,
        runningSubState: oneshot ? 'exited' : 'running',
      });
    }
    return this.enqueue('start', unit).jobPath;
  }

  async getLoadedUnitState(unit: string): Promise<UnitState | undefined> {
    this.checkOpen();
    const u = this.units.get(unit);
    return u && { activeState: u.activeState, subState: u.subState };
  }

  async freezeUnit(unit: string): Promise<void> {
    this.freezer(unit, 'frozen');
  }

  async thawUnit(unit: string): Promise<void> {
    this.freezer(unit, 'running');
  }

  async killUnit(unit: string, whom: string, signal: number): Promise<void> {
    this.managerCalls.push(['KillUnit', unit, whom, signal]);
    const u = this.loaded(unit);
    if (whom === 'control') throw new SystemdError(NO_SUCH_PROCESS, 'No control process to kill');
    if (whom === 'main' && u.mainPid === 0) throw new SystemdError(NO_SUCH_PROCESS, 'No main process to kill');
    if (u.mainPid === 0) return;
    u.mainPid = 0;
    if (signal === 9) {
      u.result = 'signal';
      this.transition(u, 'failed', 'failed');
    } else {
      this.transition(u, 'inactive', 'dead');
    }
  }

  async resetFailed(): Promise<void> {
    this.managerCalls.push(['ResetFailed']);
    this.checkOpen();
    for (const u of this.units.values()) this.clearFailed(u);
  }

  async resetFailedUnit(unit: string): Promise<void> {
    this.managerCalls.push(['ResetFailedUnit', unit]);
    this.clearFailed(this.loaded(unit));
  }

  // ---- UnitFiles -----------------------------------------------------------

  async listUnitFiles(): Promise<UnitFileInfo[]> {
    this.checkOpen();
    return this.unitFiles.list();
  }

  async getUnitFileState(file: string): Promise<string> {
    this.checkOpen();
    return this.unitFiles.state(file);
  }

  async enableUnitFiles(files: string[], runtime: boolean, force: boolean): Promise<{ carriesInstallInfo: boolean; changes: UnitFileChange[] }> {
    this.managerCalls.push(['EnableUnitFiles', files, runtime, force]);
    this.checkOpen();
    return this.unitFiles.enable(files, runtime);
  }

  async disableUnitFiles(files: string[], runtime: boolean): Promise<UnitFileChange[]> {
    this.managerCalls.push(['DisableUnitFiles', files, runtime]);
    this.checkOpen();
    return this.unitFiles.disable(files, runtime);
  }

  async reload(): Promise<void> {
    this.managerCalls.push(['Reload']);
    this.checkOpen();
    this.unitFiles.reloads++;
  }

  async getDefaultTarget(): Promise<string> {
    this.checkOpen();
    return this.unitFiles.getDefaultTarget();
  }

  async setDefaultTarget(target: string, force: boolean): Promise<UnitFileChange[]> {
    this.managerCalls.push(['SetDefaultTarget', target, force]);
    this.checkOpen();
    return this.unitFiles.setDefaultTarget(target);
  }

  // ---- events --------------------------------------------------------------

  onStateChanged(listener: Listener<UnitStateEvent>): () => void {
    return this.on('state', listener);
  }
  onUnitNew(listener: Listener<string>): () => void {
    return this.on('unitNew', listener);
  }
  onUnitRemoved(listener: Listener<string>): () => void {
    return this.on('unitRemoved', listener);
  }
  onPropertiesChanged(listener: Listener<UnitPropertiesEvent>): () => void {
    return this.on('properties', listener);
  }
  onDisconnect(listener: Listener<Error>): () => void {
    return this.on('disconnect', listener);
  }

  async close(): Promise<void> {
    if (!this.closed) this.shutDown();
  }

  // ---- job steps -----------------------------------------------------------

  /** The first step, visible while the job runs (and while it hangs). */
  private begin(job: FakeJob): void {
    const u = this.units.get(job.unit);
    if (!u) return;
    job.running();
    const active = u.activeState === 'active';
    if (job.op === 'start' && !active) this.transition(u, 'activating', 'start');
    if ((job.op === 'stop' || job.op === 'restart') && active) this.transition(u, 'deactivating', 'stop');
    if (job.op === 'reload' && active) this.transition(u, 'reloading', 'reload');
  }

  private finish(job: FakeJob): void {
    if (!this.jobs.delete(job.id)) return;
    job.timers.forEach(clearTimeout);
    const u = this.units.get(job.unit);
    job.resolve(u ? this.complete(job.op, u) : 'canceled');
  }

  /** The final state and systemd's job result. */
  private complete(op: UnitOp, u: FakeUnit): JobResult {
    switch (op) {
      case 'stop':
        if (u.activeState !== 'inactive' && u.activeState !== 'failed') this.transition(u, 'inactive', 'dead');
        u.mainPid = 0;
        return 'done';
      case 'reload':
        // systemd accepts the job, then finds the unit inactive: "Unit cannot be reloaded because it is inactive."
        if (u.activeState !== 'active' && u.activeState !== 'reloading') return 'invalid';
        this.transition(u, 'active', u.runningSubState);
        return 'done';
      case 'restart':
        if (u.activeState === 'deactivating') this.transition(u, 'inactive', 'dead');
        return this.started(u);
      case 'start':
        return u.activeState === 'active' ? 'done' : this.started(u);
    }
  }

  private started(u: FakeUnit): JobResult {
    this.transition(u, 'activating', 'start');
    if (u.failing) {
      u.result = 'exit-code';
      this.transition(u, 'failed', 'failed');
      return 'failed';
    }
    u.result = 'success';
    if (u.runningSubState === 'running') u.mainPid = nextPid++;
    this.transition(u, 'active', u.runningSubState);
    return 'done';
  }

  private transition(u: FakeUnit, activeState: string, subState: string): void {
    if (u.activeState === activeState && u.subState === subState) return;
    const changed: Record<string, Json> = { ActiveState: activeState, SubState: subState };
    if (u.activeState !== activeState) {
      u.stateChangeUs = Date.now() * 1000;
      changed.StateChangeTimestamp = u.stateChangeUs;
      if (u.activeState === 'inactive' || u.activeState === 'failed') u.inactiveExitMonoUs = monoUs();
      if (activeState === 'active') u.activeEnterMonoUs = monoUs();
    }
    u.activeState = activeState;
    u.subState = subState;
    this.emit('state', { unit: u.name, activeState, subState });
    this.emitProperties(u.name, UNIT_IFACE, changed);
  }

  private freezer(unit: string, target: 'frozen' | 'running'): void {
    this.managerCalls.push([target === 'frozen' ? 'FreezeUnit' : 'ThawUnit', unit]);
    const u = this.loaded(unit);
    if (!this.freezerSupported) throw new SystemdError(DBUS_ERRORS.NOT_SUPPORTED, `Unit '${unit}' does not support freezing.`);
    if (u.activeState !== 'active') throw new SystemdError(UNIT_INACTIVE, 'Unit is inactive.');
    if (u.freezerState === target) return;
    u.freezerState = target;
    this.emitProperties(u.name, UNIT_IFACE, { FreezerState: target });
  }

  private clearFailed(u: FakeUnit): void {
    if (u.activeState !== 'failed') return;
    u.result = 'success';
    this.transition(u, 'inactive', 'dead');
  }

  // ---- plumbing ------------------------------------------------------------

  private emitProperties(unit: string, iface: string, changed: Record<string, Json>): void {
    this.emit('properties', { unit, interface: iface, ...withSignatures(changed) });
  }

  private shutDown(): void {
    this.closed = true;
    for (const job of this.jobs.values()) {
      job.timers.forEach(clearTimeout);
      job.resolve('canceled');
    }
    this.jobs.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new SystemdError(DBUS_ERRORS.DISCONNECTED, 'Connection to the bus was lost.');
  }

  /** A loaded unit, or systemd's "not loaded" error. */
  private loaded(unit: string): FakeUnit {
    this.checkOpen();
    checkName(unit);
    const u = this.units.get(unit);
    if (!u) throw new SystemdError(DBUS_ERRORS.NO_SUCH_UNIT, `Unit ${unit} not loaded.`);
    return u;
  }

  private mustGet(name: string): FakeUnit {
    const u = this.units.get(name);
    if (!u) throw new Error(`fake systemd: no unit ${name}; addUnit() it first`);
    return u;
  }

  private on<K extends keyof Events>(kind: K, listener: Listener<Events[K]>): () => void {
    const set = this.listeners[kind] as Set<Listener<Events[K]>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<K extends keyof Events>(kind: K, e: Events[K]): void {
    for (const l of [...(this.listeners[kind] as Set<Listener<Events[K]>>)]) l(e);
  }
}

function withSignatures(properties: Record<string, Json>, explicit: Record<string, string> = {}): TypedProperties {
  const signatures: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) signatures[k] = explicit[k] ?? signatureOf(v);
  return { properties, signatures };
}

function checkName(unit: string): void {
  if (/^[^@]+@\.[a-z]+$/.test(unit)) {
    throw new SystemdError(DBUS_ERRORS.INVALID_ARGS, `Unit name ${unit} is missing the instance name.`);
  }
  if (!isValidUnitName(unit)) throw new SystemdError(DBUS_ERRORS.INVALID_ARGS, `Unit name ${unit} is not valid.`);
}
