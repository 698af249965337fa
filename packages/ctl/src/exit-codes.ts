/**
 * How failures surface to the user: the one mapping from errors to exit codes,
 * and the errno text upstream bluechictl shows for a failed unit status call.
 */
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';

export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;

/**
 * bluechictl's exit status: 0 when every call succeeded, 1 for any failure
 * (argument errors, connection errors, and errors returned by the controller).
 * A finished job exits 0 whatever systemd's job result was; that is not an error.
 */
export function exitCodeFor(err: unknown): number {
  return err === undefined || err === null ? EXIT_SUCCESS : EXIT_FAILURE;
}

/** The user-facing text of any error: the controller's message, unchanged. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when the link to the controller is gone, so retrying is pointless. */
export function isConnectionLost(err: unknown): boolean {
  return err instanceof BluechiError && err.code === ErrorCodes.CONNECTION_CLOSED;
}

/**
 * strerror() of the errno sd-bus derives from the D-Bus error upstream gets for
 * the same failure, e.g. `Invalid request descriptor` (EBADR) for an unknown node
 * object and `Input/output error` (EIO) for BlueChi's own error names.
 */
export function errnoTextFor(err: unknown): string {
  if (!(err instanceof BluechiError)) return 'Input/output error';
  switch (err.code) {
    case ErrorCodes.NODE_NOT_FOUND:
      return 'Invalid request descriptor';
    case ErrorCodes.INVALID_UNIT_NAME:
    case ErrorCodes.INVALID_PARAMS:
      return 'Invalid argument';
    case ErrorCodes.TIMEOUT:
      return 'Connection timed out';
    case ErrorCodes.CONNECTION_CLOSED:
      return 'Connection reset by peer';
    default:
      return 'Input/output error';
  }
}
