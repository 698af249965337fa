/**
 * Every message that crosses a socket, declared once: its name, direction,
 * params schema and result schema. Two links exist:
 *
 *   agent link (WebSocket):    controller <-> agent
 *   api link   (Unix socket):  bluechictl / API client -> controller
 *
 * Wire names follow the systemd and BlueChi D-Bus member names.
 */
import {
  array,

  empty,
  integer,
  json,
  literal,
  object,
  optional,
  record,
  string,
  type Infer,
  type Schema,
} from './schema.js';
import { NODE_NAME_MAX, UNIT_NAME_MAX } from './unit-name.js';

export type MethodSpec<P = unknown, R = unknown> = { params: Schema<P>; result: Schema<R> };
export type SignalSpec<P = unknown> = { params: Schema<P> };
export type MethodTable = Record<string, MethodSpec>;
export type SignalTable = Record<string, SignalSpec>;

export type ParamsOf<T extends MethodTable, M extends keyof T> = Infer<T[M]['params']>;
export type ResultOf<T extends MethodTable, M extends keyof T> = Infer<T[M]['result']>;
export type SignalParamsOf<T extends SignalTable, S extends keyof T> = Infer<T[S]['params']>;

function method<P, R>(params: Schema<P>, result: Schema<R>): MethodSpec<P, R> {
  return { params, result };
}
function signal<P>(params: Schema<P>): SignalSpec<P> {
  return { params };
}

// ---- shared shapes -------------------------------------------------------

const nodeName = string({ min: 1, max: NODE_NAME_MAX });
/** Unit names are checked against systemd's rules by the receiver; here only the size. */
const unitName = string({ min: 1, max: UNIT_NAME_MAX + 64 });
const jobId = integer({ min: 1, max: 0xffffffff });
export const jobMode = literal(
  'replace',
  'fail',
  'isolate',
  'ignore-dependencies',
  'ignore-requirements',
  'replace-irreversibly',
  'flush',
);

export const UnitInfoSchema = object({
  name: string({ max: 1024 }),
  description: string({ max: 4096 }),
  loadState: string({ max: 64 }),
  activeState: string({ max: 64 }),
  subState: string({ max: 64 }),
  following: string({ max: 1024 }),
  unitPath: string({ max: 2048 }),
  jobId: integer({ min: 0 }),
  jobType: string({ max: 64 }),
  jobPath: string({ max: 2048 }),
});
export type UnitInfo = Infer<typeof UnitInfoSchema>;

/** Unit properties as plain JSON (64-bit integers are converted at the agent's edge). */
export const PropertiesSchema = record(json(), { maxKeys: 2048 });
export type UnitProperties = Infer<typeof PropertiesSchema>;

export const UnitOps = ['start', 'stop', 'restart', 'reload'] as const;
export type UnitOp = (typeof UnitOps)[number];
export const unitOp = literal(...UnitOps);

export const NodeInfoSchema = object({
  name: nodeName,
  status: literal('online', 'offline'),
  peerIp: string({ max: 128 }),
  /** Milliseconds since the epoch of the last heartbeat or registration; 0 = never. */
  lastSeen: integer({ min: 0 }),
  /** Milliseconds since the epoch when the node came online this time; 0 when offline. */
  connectedSince: integer({ min: 0 }),
});
export type NodeInfo = Infer<typeof NodeInfoSchema>;

// ---- agent link ----------------------------------------------------------

const unitJob = method(object({ unit: unitName, mode: jobMode, jobId }), empty);

/** Requests the controller sends to an agent. */
export const AgentMethods = {
  StartUnit: unitJob,
  StopUnit: unitJob,
  RestartUnit: unitJob,
  ReloadUnit: unitJob,
  ListUnits: method(empty, object({ units: array(UnitInfoSchema, { max: 200_000 }) })),
  GetUnitProperties: method(
    object({ unit: unitName, interface: optional(string({ max: 255 })) }),
    object({ properties: PropertiesSchema }),
  ),
  /** Report this unit's state changes (UnitStateChanged); the current state is sent at once. */
  Subscribe: method(object({ unit: unitName }), empty),
  Unsubscribe: method(object({ unit: unitName }), empty),
  /**
   * Start `bluechi-dep@UNIT.service` so the target runs for a proxy on another
   * node. Fails (with systemd's words) when the target cannot be loaded.
   */
  StartDep: method(object({ unit: unitName }), empty),
  /** Stop `bluechi-dep@UNIT.service`: no proxy needs the target any more. */
  StopDep: method(object({ unit: unitName }), empty),
} satisfies MethodTable;

