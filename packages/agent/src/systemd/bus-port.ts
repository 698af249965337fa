/**
 * The seam under the systemd adapter: a bus connection that can call methods
 * and delivers signals. dbus-next-port.ts implements it over a real system-bus
 * connection; tests drive DbusSystemdManager with a fake one.
 */

export type BusSignal = { path: string; iface: string; member: string; body: unknown[] };
export type BusCall = BusSignal & { dest: string; signature: string };

/** A bus connection as the manager needs it. Errors are always SystemdError. */
export interface BusPort {
  /** Resolves with the reply's body. */
  call(c: BusCall): Promise<unknown[]>;
  /** The bus library's variant of `signature` around an already converted value, for a `v` in a call body. */
  variant(signature: string, value: unknown): unknown;
  onSignal(listener: (s: BusSignal) => void): void;
  /** Called once when the connection is gone, whoever closed it. */
  onClose(listener: (reason: Error) => void): void;
  close(): Promise<void>;
}
