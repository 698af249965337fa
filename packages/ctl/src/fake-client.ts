/**
 * An in-memory controller for the CLI's tests, behind the same typed
 * `call(method, params)` and `on(signal)` as the real client: nodes in config
 * order, units and properties per node, unit files, job results, and the same
 * errors the real controller returns (unknown node, offline node, unknown
 * unit). Any method can be overridden in `handlers`, any signal sent with
 * `emit`. Also a Deps builder that records stdout/stderr.
 */
import { EventEmitter } from 'node:events';
import {
  BluechiError,
  ErrorCodes,
  Messages,
  nodeObjectPath,
  type ApiMethods,
  type ApiSignals,
  type NodeInfo,
  type ParamsOf,
  type ResultOf,
  type SignalParamsOf,
  type UnitFileInfo,
  type UnitInfo,
  type UnitField,
  type UnitProperties,
  unitRows,
} from '@bluechi-ts/protocol';
import type { ApiMethod, ApiSignal, Clock, CtlClient, Deps } from './deps.js';

export function unitInfo(name: string, activeState = 'active', subState = 'running'): UnitInfo {
  return {
    name,
    description: name,
    loadState: 'loaded',
    activeState,
    subState,
    following: '',
    unitPath: `/org/freedesktop/systemd1/unit/${name}`,
    jobId: 0,
    jobType: '',
    jobPath: '/',
  };
}

export function nodeInfo(name: string, status: 'online' | 'offline' = 'online', extra: Partial<NodeInfo> = {}): NodeInfo {
  return { name, status, peerIp: '', lastSeen: status === 'online' ? 1 : 0, connectedSince: 0, ...extra };
}

export type Call = { method: string; params: unknown };

type Methods = typeof ApiMethods;
export type FakeHandlers = {
  [M in ApiMethod]?: (params: ParamsOf<Methods, M>) => ResultOf<Methods, M> | Promise<ResultOf<Methods, M>>;
};

export class FakeClient implements CtlClient {
  nodes: NodeInfo[] = [];
  readonly units = new Map<string, UnitInfo[]>();
  readonly unitFiles = new Map<string, UnitFileInfo[]>();
  /** Keyed by `node/unit`; a unit without an entry reports LoadState=not-found. */
  readonly properties = new Map<string, UnitProperties>();
  /** Keyed by `op node/unit` (op: start, stop, ...); default `done`. */
  readonly jobResults = new Map<string, string>();
  /** Overrides of the built-in behaviour, by method. */
  readonly handlers: FakeHandlers = {};
  /** When set, the next call of that method fails with this error. */
  readonly failNext = new Map<ApiMethod, BluechiError>();
  readonly calls: Call[] = [];
  closed = false;
  private nextJob = 1;
  private readonly signals = new EventEmitter().setMaxListeners(0);
  private readonly closeListeners: Array<() => void> = [];

  async call<M extends ApiMethod>(method: M, params: ParamsOf<Methods, M>): Promise<ResultOf<Methods, M>> {
    this.calls.push({ method, params });
    if (this.closed) throw new BluechiError(ErrorCodes.CONNECTION_CLOSED, 'Connection to the controller closed');
    const fail = this.failNext.get(method);
    if (fail) {
      this.failNext.delete(method);
      throw fail;
    }
    const override = this.handlers[method] as ((p: unknown) => unknown) | undefined;
    if (override) return (await override(params)) as ResultOf<Methods, M>;
    return this.builtIn(method, params as Record<string, unknown>) as ResultOf<Methods, M>;
  }

  on<S extends ApiSignal>(signal: S, listener: (params: SignalParamsOf<typeof ApiSignals, S>) => void): () => void {
    this.signals.on(signal, listener);
    return () => this.signals.off(signal, listener);
  }

