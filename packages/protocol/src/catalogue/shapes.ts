/**
 * Values both links carry: names, units, nodes, unit files, jobs and the
 * property dictionaries of systemd, each with its size limits.
 */
import { array, boolean, integer, json, literal, object, optional, record, string, table, type Infer } from '../schema.js';
import { NODE_NAME_MAX, UNIT_NAME_MAX } from '../unit-name.js';

/** A name a node registers with, or is known by. */
export const nodeName = string({ min: 1, max: NODE_NAME_MAX });
/**
 * A node named in a request. It may be empty: the controller answers an
 * unknown name, empty or not, as upstream does ("Unknown object
 * '/org/eclipse/bluechi/node/_'."), not with a schema refusal.
 */
export const nodeRef = string({ max: NODE_NAME_MAX });
/**
 * Unit names are checked against systemd's rules by the receiver, so an empty
 * or malformed one gets systemd's own wording; here only the size.
 */
export const unitName = string({ max: UNIT_NAME_MAX + 64 });
/** A node name, or `*` for every configured node. */
export const nodePattern = nodeRef;
/** A unit name, or `*` for every unit. */
export const unitPattern = unitName;
/** A unit file name (`foo.service`) or path (`/etc/systemd/system/foo.service`); systemd judges it. */
export const unitFileName = string({ max: 4096 });
export const jobId = integer({ min: 1, max: 0xffffffff });
export const proxyId = integer({ min: 1, max: 0xffffffff });
/** Monitor and subscription ids: controller-wide, never reused while it runs. */
export const objectId = integer({ min: 1, max: 0xffffffff });
export const stateName = string({ max: 64 });
export const dbusInterface = string({ max: 255 });
/** Microseconds, as systemd counts them. */
export const micros = integer({ min: 0 });

export const jobMode = literal(
  'replace',
  'fail',
  'isolate',
  'ignore-dependencies',
  'ignore-requirements',
  'replace-irreversibly',
  'flush',
);

export const UnitOps = ['start', 'stop', 'restart', 'reload'] as const;
export type UnitOp = (typeof UnitOps)[number];
export const unitOp = literal(...UnitOps);

/** The systemd method behind each operation; bluechictl prints it in its result line. */
export const JOB_METHODS = {
  start: 'StartUnit',
  stop: 'StopUnit',
  restart: 'RestartUnit',
  reload: 'ReloadUnit',
} as const satisfies Record<UnitOp, string>;
export type JobMethod = (typeof JOB_METHODS)[UnitOp];
export const jobMethod = literal('StartUnit', 'StopUnit', 'RestartUnit', 'ReloadUnit');

/** systemd's job states; BlueChi's Job.State mirrors them. */
export const jobState = literal('waiting', 'running');
export type JobState = Infer<typeof jobState>;

export const unitEventReason = literal('real', 'virtual');
export type UnitEventReason = Infer<typeof unitEventReason>;

/** Who `KillUnit` signals: every process, the main one, or the control process. */
export const killWhom = literal('all', 'main', 'control');

/** Signal numbers bluechictl accepts (`--signal=N`). */
export const signalNumber = integer({ min: 1, max: 64 });

/** systemd's ListUnits row. */
export const UnitInfoSchema = object({
  name: string({ max: 1024 }),
  description: string({ max: 4096 }),
  loadState: stateName,
  activeState: stateName,
  subState: stateName,
  following: string({ max: 1024 }),
  unitPath: string({ max: 2048 }),
  jobId: integer({ min: 0 }),
  jobType: stateName,
  jobPath: string({ max: 2048 }),
});
export type UnitInfo = Infer<typeof UnitInfoSchema>;

/** The fields of a UnitInfo, in systemd's ListUnits order. */
export const UNIT_FIELDS = [
  'name',
  'description',
  'loadState',
  'activeState',
  'subState',
  'following',
  'unitPath',
  'jobId',
  'jobType',
  'jobPath',
] as const satisfies ReadonlyArray<keyof UnitInfo>;
export type UnitField = (typeof UNIT_FIELDS)[number];
/** The fields a caller of ListUnitRows wants, in the order of the row's cells. */
export const unitFields = array(literal(...UNIT_FIELDS), { min: 1, max: UNIT_FIELDS.length });

