/**
 * The agent link (WebSocket): what the controller and an agent say to each
 * other. Names follow upstream's internal interfaces
 * `org.eclipse.bluechi.internal.Agent` and `...internal.Controller`
 * (reference §2.7), which in turn follow systemd's Manager methods.
 */
import { array, boolean, empty, integer, object, optional, string } from '../schema.js';
import { method, signal, type MethodTable, type SignalTable } from './spec.js';
import {
  ChangesResult,
  EnableResult,
  PropertiesResult,
  PropertiesSchema,
  SignaturesSchema,
  UnitFileSchema,
  TypedValueResult,
  UnitInfoSchema,
  UnitRowsSchema,
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
  propertyName,
  proxyId,
  signalNumber,
  stateName,
  typedProperties,
  unitEventReason,
  unitFileName,
  unitName,
  unitPattern,
} from './shapes.js';

const unitJob = method(object({ unit: unitName, mode: jobMode, jobId }), empty);
const unitOnly = method(object({ unit: unitName }), empty);
const unitFiles = array(unitFileName, { min: 1, max: 1024 });

/** Requests the controller sends to an agent. */
export const AgentMethods = {
  /**
   * Lifecycle jobs: answered once systemd accepted the job; the result follows as
   * JobDone under the controller's job id, the state as JobStateChanged.
   */
  StartUnit: unitJob,
  StopUnit: unitJob,
  RestartUnit: unitJob,
  ReloadUnit: unitJob,
  /** Cancels the systemd job behind a controller job; it then ends through JobDone. */
  JobCancel: method(object({ jobId }), empty),
  ListUnits: method(empty, object({ units: array(UnitInfoSchema, { max: 200_000 }) })),
  /**
   * The loaded units as compact rows of the fields asked for, only those whose
   * name matches `filter` (a glob), with each field's widest value over all
   * units. What `bluechictl list-units` needs, at a fraction of ListUnits'
   * bytes; an agent without it answers UNKNOWN_METHOD and the controller
   * falls back to ListUnits.
   */
  ListUnitRows: method(object({ fields: unitFields, filter: optional(unitPattern) }), UnitRowsSchema),
  ListUnitFiles: method(empty, object({ unitFiles: array(UnitFileSchema, { max: 200_000 }) })),
  /** All properties of a unit (`interface` "" or absent), or of one interface. Loads the unit. */
  GetUnitProperties: method(object({ unit: unitName, interface: optional(dbusInterface) }), PropertiesResult),
  /** One property of one interface of a unit (systemd's Properties.Get on the loaded unit). */
  GetUnitProperty: method(object({ unit: unitName, interface: dbusInterface, property: propertyName }), TypedValueResult),
  /** systemd's SetUnitProperties: `runtime` keeps the change until the next reboot only. */
  SetUnitProperties: method(object({ unit: unitName, runtime: boolean(), properties: typedProperties }), empty),
  /**
   * systemd's StartTransientUnit, passed through: the reply is systemd's own
   * job path on the node (no controller job is created, as upstream).
   */
  StartTransientUnit: method(
    object({ unit: unitName, mode: jobMode, properties: typedProperties, aux: auxUnits }),
    object({ jobPath: string({ max: 2048 }) }),
  ),
  FreezeUnit: unitOnly,
  ThawUnit: unitOnly,
  KillUnit: method(object({ unit: unitName, whom: killWhom, signal: signalNumber }), empty),
  ResetFailed: method(empty, empty),
  ResetFailedUnit: unitOnly,
  EnableUnitFiles: method(object({ files: unitFiles, runtime: boolean(), force: boolean() }), EnableResult),
  DisableUnitFiles: method(object({ files: unitFiles, runtime: boolean() }), ChangesResult),
  GetUnitFileState: method(object({ file: unitFileName }), object({ state: stateName })),
  /** systemd daemon-reload. */
  Reload: method(empty, empty),
  GetDefaultTarget: method(empty, object({ target: unitName })),
  SetDefaultTarget: method(object({ target: unitName, force: boolean() }), ChangesResult),
  /** DEBUG, INFO, WARN or ERROR; anything else is refused with INVALID_ARGS. */
  SetLogLevel: method(object({ level: string({ max: 64 }) }), empty),
  /**
   * Report this unit's events (`*`: every unit's). For a loaded unit the agent
   * first sends a virtual UnitNew and UnitStateChanged with its current state.
   * Subscriptions are counted: each Subscribe needs its own Unsubscribe.
   */
  Subscribe: method(object({ unit: unitPattern }), empty),
  Unsubscribe: method(object({ unit: unitPattern }), empty),
  /** Send AgentJobMetrics for every lifecycle job from now on (until DisableMetrics). */
  EnableMetrics: method(empty, empty),
  DisableMetrics: method(empty, empty),
  /**
   * Start `bluechi-dep@UNIT.service` so the target runs for a proxy on another
   * node. Fails (with systemd's words) when the target cannot be loaded.
   */
  StartDep: unitOnly,
  /** Stop `bluechi-dep@UNIT.service`: no proxy needs the target any more. */
  StopDep: unitOnly,
} satisfies MethodTable;