  /** Sends a signal to the listeners, as the controller would. */
  emit<S extends ApiSignal>(signal: S, params: SignalParamsOf<typeof ApiSignals, S>): void {
    this.signals.emit(signal, params);
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** The connection ends (the verb closes it, or the controller goes away). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners.splice(0)) l();
  }

  calledMethods(): string[] {
    return this.calls.map((c) => c.method);
  }

  private onlineNode(name: string): NodeInfo {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.unknownNodeObject(nodeObjectPath(name)));
    if (node.status !== 'online') throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
    return node;
  }

  private builtIn(method: ApiMethod, p: Record<string, unknown>): unknown {
    const node = p.node as string;
    const unit = p.unit as string;
    switch (method) {
      case 'ListNodes':
        return { nodes: this.nodes.map((n) => ({ ...n })) };
      case 'ListUnits':
        if (node !== undefined) {
          this.onlineNode(node);
          return { nodes: [{ node, units: this.units.get(node) ?? [] }] };
        }
        return { nodes: this.nodes.filter((n) => n.status === 'online').map((n) => ({ node: n.name, units: this.units.get(n.name) ?? [] })) };
      case 'ListUnitRows': {
        // As the controller: each node's rows as a UnitRows signal when a streamId is given.
        const names = node !== undefined ? [this.onlineNode(node).name] : this.nodes.filter((n) => n.status === 'online').map((n) => n.name);
        const parts = names.map((name) => ({ node: name, ...unitRows(this.units.get(name) ?? [], p.fields as UnitField[], p.filter as string | undefined) }));
        const streamId = p.streamId as number | undefined;
        if (streamId === undefined) return { nodes: parts };
        for (const part of parts) this.emit('UnitRows', { streamId, ...part });
        return { nodes: [], order: names };
      }
      case 'ListUnitFiles':
        if (node !== undefined) {
          this.onlineNode(node);
          return { nodes: [{ node, unitFiles: this.unitFiles.get(node) ?? [] }] };
        }
        return { nodes: this.nodes.filter((n) => n.status === 'online').map((n) => ({ node: n.name, unitFiles: this.unitFiles.get(n.name) ?? [] })) };
      case 'GetUnitProperties':
        this.onlineNode(node);
        return {
          properties: this.properties.get(`${node}/${unit}`) ?? { Id: unit, LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' },
          timestamp: 0,
        };
      case 'StartUnit':
      case 'StopUnit':
      case 'RestartUnit':
      case 'ReloadUnit':
        return this.job(method, node, unit);
      case 'CreateMonitor':
        return { monitorId: 1, path: '/org/eclipse/bluechi/monitor/1' };
      case 'Subscribe':
      case 'SubscribeList':
        return { subscriptionId: 2 };
      case 'Version':
        return { version: 'fake' };
      default:
        if (node !== undefined) this.onlineNode(node);
        return {};
    }
  }

  /** Queues a job and reports its result a moment later, as JobRemoved. */
  private job(method: 'StartUnit' | 'StopUnit' | 'RestartUnit' | 'ReloadUnit', node: string, unit: string): { jobId: number } {
    this.onlineNode(node);
    const known = (this.units.get(node) ?? []).some((u) => u.name === unit);
    if (!known) throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, `Unit ${unit} not found.`);
    const type = ({ StartUnit: 'start', StopUnit: 'stop', RestartUnit: 'restart', ReloadUnit: 'reload' } as const)[method];
    const jobId = this.nextJob++;
    const result = this.jobResults.get(`${type} ${node}/${unit}`) ?? 'done';
    setImmediate(() => {
      if (result !== 'hang') this.emit('JobRemoved', { jobId, node, unit, type, result });
    });
    return { jobId };
  }
}

export type Recorder = {
  deps: Deps;
  stdout(): string;
  stderr(): string;
  /** The abort controller behind stopSignal(). */
  stop: AbortController;
  /** How many times a verb slept. */
  ticks(): number;
  /** How many connections the verb opened itself (reconnects). */
  connects(): number;
};

export type RecorderOptions = {
  offsetMinutes?: number;
  colour?: boolean;
  /** Runs at the n-th sleep (1-based), e.g. to change the fake's state or to abort. */
  onTick?: (n: number, stop: AbortController) => void;
  /** Serves deps.connect() (reconnects); default: refuse. */
  connect?: () => Promise<CtlClient>;
  now?: number;
};

/** Deps writing into strings. */
export function recordingDeps(client: CtlClient, opts: RecorderOptions = {}): Recorder {
  let stdout = '';
  let stderr = '';
  let ticks = 0;
  let connects = 0;
  const stop = new AbortController();
  const clock: Clock = {
    now: () => opts.now ?? 0,
    offsetMinutes: () => opts.offsetMinutes ?? 0,
    sleep: async () => {
      ticks++;
      opts.onTick?.(ticks, stop);
    },
  };
  return {
    deps: {
      client,
      connect: async () => {
        connects++;
        if (!opts.connect) throw new Error('no controller');
        return opts.connect();
      },
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      clock,
      stopSignal: () => stop.signal,
      colour: opts.colour ?? false,
    },
    stdout: () => stdout,
    stderr: () => stderr,
    stop,
    ticks: () => ticks,
    connects: () => connects,
  };
}