/**
 * One node's units as rows: the cells of the fields asked for (strings, `jobId`
 * a number), only the units whose name matched the filter, and the widest
 * value of each field over ALL the node's units in bytes of UTF-8 (what
 * bluechictl pads its columns to, filtered rows included), with the number
 * of units.
 */
export const unitRowsShape = {
  rows: table({ maxRows: 200_000, maxCell: 4096 }),
  widths: array(integer({ min: 0, max: 1 << 20 }), { max: UNIT_FIELDS.length }),
  total: integer({ min: 0 }),
};
export const UnitRowsSchema = object(unitRowsShape);
export type UnitRows = Infer<typeof UnitRowsSchema>;

/** systemd's ListUnitFiles row: the file's full path and its enablement state. */
export const UnitFileSchema = object({
  path: string({ max: 4096 }),
  state: stateName,
});
export type UnitFileInfo = Infer<typeof UnitFileSchema>;

/**
 * One change systemd made to unit file symlinks: `type` is `symlink` or
 * `unlink` (or another of systemd's change types), `destination` is empty for
 * an unlink.
 */
export const UnitFileChangeSchema = object({
  type: stateName,
  file: string({ max: 4096 }),
  destination: string({ max: 4096 }),
});
export type UnitFileChange = Infer<typeof UnitFileChangeSchema>;
export const unitFileChanges = array(UnitFileChangeSchema, { max: 4096 });

/** Unit properties as plain JSON (64-bit integers are converted at the agent's edge). */
export const PropertiesSchema = record(json(), { maxKeys: 2048 });
export type UnitProperties = Infer<typeof PropertiesSchema>;

/** The D-Bus type signature of each property in a PropertiesSchema value, e.g. `s`, `t`, `as`. */
export const SignaturesSchema = record(string({ max: 255 }), { maxKeys: 2048 });
export type PropertySignatures = Infer<typeof SignaturesSchema>;

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

/** A controller job, as `ListJobs` shows it (reference §2.3). */
export const JobInfoSchema = object({
  id: jobId,
  node: nodeName,
  unit: unitName,
  type: unitOp,
  state: jobState,
  /** Milliseconds since the epoch when the controller accepted the request. */
  createdAt: integer({ min: 0 }),
});
export type JobInfo = Infer<typeof JobInfoSchema>;

/** A unit's properties as read on its node, with the node's clock at the time. */
export const PropertiesResult = object({
  properties: PropertiesSchema,
  signatures: optional(SignaturesSchema),
  /** The node's realtime clock when the properties were read, in µs since the epoch. */
  timestamp: optional(micros),
});

/** How a unit file operation went: systemd's own reply. */
export const EnableResult = object({ carriesInstallInfo: boolean(), changes: unitFileChanges });
export const ChangesResult = object({ changes: unitFileChanges });

/**
 * One D-Bus property with its type, as in an `a(sv)` list systemd takes
 * (SetUnitProperties, StartTransientUnit): `value` is in the JSON form of
 * `dbus-values.ts` for `signature`.
 */
export const TypedPropertySchema = object({ name: string({ min: 1, max: 255 }), signature: string({ min: 1, max: 255 }), value: json() });
export type TypedProperty = Infer<typeof TypedPropertySchema>;
export const typedProperties = array(TypedPropertySchema, { max: 1024 });
/** An auxiliary unit of StartTransientUnit: its name and properties (`a(sa(sv))`). */
export const AuxUnitSchema = object({ name: unitName, properties: typedProperties });
export const auxUnits = array(AuxUnitSchema, { max: 64 });
/** One property's value in the JSON form of `dbus-values.ts`, with its D-Bus type. */
export const TypedValueResult = object({ signature: string({ min: 1, max: 255 }), value: json() });
export const propertyName = string({ min: 1, max: 255 });
