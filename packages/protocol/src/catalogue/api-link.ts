/**
 * The API link (newline-delimited JSON on /run/bluechi/api.sock): what
 * bluechictl, or any local client, may ask of the controller, and the signals
 * the controller sends back on the same connection. A connection is a session:
 * the monitors it creates, the jobs it starts and what it watches end with it.
 *
 * Method names follow upstream's public D-Bus API (reference §2); where upstream
 * addresses a node by its object path, these take a `node` parameter.
 */
import { array, boolean, empty, object, optional, string } from '../schema.js';
import { method, signal, type MethodTable, type SignalTable } from './spec.js';
import {
  ChangesResult,
  EnableResult,
  JobInfoSchema,
  NodeInfoSchema,
  PropertiesResult,
  PropertiesSchema,
  SignaturesSchema,
  TypedValueResult,
  UnitFileSchema,
  UnitInfoSchema,
  unitRowsShape,
  unitFields,
  auxUnits,
  dbusInterface,
  jobId,
  jobMethod,
  jobMode,
  jobState,
  killWhom,
  micros,
  nodeName,
  nodePattern,
  nodeRef,
  objectId,
  propertyName,
  signalNumber,
  stateName,
  typedProperties,
  unitEventReason,
  unitFileName,
  unitName,
  unitOp,
  unitPattern,
} from './shapes.js';

/** One node's part of a ListUnitRows answer. */
const NodeUnitRowsSchema = object({ node: nodeRef, ...unitRowsShape });

/** A job request: answered with the controller's job id once systemd queued the job. */
const unitJob = method(object({ node: nodeRef, unit: unitName, mode: optional(jobMode) }), object({ jobId }));
const nodeUnit = method(object({ node: nodeRef, unit: unitName }), empty);
const nodeOnly = method(object({ node: nodeRef }), empty);
const unitFiles = array(unitFileName, { min: 1, max: 1024 });
const monitorId = objectId;
const subscriptionId = objectId;

/** Requests an API client sends to the controller. */
export const ApiMethods = {
  Version: method(empty, object({ version: string({ max: 128 }) })),
  /** Every configured node, online or not, in configuration order. */
  ListNodes: method(empty, object({ nodes: array(NodeInfoSchema) })),
  /** The node's object path; NODE_NOT_FOUND "Node not found" for a name that is not configured. */
  GetNode: method(object({ node: nodeRef }), object({ path: string({ max: 255 }) })),
  /** From now on this session receives NodeStatusChanged for every node. */
  WatchNodes: method(empty, empty),

  // ---- jobs ----------------------------------------------------------------
  /**
   * Queues a lifecycle job on a node. The reply carries the job id; this session
   * then receives the job's JobStateChanged and JobRemoved signals (JobRemoved
   * may arrive before the reply, so listen first).
   */
  StartUnit: unitJob,
  StopUnit: unitJob,
  RestartUnit: unitJob,
  ReloadUnit: unitJob,
  /** Jobs queued and not finished yet, oldest first. */
  ListJobs: method(empty, object({ jobs: array(JobInfoSchema) })),
  /** Asks the node to cancel the job; it then ends through JobRemoved (result `canceled`). */
  CancelJob: method(object({ jobId }), empty),

  // ---- units ---------------------------------------------------------------
  /** Units of one node, or of every online node when `node` is absent. */
  ListUnits: method(
    object({ node: optional(nodeRef) }),
    object({ nodes: array(object({ node: nodeRef, units: array(UnitInfoSchema, { max: 200_000 }) })) }),
  ),
  /**
   * The units of one node, or of every online node when `node` is absent, as
   * compact rows of the fields asked for (see UnitRowsSchema), filtered by the
   * glob `filter` on the nodes themselves. Without `streamId` the reply holds
   * every node's rows. With it, each node's rows are sent as a `UnitRows`
   * signal carrying that id as soon as the node answers, and the reply, sent
   * after the last of them, holds no rows but `order`: the nodes that
   * answered, in the controller's node order.
   */
  ListUnitRows: method(
    object({ node: optional(nodeRef), fields: unitFields, filter: optional(unitPattern), streamId: optional(objectId) }),
    object({ nodes: array(NodeUnitRowsSchema), order: optional(array(nodeRef)) }),
  ),
  GetUnitProperties: method(object({ node: nodeRef, unit: unitName, interface: optional(dbusInterface) }), PropertiesResult),
  GetUnitProperty: method(object({ node: nodeRef, unit: unitName, interface: dbusInterface, property: propertyName }), TypedValueResult),
  SetUnitProperties: method(object({ node: nodeRef, unit: unitName, runtime: boolean(), properties: typedProperties }), empty),
  /** systemd's StartTransientUnit on the node; answers with systemd's job path there (no controller job). */
  StartTransientUnit: method(
    object({ node: nodeRef, unit: unitName, mode: jobMode, properties: typedProperties, aux: auxUnits }),
    object({ jobPath: string({ max: 2048 }) }),
  ),
  FreezeUnit: nodeUnit,
  ThawUnit: nodeUnit,
  KillUnit: method(object({ node: nodeRef, unit: unitName, whom: killWhom, signal: signalNumber }), empty),
  /** Resets the failed state of every unit on the node. */
  ResetFailed: nodeOnly,
  ResetFailedUnit: nodeUnit,

  // ---- unit files ----------------------------------------------------------
  /** Unit files of one node, or of every online node when `node` is absent. */
  ListUnitFiles: method(
    object({ node: optional(nodeRef) }),
    object({ nodes: array(object({ node: nodeRef, unitFiles: array(UnitFileSchema, { max: 200_000 }) })) }),
  ),
  GetUnitFileState: method(object({ node: nodeRef, file: unitFileName }), object({ state: stateName })),
  EnableUnitFiles: method(object({ node: nodeRef, files: unitFiles, runtime: boolean(), force: boolean() }), EnableResult),
  DisableUnitFiles: method(object({ node: nodeRef, files: unitFiles, runtime: boolean() }), ChangesResult),
  /** systemd daemon-reload on the node. */
  Reload: nodeOnly,
  GetDefaultTarget: method(object({ node: nodeRef }), object({ target: unitName })),
  SetDefaultTarget: method(object({ node: nodeRef, target: unitName, force: boolean() }), ChangesResult),

  // ---- logging -------------------------------------------------------------
  /** The controller's log level, or the node agent's when `node` is given: DEBUG, INFO, WARN or ERROR. */
  SetLogLevel: method(object({ node: optional(nodeRef), level: string({ max: 64 }) }), empty),

  // ---- monitors ------------------------------------------------------------
  /** A monitor owned by this session: its events arrive as Unit* signals with its id. */
  CreateMonitor: method(empty, object({ monitorId, path: string({ max: 255 }) })),
  /** `node` and `unit` may be `*`. An unconfigured node is accepted and yields nothing. */
  Subscribe: method(object({ monitorId, node: nodePattern, unit: unitPattern }), object({ subscriptionId })),
  SubscribeList: method(
    object({ monitorId, node: nodePattern, units: array(unitPattern, { min: 1, max: 4096 }) }),
    object({ subscriptionId }),
  ),
  Unsubscribe: method(object({ monitorId, subscriptionId }), empty),
  CloseMonitor: method(object({ monitorId }), empty),
  /**
   * Another client of the same API receives this monitor's events too.
   * `peer` is its client name (a D-Bus unique name `:x.y`); the owner itself,
   * a duplicate or a malformed name is refused with INVALID_ARGS.
   */
  AddPeer: method(object({ monitorId, peer: string({ max: 255 }) }), object({ peerId: objectId })),
  /** Stops delivery to a peer; it receives PeerRemoved with `reason` first. */
  RemovePeer: method(object({ monitorId, peerId: objectId, reason: string({ max: 4096 }) }), empty),

  // ---- metrics -------------------------------------------------------------
  EnableMetrics: method(empty, empty),
  DisableMetrics: method(empty, empty),
  /** From now on this session receives StartUnitJobMetrics and AgentJobMetrics. */
  WatchMetrics: method(empty, empty),
} satisfies MethodTable;

