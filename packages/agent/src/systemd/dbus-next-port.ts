/**
 * The dbus-next side of the systemd adapter: a BusPort over a real system-bus
 * connection, and `connectSystemd()`, which puts a DbusSystemdManager on it. The
 * port rejects every pending call when the connection closes or a call times
 * out (dbus-next itself never does either). One of the two files that import
 * dbus-next (see ARCHITECTURE.md).
 */
import dbus from 'dbus-next';
import type { Message, MessageBus } from 'dbus-next';
import type { BusCall, BusPort, BusSignal } from './bus-port.js';
import { DbusSystemdManager } from './dbus-manager.js';
import { DBUS_ERRORS, SystemdError, type SystemdManager } from './manager.js';

export type DbusOptions = {
  /** A method call without a reply after this long rejects with NO_REPLY. Default 25 s, like sd-bus. */
  callTimeoutMs?: number;
  /** Connecting (socket, auth, Hello) must finish within this. Default 10 s. */
  connectTimeoutMs?: number;
};

const DBUS_SIGNAL = 4;

/** dbus-next 0.10.2 keeps its socket here and never reports its closing on the bus object. */
type Stream = NodeJS.EventEmitter & { destroyed: boolean; writable: boolean; destroy(): void };
function streamOf(bus: MessageBus): Stream {
  return (bus as unknown as { _connection: { stream: Stream } })._connection.stream;
}

function disconnected(text = 'Connection to the bus was lost.'): SystemdError {
  return new SystemdError(DBUS_ERRORS.DISCONNECTED, text);
}

/**
 * An error reply keeps systemd's name and text. dbus-next throws plain errors for
 * a closed socket, and for a message it cannot marshal (e.g. "String contains null
 * byte"), which never reaches the bus.
 */
function toSystemdError(err: unknown, writable: boolean): SystemdError {
  if (err instanceof SystemdError) return err;
  if (err instanceof dbus.DBusError) return new SystemdError(err.type, err.text ?? err.message);
  const text = err instanceof Error ? err.message : String(err);
  return writable ? new SystemdError(DBUS_ERRORS.INVALID_ARGS, text) : disconnected(text);
}

export class DbusNextPort implements BusPort {
  private readonly pending = new Set<(e: SystemdError) => void>();
  private readonly closeListeners: Array<(reason: Error) => void> = [];
  private closeReason: Error | undefined;
  private lastError: Error | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly callTimeoutMs: number,
  ) {
    bus.on('error', (err: Error) => {
      this.lastError = err;
    });
    const stream = streamOf(bus);
    stream.once('close', () => this.handleClose());
    if (stream.destroyed) this.handleClose();
  }

  call({ dest, path, iface, member, signature, body }: BusCall): Promise<unknown[]> {
    if (this.closeReason) return Promise.reject(disconnected());
    return new Promise((resolve, reject) => {
      const fail = (e: SystemdError) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new SystemdError(DBUS_ERRORS.NO_REPLY, `${member} got no reply within ${this.callTimeoutMs} ms.`)),
        this.callTimeoutMs,
      );
      this.pending.add(fail);
      const msg = new dbus.Message({ destination: dest, path, interface: iface, member, signature, body });
      this.bus.call(msg).then(
        (reply) => {
          clearTimeout(timer);
          this.pending.delete(fail);
          resolve(reply?.body ?? []);
        },
        (err: unknown) => fail(toSystemdError(err, streamOf(this.bus).writable)),
      );
    });
  }

  variant(signature: string, value: unknown): unknown {
    return new dbus.Variant(signature, value);
  }

  onSignal(listener: (s: BusSignal) => void): void {
    this.bus.on('message', (msg: Message) => {
      if (msg.type !== DBUS_SIGNAL) return;
      listener({ path: msg.path, iface: msg.interface, member: msg.member, body: msg.body ?? [] });
    });
  }

  onClose(listener: (reason: Error) => void): void {
    if (this.closeReason) listener(this.closeReason);
    else this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closeReason) return;
    const stream = streamOf(this.bus);
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    this.bus.disconnect();
    const timer = setTimeout(() => stream.destroy(), 1000);
    await closed;
    clearTimeout(timer);
  }

  private handleClose(): void {
    if (this.closeReason) return;
    const reason = this.lastError ?? disconnected();
    this.closeReason = reason;
    for (const fail of [...this.pending]) fail(disconnected());
    for (const l of this.closeListeners) l(reason);
  }
}

/** Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS or the default socket). */
export async function openSystemBus(timeoutMs: number): Promise<MessageBus> {
  const bus = dbus.systemBus();
  const stream = streamOf(bus);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SystemdError(DBUS_ERRORS.NO_REPLY, 'Timed out connecting to the system bus.')),
        timeoutMs,
      );
      const fail = (err: unknown) => {
        clearTimeout(timer);
        reject(disconnected(`Cannot connect to the system bus: ${err instanceof Error ? err.message : String(err)}`));
      };
      const onClose = () => fail(new Error('connection closed'));
      bus.once('error', fail);
      stream.once('close', onClose);
      bus.once('connect', () => {
        clearTimeout(timer);
        bus.off('error', fail);
        stream.off('close', onClose);
        resolve();
      });
    });
  } catch (err) {
    bus.on('error', () => {}); // late socket errors of an abandoned connection
    stream.destroy();
    throw err;
  }
  return bus;
}


/** Connects to systemd on the system bus and subscribes to its signals. */
export async function connectSystemd(opts: DbusOptions = {}): Promise<SystemdManager> {
  const bus = await openSystemBus(opts.connectTimeoutMs ?? 10_000);
  const manager = new DbusSystemdManager(new DbusNextPort(bus, opts.callTimeoutMs ?? 25_000));
  try {
    await manager.init();
  } catch (err) {
    await manager.close();
    throw err;
  }
  return manager;
}