/** Signals the agent sends to the controller. */
export const AgentSignals = {
  Heartbeat: signal(empty),
  JobDone: signal(object({ jobId, result: stateName })),
  /** systemd moved the job from `waiting` to `running`. */
  JobStateChanged: signal(object({ jobId, state: jobState })),
  /** systemd loaded a subscribed unit (real), or it was loaded at subscription time (virtual). */
  UnitNew: signal(object({ unit: unitName, reason: unitEventReason })),
  /** systemd unloaded a subscribed unit. */
  UnitRemoved: signal(object({ unit: unitName, reason: unitEventReason })),
  /** A subscribed unit changed state (real), or its state at subscription time (virtual). */
  UnitStateChanged: signal(
    object({ unit: unitName, activeState: stateName, subState: stateName, reason: unitEventReason }),
  ),
  /** systemd's PropertiesChanged for a subscribed unit, any interface, as sent. */
  UnitPropertiesChanged: signal(
    object({ unit: unitName, interface: dbusInterface, properties: PropertiesSchema, signatures: SignaturesSchema }),
  ),
  /** How long systemd took for one lifecycle job, from the call to its JobRemoved (while metrics are on). */
  AgentJobMetrics: signal(
    object({ unit: unitName, method: jobMethod, systemdJobTimeUs: micros }),
  ),
  /** A proxy service on this node was stopped or gave up; the controller releases its dependency. */
  ProxyRemoved: signal(object({ proxyId })),
} satisfies SignalTable;

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
  ProxyTargetState: signal(object({ proxyId, activeState: stateName, subState: stateName, reason: unitEventReason })),
  /** The proxy's target cannot be provided; the message says why. */
  ProxyError: signal(object({ proxyId, message: string({ max: 4096 }) })),
} satisfies SignalTable;

export const PROTOCOL_VERSION = 1;
/** Subprotocol offered on the agent WebSocket, so mismatched peers fail at upgrade. */
export const AGENT_SUBPROTOCOL = `bluechi-ts.agent.v${PROTOCOL_VERSION}`;
/**
 * Header of a 503 refusal at upgrade (too many unregistered connections): how
 * many ms the agent should wait before it tries again. The standard
 * `Retry-After` (whole seconds) is sent beside it for other clients.
 */
export const RETRY_AFTER_MS_HEADER = 'Retry-After-Ms';
/**
 * The node an agent's upgrade request speaks for, sent with its token
 * (`Authorization: Bearer TOKEN`) so the controller can check the token
 * before any message is read (docs/security.md, "Node tokens").
 */
export const NODE_NAME_HEADER = 'X-BlueChi-Node';