const monitorEvent = { monitorId, node: nodeName, unit: unitPattern };

/** Signals the controller sends to an API client. */
export const ApiSignals = {
  /** A node came online or went offline (after WatchNodes). */
  NodeStatusChanged: signal(object({ node: nodeName, status: stateName })),
  /** A job this session started moved from `waiting` to `running`. */
  JobStateChanged: signal(object({ jobId, state: jobState })),
  /**
   * A job this session started ended: `result` is systemd's job result, or
   * `cancelled due to shutdown`. When the node dropped, `error` says so.
   */
  JobRemoved: signal(
    object({
      jobId,
      node: nodeName,
      unit: unitName,
      type: unitOp,
      result: stateName,
      error: optional(object({ code: string({ max: 64 }), message: string({ max: 4096 }) })),
    }),
  ),
  UnitNew: signal(object({ ...monitorEvent, reason: unitEventReason })),
  UnitRemoved: signal(object({ ...monitorEvent, reason: unitEventReason })),
  UnitStateChanged: signal(object({ ...monitorEvent, activeState: stateName, subState: stateName, reason: unitEventReason })),
  UnitPropertiesChanged: signal(
    object({ ...monitorEvent, interface: dbusInterface, properties: PropertiesSchema, signatures: SignaturesSchema }),
  ),
  /** One node's part of a streamed ListUnitRows answer (see there), tagged with the request's `streamId`. */
  UnitRows: signal(object({ streamId: objectId, node: nodeRef, ...unitRowsShape })),
  /** This client was a peer of a monitor and no longer is (`monitor closed` when the monitor closed). */
  PeerRemoved: signal(object({ monitorId, reason: string({ max: 4096 }) })),
  /**
   * A start job finished while metrics were on: the controller's wall time from
   * the request to the job's end, and the unit's time in `activating` as systemd
   * recorded it (ActiveEnterTimestampMonotonic - InactiveExitTimestampMonotonic).
   */
  StartUnitJobMetrics: signal(
    object({ node: nodeName, jobId, jobPath: string({ max: 255 }), unit: unitName, jobMeasuredTimeUs: micros, unitStartPropTimeUs: micros }),
  ),
  /** systemd's own time for one lifecycle job on a node, as the agent measured it. */
  AgentJobMetrics: signal(object({ node: nodeName, unit: unitName, method: jobMethod, systemdJobTimeUs: micros })),
} satisfies SignalTable;