export const unitEventReason = literal('real', 'virtual');

/** Signals the agent sends to the controller. */
export const AgentSignals = {
  Heartbeat: signal(empty),
  JobDone: signal(object({ jobId, result: string({ max: 64 }) })),
  /** A subscribed unit changed state (real), or its state at subscription time (virtual). */
  UnitStateChanged: signal(
    object({ unit: unitName, activeState: string({ max: 64 }), subState: string({ max: 64 }), reason: unitEventReason }),
  ),
  /** A proxy service on this node was stopped or gave up; the controller releases its dependency. */
  ProxyRemoved: signal(object({ proxyId: integer({ min: 1, max: 0xffffffff }) })),
} satisfies SignalTable;

const proxyId = integer({ min: 1, max: 0xffffffff });

/** Requests the agent sends to the controller. */
export const ControllerMethods = {
  /**
   * A proxy service on the requesting node needs `unit` on `node`. Refused at
   * once for an unknown node or one outside AllowDependenciesOn; otherwise the
   * dependency is counted and the target's state follows as ProxyTargetState.
   * Agents send it again for every live proxy after (re)connecting.
   */
  ProxyNew: method(object({ proxyId, node: nodeName, unit: unitName }), empty),
  Register: method(
    object({
      name: nodeName,
      version: optional(string({ max: 128 })),
      /** The agent's heartbeat period in ms; 0 = the agent sends none. */
      heartbeatInterval: optional(integer({ min: 0, max: 86_400_000 })),
    }),
    object({ controllerVersion: string({ max: 128 }) }),
  ),
} satisfies MethodTable;

/** Signals the controller sends to an agent. */
export const ControllerSignals = {
  Heartbeat: signal(empty),
  /**
   * The state of a proxy's target. `virtual` states are the current state at
   * subscription time, or `inactive/agent-offline` while the target node is away.
   */
  ProxyTargetState: signal(
    object({ proxyId, activeState: string({ max: 64 }), subState: string({ max: 64 }), reason: unitEventReason }),
  ),
  /** The proxy's target cannot be provided; the message says why. */
  ProxyError: signal(object({ proxyId, message: string({ max: 4096 }) })),
} satisfies SignalTable;

// ---- api link ------------------------------------------------------------

/** Requests bluechictl (or any local API client) sends to the controller. */
export const ApiMethods = {
  ListNodes: method(empty, object({ nodes: array(NodeInfoSchema) })),
  /**
   * Runs one lifecycle job on a node and answers when systemd finished it, with
   * the controller-assigned job id and systemd's job result.
   */
  UnitJob: method(
    object({ node: nodeName, unit: unitName, op: unitOp, mode: optional(jobMode) }),
    object({ jobId, result: string({ max: 64 }) }),
  ),
  /** Units of one node, or of every online node when `node` is absent. */
  ListUnits: method(
    object({ node: optional(nodeName) }),
    object({ nodes: array(object({ node: nodeName, units: array(UnitInfoSchema, { max: 200_000 }) })) }),
  ),
  GetUnitProperties: method(
    object({ node: nodeName, unit: unitName, interface: optional(string({ max: 255 })) }),
    object({ properties: PropertiesSchema }),
  ),
  Version: method(empty, object({ version: string({ max: 128 }) })),
} satisfies MethodTable;

export const ApiSignals = {} satisfies SignalTable;

export const PROTOCOL_VERSION = 1;
/** Subprotocol offered on the agent WebSocket, so mismatched peers fail at upgrade. */
export const AGENT_SUBPROTOCOL = `bluechi-ts.agent.v${PROTOCOL_VERSION}`;

