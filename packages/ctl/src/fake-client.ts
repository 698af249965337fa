/**
 * An in-memory controller for tests: nodes in config order, units per node,
 * properties per unit, and the same errors the real controller returns
 * (unknown node, offline node, unknown unit). Also a Deps builder that records
 * stdout/stderr and drives --watch loops tick by tick.
 */
import {
  BluechiError,
  ErrorCodes,
  Messages,
  nodeObjectPath,
  type NodeInfo,
  type UnitInfo,
  type UnitOp,
  type UnitProperties,
} from '@bluechi-ts/protocol';
import type { Clock, CtlClient, Deps, JobOutcome, NodeUnits } from './deps.js';

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

export type Call = { method: string; args: unknown[] };

export class FakeClient implements CtlClient {
  nodes: NodeInfo[] = [];
  readonly units = new Map<string, UnitInfo[]>();
  /** Keyed by `node/unit`; a unit without an entry reports LoadState=not-found. */
  readonly properties = new Map<string, UnitProperties>();
  /** Keyed by `op node/unit`; default `done`. */
  readonly jobResults = new Map<string, string>();
  /** When set, the next call of that method fails with this error. */
  readonly failNext = new Map<string, BluechiError>();
  readonly calls: Call[] = [];
  closed = false;
  private nextJob = 1;

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    const fail = this.failNext.get(method);
    if (fail) {
      this.failNext.delete(method);
      throw fail;
    }
  }

  private onlineNode(name: string): NodeInfo {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.unknownNodeObject(nodeObjectPath(name)));
    if (node.status !== 'online') throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
    return node;
  }

  async listNodes(): Promise<NodeInfo[]> {
    this.record('listNodes', []);
    return this.nodes.map((n) => ({ ...n }));
  }

  async unitJob(node: string, unit: string, op: UnitOp): Promise<JobOutcome> {
    this.record('unitJob', [node, unit, op]);
    this.onlineNode(node);
    const known = (this.units.get(node) ?? []).some((u) => u.name === unit);
    if (!known) throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, `Unit ${unit} not found.`);
    return { jobId: this.nextJob++, result: this.jobResults.get(`${op} ${node}/${unit}`) ?? 'done' };
  }

  async listUnits(node?: string): Promise<NodeUnits[]> {
    this.record('listUnits', node === undefined ? [] : [node]);
    if (node !== undefined) {
      this.onlineNode(node);
      return [{ node, units: this.units.get(node) ?? [] }];
    }
    return this.nodes.filter((n) => n.status === 'online').map((n) => ({ node: n.name, units: this.units.get(n.name) ?? [] }));
  }

  async getUnitProperties(node: string, unit: string): Promise<UnitProperties> {
    this.record('getUnitProperties', [node, unit]);
    this.onlineNode(node);
    return this.properties.get(`${node}/${unit}`) ?? { Id: unit, LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' };
  }

  close(): void {
    this.closed = true;
  }
}

export type Recorder = {
  deps: Deps;
  stdout(): string;
  stderr(): string;
  /** The abort controller behind stopSignal(). */
  stop: AbortController;
  /** How many times a --watch loop slept. */
  ticks(): number;
};

/**
 * Deps writing into strings. `onTick(n)` runs at the n-th sleep of a watch loop
 * (1-based), e.g. to change the fake's state or to abort.
 */
export function recordingDeps(client: CtlClient, opts: { offsetMinutes?: number; onTick?: (n: number, stop: AbortController) => void } = {}): Recorder {
  let stdout = '';
  let stderr = '';
  let ticks = 0;
  const stop = new AbortController();
  const clock: Clock = {
    now: () => 0,
    offsetMinutes: () => opts.offsetMinutes ?? 0,
    sleep: async () => {
      ticks++;
      opts.onTick?.(ticks, stop);
    },
  };
  return {
    deps: {
      client,
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      clock,
      stopSignal: () => stop.signal,
      watchIntervalMs: 10,
    },
    stdout: () => stdout,
    stderr: () => stderr,
    stop,
    ticks: () => ticks,
  };
}
