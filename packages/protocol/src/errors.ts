/**
 * The one catalogue of error codes. Codes are stable strings; messages are what
 * users see. `docs/errors.md` lists every code (a test keeps the two in step).
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
  /** Registration refused: the name is not allowed. */
  UNEXPECTED_NODE_NAME: 'UNEXPECTED_NODE_NAME',
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

export class BluechiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BluechiError';
  }

  toWire(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
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
} as const;
