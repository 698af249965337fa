/**
 * The controller's system-bus connection over dbus-next: owns
 * `org.eclipse.bluechi`, hands every method call addressed to it to one
 * handler (dbus-next's own object export is not used: it cannot see the
 * caller, send unicast signals or answer with our error names), and reports
 * clients leaving the bus. The only controller file that imports dbus-next.
 */
import dbus from 'dbus-next';
import type { Message, MessageBus } from 'dbus-next';
import type { BusCall, BusServer } from './bus-server.js';

const METHOD_CALL = 1;
const SIGNAL = 4;
const NO_REPLY_EXPECTED = 1;
const DBUS_NAME_FLAG_DO_NOT_QUEUE = 4;
const PRIMARY_OWNER = 1;
const ALREADY_OWNER = 4;

type Stream = NodeJS.EventEmitter & { destroyed: boolean; destroy(): void };
/** dbus-next 0.10.2 keeps its socket here and never reports its closing on the bus object. */
function streamOf(bus: MessageBus): Stream {
  return (bus as unknown as { _connection: { stream: Stream } })._connection.stream;
}

type Incoming = BusCall & { message: Message };

class DbusNextServer implements BusServer {
  private readonly goneListeners: Array<(name: string) => void> = [];
  private readonly closeListeners: Array<(reason: Error) => void> = [];
  private handler: ((call: BusCall) => void) | undefined;
  private closed = false;

  constructor(private readonly bus: MessageBus) {
    bus.addMethodHandler((msg: Message) => this.dispatch(msg));
    bus.on('message', (msg: Message) => {
      if (msg.type !== SIGNAL || msg.member !== 'NameOwnerChanged' || msg.interface !== 'org.freedesktop.DBus') return;
      const [name, , newOwner] = (msg.body ?? []) as string[];
      if (typeof name === 'string' && name.startsWith(':') && newOwner === '') {
        for (const l of this.goneListeners) l(name);
      }
    });
    streamOf(bus).once('close', () => {
      if (this.closed) return;
      this.closed = true;
      for (const l of this.closeListeners) l(new Error('the system bus connection closed'));
    });
  }

  get uniqueName(): string {
    // Set by dbus-next once Hello answered; missing from its type declarations.
    return (this.bus as unknown as { name: string | null }).name ?? '';
  }

  private dispatch(msg: Message): boolean {
    if (msg.type !== METHOD_CALL || !this.handler) return false;
    const call: Incoming = {
      sender: msg.sender ?? '',
      path: msg.path ?? '',
      iface: msg.interface ?? '',
      member: msg.member ?? '',
      signature: msg.signature ?? '',
      body: msg.body ?? [],
      message: msg,
    };
    this.handler(call);
    return true;
  }

  onCall(handler: (call: BusCall) => void): void {
    this.handler = handler;
  }

  private send(msg: Message): void {
    if (this.closed) return;
    try {
      this.bus.send(msg);
    } catch {
      // The connection is going away; the caller gets no answer from a dead bus either way.
    }
  }

  reply(call: BusCall, signature: string, body: unknown[]): void {
    const msg = (call as Incoming).message;
    if (msg.flags & NO_REPLY_EXPECTED) return;
    this.send(dbus.Message.newMethodReturn(msg, signature, body));
  }

  error(call: BusCall, name: string, text: string): void {
    const msg = (call as Incoming).message;
    if (msg.flags & NO_REPLY_EXPECTED) return;
    // dbus-next's declarations type the first argument as a string; it takes the call's Message.
    this.send(dbus.Message.newError(msg as unknown as string, name, text));
  }

  emit(path: string, iface: string, member: string, signature: string, body: unknown[], destination?: string): void {
    this.send(new dbus.Message({ type: SIGNAL, path, interface: iface, member, signature, body, ...(destination ? { destination } : {}) }));
  }

  onClientGone(listener: (uniqueName: string) => void): void {
    this.goneListeners.push(listener);
  }

  onClose(listener: (reason: Error) => void): void {
    this.closeListeners.push(listener);
  }

  variant(signature: string, value: unknown): unknown {
    return new dbus.Variant(signature, value);
  }

  close(): void {
    this.closed = true;
    this.bus.disconnect();
  }
}

/**
 * Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS or the default socket),
 * watches clients leave, and takes `name`. Fails when the bus cannot be
 * reached within `timeoutMs`, or the name is taken or not allowed by policy.
 */
export async function connectBusServer(name: string, timeoutMs = 10_000): Promise<BusServer> {
  const bus = dbus.systemBus();
  const stream = streamOf(bus);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out connecting to the system bus')), timeoutMs);
      const fail = (err: unknown) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to the system bus: ${err instanceof Error ? err.message : String(err)}`));
      };
      bus.once('error', fail);
      stream.once('close', () => fail(new Error('connection closed')));
      bus.once('connect', () => {
        clearTimeout(timer);
        bus.off('error', fail);
        resolve();
      });
    });
    bus.on('error', () => {});
    const server = new DbusNextServer(bus);
    await bus.call(
      new dbus.Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'AddMatch',
        signature: 's',
        body: ["type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg2=''"],
      }),
    );
    let reply: number;
    try {
      reply = await bus.requestName(name, DBUS_NAME_FLAG_DO_NOT_QUEUE);
    } catch (err) {
      throw new Error(`cannot own ${name} on the system bus: ${(err as Error).message}`);
    }
    if (reply !== PRIMARY_OWNER && reply !== ALREADY_OWNER) throw new Error(`cannot own ${name} on the system bus: another process owns it`);
    return server;
  } catch (err) {
    bus.on('error', () => {});
    stream.destroy();
    throw err;
  }
}
