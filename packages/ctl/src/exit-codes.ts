/**
 * How failures surface to the user: the one mapping from errors to exit codes,
 * the message of an error, and (format/errno.ts) the errno text upstream
 * bluechictl shows for some failed calls.
 */
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';

export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;
/** A waiting verb interrupted by SIGINT or SIGTERM (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

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

/**
 * Writes upstream's one-line failure for a call that did not succeed,
 * `PREFIX: MESSAGE` (reference §1.2; default prefix "Failed to issue method
 * call"), to stderr and returns EXIT_FAILURE for the verb to exit with.
 */
export function failedCall(
  sink: { err(text: string): void },
  err: unknown,
  prefix = 'Failed to issue method call',
): number {
  sink.err(`${prefix}: ${errorMessage(err)}\n`);
  return EXIT_FAILURE;
}

/** True when the link to the controller is gone, so retrying is pointless. */
export function isConnectionLost(err: unknown): boolean {
  return err instanceof BluechiError && err.code === ErrorCodes.CONNECTION_CLOSED;
}

export { errnoTextFor } from './format/errno.js';
