/**
 * The seam between the D-Bus API and the bus library: what the adapter needs
 * from a connection to the system bus that owns `org.eclipse.bluechi`. The
 * dbus-next implementation is `bus-connection.ts`; tests use a fake.
 */

/** A method call addressed to us. `body` holds the library's decoded values (BigInt, Buffer, variants). */
export type BusCall = {
  /** The caller's unique name, e.g. `:1.42`. */
  sender: string;
  path: string;
  /** May be empty: D-Bus lets a caller leave the interface out. */
  iface: string;
  member: string;
  signature: string;
  body: unknown[];
};

export interface BusServer {
  /** Our own unique name. */
  readonly uniqueName: string;
  /** Installs the one handler of incoming method calls; each must be answered with reply() or error(). */
  onCall(handler: (call: BusCall) => void): void;
  reply(call: BusCall, signature: string, body: unknown[]): void;
  error(call: BusCall, name: string, text: string): void;
  /** Sends a signal; to `destination` only when given (a unicast), else to anyone who matches it. */
  emit(path: string, iface: string, member: string, signature: string, body: unknown[], destination?: string): void;
  /** `listener(name)` runs when a client's unique name leaves the bus. */
  onClientGone(listener: (uniqueName: string) => void): void;
  /** The library's variant for a value already converted for `signature`. */
  variant(signature: string, value: unknown): unknown;
  /** The connection closed under us (bus daemon restarted, ...). */
  onClose(listener: (reason: Error) => void): void;
  close(): void;
}
