/**
 * A persistent D-Bus client for the benchmarks: one connection to the system
 * bus, then N timed unit jobs through the public API org.eclipse.bluechi
 * (Node.StartUnit / Node.StopUnit, each until the Controller's JobRemoved of
 * that job). Bundled into a single CommonJS file (dbus-next is CommonJS) and
 * run with node inside the controller's container.
 *
 *   node dbus-client.cjs --node worker1 --unit bench.service --runs 30 --warmup 3
 *
 * The match rule for JobRemoved is added once, before the first call, because
 * the signal may arrive before the method reply that names the job.
 *
 * Prints one JSON object:
 *   {"start":[ms...],"stop":[ms...],"startReply":[ms...],"stopReply":[ms...],"done":n,"runs":n}
 * start/stop: from sending the call until its JobRemoved; startReply/stopReply:
 * from sending the call until its reply (the job path, i.e. systemd on the node
 * accepted the job); done: rounds whose start and stop both ended "done".
 */
import { performance } from 'node:perf_hooks';
import dbus from 'dbus-next';
import type { Message } from 'dbus-next';
import { nodeObjectPath } from '@bluechi-ts/protocol';
import { jobArgs, optionLookup } from './client-args.js';

const DESTINATION = 'org.eclipse.bluechi';
const CONTROLLER_PATH = '/org/eclipse/bluechi';
const CONTROLLER_IFACE = 'org.eclipse.bluechi.Controller';
const NODE_IFACE = 'org.eclipse.bluechi.Node';
const SIGNAL = 4;

async function main(): Promise<void> {
  const args = jobArgs(optionLookup(process.argv.slice(2)), 'usage: dbus-client --node NODE --unit UNIT [--runs N] [--warmup N]');
  const bus = dbus.systemBus();
  bus.on('error', (err: Error) => {
    process.stderr.write(`dbus-client: bus error: ${err.message}\n`);
    process.exit(1);
  });

  // JobRemoved(u id, o job, s node, s unit, s result), keyed by the job path.
  const removed = new Map<string, string>();
  const waiters = new Map<string, (result: string) => void>();
  bus.on('message', (msg: Message) => {
    if (msg.type !== SIGNAL || msg.interface !== CONTROLLER_IFACE || msg.member !== 'JobRemoved') return;
    const [, job, , , result] = msg.body as [number, string, string, string, string];
    const w = waiters.get(job);
    if (w) w(result);
    else removed.set(job, result);
  });
  await bus.call(
    new dbus.Message({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member: 'AddMatch',
      signature: 's',
      body: [`type='signal',sender='${DESTINATION}',path='${CONTROLLER_PATH}',interface='${CONTROLLER_IFACE}',member='JobRemoved'`],
    }),
  );

  const path = nodeObjectPath(args.node);
  const job = async (member: 'StartUnit' | 'StopUnit') => {
    const t0 = performance.now();
    const reply = await bus.call(
      new dbus.Message({ destination: DESTINATION, path, interface: NODE_IFACE, member, signature: 'ss', body: [args.unit, 'replace'] }),
    );
    const replyMs = performance.now() - t0;
    const jobPath = (reply?.body as [string] | undefined)?.[0];
    if (!jobPath) throw new Error(`${member} returned no job path`);
    const known = removed.get(jobPath);
    const result = known ?? (await new Promise<string>((resolve) => waiters.set(jobPath, resolve)));
    const ms = performance.now() - t0;
    removed.delete(jobPath);
    waiters.delete(jobPath);
    return { ms, replyMs, result };
  };

  const start: number[] = [];
  const stop: number[] = [];
  const startReply: number[] = [];
  const stopReply: number[] = [];
  let done = 0;
  for (let i = 0; i < args.warmup + args.runs; i++) {
    const s = await job('StartUnit');
    const t = await job('StopUnit');
    if (i < args.warmup) continue;
    start.push(s.ms);
    stop.push(t.ms);
    startReply.push(s.replyMs);
    stopReply.push(t.replyMs);
    if (s.result === 'done' && t.result === 'done') done++;
  }
  process.stdout.write(`${JSON.stringify({ start, stop, startReply, stopReply, done, runs: args.runs })}\n`);
  bus.disconnect();
}

main().catch((err: unknown) => {
  const e = err as { type?: string; text?: string; message?: string };
  process.stderr.write(`dbus-client: ${e.type ? `${e.type}: ${e.text ?? ''}` : (e.message ?? String(err))}\n`);
  process.exit(1);
});
