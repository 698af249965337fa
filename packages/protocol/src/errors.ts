/**
 * The one catalogue of error codes. Codes are stable strings; messages are what
 * users see. `docs/errors.md` lists every code (a test keeps the two in step).
 *
 * Every code also has the D-Bus error name BlueChi uses for the same failure
 * (reference §2), so the D-Bus adapter and bluechictl's errno texts agree. An
 * error that started in systemd keeps systemd's own D-Bus error name in
 * `data.dbusName`, e.g. `org.freedesktop.systemd1.NoSuchUnit`.
 */

export const ErrorCodes = {
  /** The frame was not valid JSON or not a frame at all. */
  MALFORMED_FRAME: 'MALFORMED_FRAME',
  /** The method or signal name is not in the catalogue for this direction. */
  UNKNOWN_METHOD: 'UNKNOWN_METHOD',
  /** The params did not match the declared schema. */
  INVALID_PARAMS: 'INVALID_PARAMS',
  /** The peer sent a result that did not match the declared schema. */
  INVALID_RESULT: 'INVALID_RESULT',
  /** The params had the right shape but a value is not acceptable (a log level, a signal number, ...). */
  INVALID_ARGS: 'INVALID_ARGS',
  /** The peer has too many requests outstanding. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** No answer arrived within the request timeout. */
  TIMEOUT: 'TIMEOUT',
  /** The caller cancelled the request. */
  CANCELLED: 'CANCELLED',
  /** The connection closed while the request was outstanding. */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** The node is configured but its agent is not connected. */
  NODE_OFFLINE: 'NODE_OFFLINE',
  /** The node name is not configured on the controller. */
  NODE_NOT_FOUND: 'NODE_NOT_FOUND',
  /** A job, monitor or subscription with that id does not exist (any more). */
  NOT_FOUND: 'NOT_FOUND',
  /** The request does not fit the current state: metrics already enabled, a monitor already closed, ... */
  INVALID_STATE: 'INVALID_STATE',
  /** Registration refused: the name is not allowed. */
  UNEXPECTED_NODE_NAME: 'UNEXPECTED_NODE_NAME',
  /** Registration refused: the name is not one the connection's client certificate vouches for. */
  NODE_IDENTITY_MISMATCH: 'NODE_IDENTITY_MISMATCH',
  /** Registration refused: another agent holds the name. */
  NODE_ALREADY_CONNECTED: 'NODE_ALREADY_CONNECTED',
  /** Registration refused: this connection already registered. */
  ALREADY_REGISTERED: 'ALREADY_REGISTERED',
  /** A proxy asked for a node outside its AllowDependenciesOn list. */
  PROXY_NOT_ALLOWED: 'PROXY_NOT_ALLOWED',
  /** A proxy service's request could not be carried out; the message says why. */
  PROXY_FAILED: 'PROXY_FAILED',
  /** The unit name is not a valid systemd unit name. */
  INVALID_UNIT_NAME: 'INVALID_UNIT_NAME',
  /** systemd refused or failed the operation; the message is systemd's own. */
  SYSTEMD_ERROR: 'SYSTEMD_ERROR',
  /** The controller is shutting down. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** Anything unexpected inside a daemon; the message says what. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * The D-Bus error name of each code, as upstream BlueChi reports the same
 * failure (reference §2.1, §2.2, §2.7). SYSTEMD_ERROR falls back to
 * `Failed` when systemd's own name is not known.
 */
export const DBUS_ERROR_NAMES: Record<ErrorCode, string> = {
  MALFORMED_FRAME: 'org.freedesktop.DBus.Error.InvalidArgs',
  UNKNOWN_METHOD: 'org.freedesktop.DBus.Error.UnknownMethod',
  INVALID_PARAMS: 'org.freedesktop.DBus.Error.InvalidArgs',
  INVALID_RESULT: 'org.freedesktop.DBus.Error.Failed',
  INVALID_ARGS: 'org.freedesktop.DBus.Error.InvalidArgs',
  TOO_MANY_REQUESTS: 'org.freedesktop.DBus.Error.LimitsExceeded',
  TIMEOUT: 'org.freedesktop.DBus.Error.NoReply',
  CANCELLED: 'org.freedesktop.DBus.Error.Failed',
  CONNECTION_CLOSED: 'org.freedesktop.DBus.Error.Disconnected',
  NODE_OFFLINE: 'org.eclipse.bluechi.Offline',
  NODE_NOT_FOUND: 'org.freedesktop.DBus.Error.UnknownObject',
  NOT_FOUND: 'org.freedesktop.DBus.Error.Failed',
  INVALID_STATE: 'org.freedesktop.DBus.Error.InconsistentMessage',
  UNEXPECTED_NODE_NAME: 'org.freedesktop.DBus.Error.ServiceUnknown',
  NODE_IDENTITY_MISMATCH: 'org.freedesktop.DBus.Error.AccessDenied',
  NODE_ALREADY_CONNECTED: 'org.freedesktop.DBus.Error.AddressInUse',
  ALREADY_REGISTERED: 'org.freedesktop.DBus.Error.AddressInUse',
  PROXY_NOT_ALLOWED: 'org.freedesktop.DBus.Error.AccessDenied',
  PROXY_FAILED: 'org.eclipse.bluechi.ActivationFailed',
  INVALID_UNIT_NAME: 'org.freedesktop.DBus.Error.InvalidArgs',
  SYSTEMD_ERROR: 'org.freedesktop.DBus.Error.Failed',
  SHUTTING_DOWN: 'org.freedesktop.DBus.Error.Failed',
  INTERNAL: 'org.freedesktop.DBus.Error.Failed',
};

/** Extra facts an error carries across the wire. */
export type ErrorData = {
  /** The D-Bus error name of the failure at its source (systemd's, for SYSTEMD_ERROR). */
  dbusName?: string;
};

export type WireError = { code: ErrorCode; message: string; data?: ErrorData };

export class BluechiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: ErrorData = {},
  ) {
    super(message);
    this.name = 'BluechiError';
  }

  /** The D-Bus error name: the source's own when known, else the code's. */
  get dbusName(): string {
    return this.data.dbusName ?? DBUS_ERROR_NAMES[this.code];
  }

  toWire(): WireError {
    return this.data.dbusName === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: { dbusName: this.data.dbusName } };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}

