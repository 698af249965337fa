/**
 * What the bus side (bus.ts) reports, and how each report becomes an
 * observation for the decision (decision.ts). Failed reads are worded as
 * upstream words them: `Failed to get property: ` and the strerror() text of
 * the errno sd-bus derives from the D-Bus error name (../format/errno.ts), e.g.
 * `Invalid request descriptor` for an object that does not exist and
 * `No route to host` for a bus name nobody owns.
 */
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { errnoTextFor } from '../format/errno.js';
import type { Observation } from './decision.js';
import type { StatusTarget } from './targets.js';

export type BusEvent =
  /** The Status property's value, from a read or a PropertiesChanged signal. */
  | { kind: 'status'; value: unknown }
  /** Reading Status failed with this D-Bus error. */
  | { kind: 'read-failed'; dbusName: string }
  /** The component's bus name lost its owner. */
  | { kind: 'owner-lost' }
  /** ControllerAddress changed on the watched object. */
  | { kind: 'address-changed' }
  /** The system bus could not be reached, or the connection to it was lost; `errno` as Node reports it, when known. */
  | { kind: 'bus-failed'; errno: string | undefined; connected: boolean };

/** strerror() of the errno sd-bus would derive from a D-Bus error name (or `System.Error.<ERRNO>`). */
export function strerrorOfDbusName(dbusName: string): string {
  return errnoTextFor(new BluechiError(ErrorCodes.INTERNAL, dbusName, { dbusName }));
}

export function observationOf(event: BusEvent, target: StatusTarget): Observation | undefined {
  switch (event.kind) {
    case 'status':
      return { kind: 'status', online: event.value === target.onlineValue };
    case 'read-failed':
      return { kind: 'unreadable', reason: `Failed to get property: ${strerrorOfDbusName(event.dbusName)}` };
    case 'owner-lost':
      return { kind: 'vanished' };
    case 'address-changed':
      return target.reportsSwitches ? { kind: 'switch' } : undefined;
    case 'bus-failed': {
      const why = event.errno === undefined ? '' : `: ${strerrorOfDbusName(`System.Error.${event.errno}`)}`;
      return { kind: 'unreadable', reason: event.connected ? `Lost the connection to the system bus${why}` : `Failed to connect to the system bus${why}` };
    }
  }
}
