/**
 * bluechi-is-online's side of the system bus (DBUS_SYSTEM_BUS_ADDRESS or the
 * default socket): watches one object's `Status` property and reports, as
 * BusEvents, every reading, failed read, loss of the bus name's owner and
 * ControllerAddress change. The only file of the CLI that imports dbus-next.
 *
 * Order matters, so nothing is missed between reading and listening: the
 * match rules (PropertiesChanged of the object, NameOwnerChanged of the bus
 * name) are in place before Status is read. A read whose answer arrives after
 * a newer signal is dropped, so a stale value never overwrites a fresh one.
 * When the name gets a new owner (the daemon started), Status is read again.
 */
import dbus from 'dbus-next';
import type { Message, MessageBus } from 'dbus-next';
import type { BusEvent } from './bus-events.js';
import type { StatusTarget } from './targets.js';

const DBUS_SIGNAL = 4;
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const DBUS_NAME = 'org.freedesktop.DBus';
const DBUS_PATH = '/org/freedesktop/DBus';
/** Like sd-bus, a call without an answer fails after 25 s. */
const CALL_TIMEOUT_MS = 25_000;
const NO_REPLY = 'org.freedesktop.DBus.Error.NoReply';

export type StatusWatch = { close(): void };

/** dbus-next 0.10.2 keeps its socket here and never reports its closing on the bus object. */
type Stream = NodeJS.EventEmitter & { destroyed: boolean };
function streamOf(bus: MessageBus): Stream {
  return (bus as unknown as { _connection: { stream: Stream } })._connection.stream;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function watchStatus(target: StatusTarget, report: (event: BusEvent) => void): StatusWatch {
  const bus = dbus.systemBus();
  let closed = false;
  let connected = false;
  let failed = false;
  /** Bumped by every signal that says something about Status; a read started before is stale. */
  let generation = 0;

  const emit = (event: BusEvent) => {
    if (!closed && !failed) report(event);
  };
  const fail = (err: unknown) => {
    if (closed || failed) return;
    const errno = (err as NodeJS.ErrnoException | undefined)?.code;
    report({ kind: 'bus-failed', errno: typeof errno === 'string' ? errno : undefined, connected });
    failed = true;
  };

  const call = (member: string, signature: string, body: unknown[], dest = DBUS_NAME, path = DBUS_PATH, iface = DBUS_NAME): Promise<Message | null> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new dbus.DBusError(NO_REPLY, `${member} got no reply`)), CALL_TIMEOUT_MS);
      bus.call(new dbus.Message({ destination: dest, path, interface: iface, member, signature, body })).then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });

  const read = () => {
    const started = generation;
    call('Get', 'ss', [target.iface, 'Status'], target.busName, target.path, PROPERTIES).then(
      (reply) => {
        if (generation === started) emit({ kind: 'status', value: (reply?.body?.[0] as { value?: unknown } | undefined)?.value });
      },
      (err: unknown) => {
        // Anything but an error reply means the connection is gone; its close reports that.
        if (generation === started && err instanceof dbus.DBusError) emit({ kind: 'read-failed', dbusName: err.type });
      },
    );
  };

  const onMessage = (msg: Message) => {
    if (msg.type !== DBUS_SIGNAL) return;
    if (msg.path === DBUS_PATH && msg.interface === DBUS_NAME && msg.member === 'NameOwnerChanged') {
      const [name, , owner] = msg.body as [string, string, string];
      if (name !== target.busName) return;
      generation++;
      if (owner === '') emit({ kind: 'owner-lost' });
      else read();
      return;
    }
    if (msg.path !== target.path || msg.interface !== PROPERTIES || msg.member !== 'PropertiesChanged') return;
    const [iface, changed, invalidated] = msg.body as [string, Record<string, { value: unknown }>, string[]];
    if (iface !== target.iface) return;
    if (changed && Object.hasOwn(changed, 'ControllerAddress')) emit({ kind: 'address-changed' });
    if (changed && Object.hasOwn(changed, 'Status')) {
      generation++;
      emit({ kind: 'status', value: changed.Status!.value });
    } else if (invalidated?.includes('Status')) {
      generation++;
      read();
    }
  };

  bus.on('error', fail);
  bus.on('message', onMessage);
  const stream = streamOf(bus);
  stream.once('close', () => fail(undefined));
  bus.once('connect', () => {
    connected = true;
    const rules = [
      `type='signal',sender=${quote(DBUS_NAME)},path=${quote(DBUS_PATH)},interface=${quote(DBUS_NAME)},member='NameOwnerChanged',arg0=${quote(target.busName)}`,
      `type='signal',sender=${quote(target.busName)},path=${quote(target.path)},interface=${quote(PROPERTIES)},member='PropertiesChanged',arg0=${quote(target.iface)}`,
    ];
    Promise.all(rules.map((rule) => call('AddMatch', 's', [rule]))).then(read, fail);
  });

  return {
    close() {
      if (closed) return;
      closed = true;
      bus.disconnect();
    },
  };
}