/** Wraps anything thrown into a BluechiError without losing an existing code. */
export function toBluechiError(err: unknown, fallback: ErrorCode = ErrorCodes.INTERNAL): BluechiError {
  if (err instanceof BluechiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BluechiError(fallback, message);
}

export const Messages = {
  nodeOffline: 'Node is offline',
  unknownNodeObject: (objectPath: string) => `Unknown object '${objectPath}'.`,
  unexpectedNodeName: 'Unexpected node name',
  alreadyConnected: 'The node is already connected',
  cancelledDueToShutdown: 'cancelled due to shutdown',
  shuttingDown: 'Request not allowed: node is in shutdown state',
  invalidLogLevel: 'Invalid input for log level',
  metricsAlreadyEnabled: 'Metrics already enabled',
  metricsAlreadyDisabled: 'Metrics already disabled',
  monitorNotFound: (id: number) => `Monitor '${id}' not found`,
  monitorAlreadyClosed: 'Monitor already closed',
  subscriptionNotFound: (id: number) => `Subscription '${id}' not found`,
  jobNotFound: (id: number) => `No job with ID '${id}' found`,
  nodeNotFound: 'Node not found',
  invalidPeerName: (name: string) => `Invalid peer name '${name}': not a unique bus name`,
  peerIsOwner: 'The owner of a monitor cannot be its peer',
  peerAlreadyAdded: (name: string) => `Peer '${name}' already added`,
  peerNotFound: (id: number) => `Peer '${id}' not found`,
  monitorClosedReason: 'monitor closed',
  alreadyConnectedToController: 'Failed to switch controller because already connected to the controller',
} as const;
