/**
 * A small D-Bus client for the integration tests, run inside a container
 * (bundled by dbus-client-driver.ts): one connection to the system bus, driven
 * by JSON commands read line by line from a FIFO, reporting everything it
 * receives as one JSON line each on stdout, in the order it arrived.
 *
 *   node dbus-client.cjs /tmp/dbus/a.in
 *
 * Commands (one JSON object per line):
 *   {"tag":"t1","call":[PATH, INTERFACE, MEMBER, SIGNATURE, ...ARGS]}   a method of org.eclipse.bluechi
 *   {"tag":"t2","match":"type='signal',sender='org.eclipse.bluechi'"}   AddMatch on the bus
 *   {"exit":true}                                                       leave the bus and end
 *
 * Output lines:
 *   {"event":"hello","name":":1.42"}                      connected, with our unique name
 *   {"event":"reply","tag":"t1","args":[...]}             a method returned
 *   {"event":"error","tag":"t1","name":"...","message":"..."}
 *   {"event":"signal","member":"...","path":"...","interface":"...","args":[...],"destination":"..."}
 *
 * In calls, {"$variant":[SIGNATURE, VALUE]} stands for a variant. 64-bit
 * integers are printed as strings, variants as {"signature","value"}.
 * Signals from the bus daemon itself (NameAcquired, ...) are left out.
 */
import { openSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import dbus from 'dbus-next';
import type { Message } from 'dbus-next';

const DESTINATION = 'org.eclipse.bluechi';
const SIGNAL = 4;

type Command = { tag?: string; call?: [string, string, string, string, ...unknown[]]; match?: string; exit?: boolean };

function print(line: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify(line, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`,
  );
}

const commands = process.argv[2];
if (!commands) {
  process.stderr.write('usage: dbus-client COMMAND_FIFO\n');
  process.exit(2);
}

const bus = dbus.systemBus();
bus.on('error', (err: Error) => {
  process.stderr.write(`bus error: ${err.message}\n`);
  process.exit(1);
});
bus.on('message', (msg: Message) => {
  if (msg.type !== SIGNAL || msg.sender === 'org.freedesktop.DBus') return;
  print({ event: 'signal', member: msg.member, path: msg.path, interface: msg.interface, args: msg.body, destination: msg.destination ?? null });
});

/** JSON arguments to dbus-next values: {"$variant":[signature, value]} becomes a Variant. */
function toDbus(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDbus);
  if (value === null || typeof value !== 'object') return value;
  const variant = (value as { $variant?: [string, unknown] }).$variant;
  if (variant) return new dbus.Variant(variant[0], toDbus(variant[1]));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDbus(v)]));
}

async function run(cmd: Command): Promise<void> {
  if (cmd.exit) {
    bus.disconnect();
    process.exit(0);
  }
  const message = cmd.call
    ? new dbus.Message({
        destination: DESTINATION,
        path: cmd.call[0],
        interface: cmd.call[1],
        member: cmd.call[2],
        signature: cmd.call[3],
        body: cmd.call.slice(4).map(toDbus),
      })
    : new dbus.Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'AddMatch',
        signature: 's',
        body: [cmd.match ?? ''],
      });
  try {
    const reply = await bus.call(message);
    print({ event: 'reply', tag: cmd.tag, args: reply?.body ?? [] });
  } catch (err) {
    const e = err as { type?: string; text?: string; message?: string };
    print({ event: 'error', tag: cmd.tag, name: e.type ?? 'local', message: e.text ?? e.message ?? String(err) });
  }
}

bus.once('connect', () => {
  print({ event: 'hello', name: (bus as unknown as { name: string }).name });
  // Read and write: a FIFO opened so never reaches end-of-file between writers.
  const input = createReadStream('', { fd: openSync(commands, 'r+') });
  createInterface({ input }).on('line', (line) => {
    if (line.trim() !== '') void run(JSON.parse(line) as Command);
  });
});
