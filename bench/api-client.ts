/**
 * A persistent API client for the benchmarks: one connection to the
 * controller's API socket, then N timed unit jobs over it. Bundled into a
 * single .mjs and run with node inside the controller's container.
 *
 *   node api-client.mjs --node worker1 --unit bench.service --runs 30 --warmup 3
 *        [--verify]           check after every start that the unit is active
 *        [--settle NODE:UNIT] after every stop, wait until that unit is inactive
 *        [--queries]          also time, every round, the calls behind
 *                             `bluechictl status` (ListNodes) and
 *                             `bluechictl list-units NODE` (ListUnits)
 *        [--pause MS]         wait MS (untimed) before every timed call, as
 *                             the gaps between separate bluechictl calls do
 *
 * Prints one JSON object: {"start":[ms...],"stop":[ms...],"activeAfterStart":n,"runs":n},
 * with "listNodes":[ms...] and "listUnits":[ms...] added under --queries.
 */
import { createConnection, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ApiMethods, ApiSignals, lineTransport, RpcPeer, type MethodTable, type SignalTable } from '@bluechi-ts/protocol';
import { jobArgs, optionLookup } from './client-args.js';

type Args = { node: string; unit: string; runs: number; warmup: number; verify: boolean; queries: boolean; pause: number; settle?: { node: string; unit: string } };

function parseArgs(argv: string[]): Args {
  const value = optionLookup(argv);
  const usage = 'usage: api-client --node NODE --unit UNIT [--runs N] [--warmup N] [--verify] [--settle NODE:UNIT] [--queries] [--pause MS]';
  const settle = value('settle');
  const [settleNode, settleUnit] = settle ? settle.split(':') : [];
  return {
    ...jobArgs(value, usage),
    verify: argv.includes('--verify'),
    queries: argv.includes('--queries'),
    pause: Number(value('pause') ?? 0),
    ...(settleNode && settleUnit ? { settle: { node: settleNode, unit: settleUnit } } : {}),
  };
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

const NO_METHODS = {} satisfies MethodTable;
const NO_SIGNALS = {} satisfies SignalTable;
type Removed = { jobId: number; result: string; error?: { message: string } | undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const socket = await connect(process.env.BLUECHI_API_SOCKET ?? '/run/bluechi/api.sock');
  // Job results arrive as JobRemoved signals, possibly before the reply that names the job.
  const removed = new Map<number, Removed>();
  const waiters = new Map<number, (r: Removed) => void>();
  const peer = new RpcPeer(lineTransport(socket, 64 * 1024 * 1024), {
    outgoing: { methods: ApiMethods, signals: NO_SIGNALS },
    incoming: { methods: NO_METHODS, signals: ApiSignals },
    signalHandlers: {
      JobRemoved: (r) => {
        const w = waiters.get(r.jobId);
        if (w) w(r);
        else removed.set(r.jobId, r);
      },
    },
    defaultTimeoutMs: 30_000,
  });
  const job = async (op: 'start' | 'stop') => {
    if (args.pause > 0) await sleep(args.pause);
    const t0 = performance.now();
    const { jobId } = await peer.call(op === 'start' ? 'StartUnit' : 'StopUnit', { node: args.node, unit: args.unit, mode: 'replace' });
    const r = removed.get(jobId) ?? (await new Promise<Removed>((resolve) => waiters.set(jobId, resolve)));
    removed.delete(jobId);
    waiters.delete(jobId);
    const ms = performance.now() - t0;
    if (r.error || r.result !== 'done') throw new Error(`${op} ${args.node}:${args.unit} ended with ${r.error?.message ?? r.result}`);
    return ms;
  };
  const timed = async (call: () => Promise<unknown>) => {
    if (args.pause > 0) await sleep(args.pause);
    const t0 = performance.now();
    await call();
    return performance.now() - t0;
  };
  const activeState = async (node: string, unit: string) =>
    String((await peer.call('GetUnitProperties', { node, unit })).properties.ActiveState);

  const start: number[] = [];
  const stop: number[] = [];
  const listNodes: number[] = [];
  const listUnits: number[] = [];
  let activeAfterStart = 0;
  for (let i = 0; i < args.warmup + args.runs; i++) {
    const measured = i >= args.warmup;
    const startMs = await job('start');
    const active = args.verify ? (await activeState(args.node, args.unit)) === 'active' : true;
    const stopMs = await job('stop');
    if (args.settle) {
      const deadline = Date.now() + 10_000;
      while ((await activeState(args.settle.node, args.settle.unit)) !== 'inactive') {
        if (Date.now() > deadline) throw new Error(`${args.settle.node}:${args.settle.unit} did not settle`);
        await sleep(5);
      }
    }
    const nodesMs = args.queries ? await timed(() => peer.call('ListNodes', {})) : 0;
    const unitsMs = args.queries ? await timed(() => peer.call('ListUnits', { node: args.node })) : 0;
    if (measured) {
      if (args.queries) {
        listNodes.push(nodesMs);
        listUnits.push(unitsMs);
      }
      start.push(startMs);
      stop.push(stopMs);
      if (active) activeAfterStart++;
    }
  }
  const queries = args.queries ? { listNodes, listUnits } : {};
  process.stdout.write(`${JSON.stringify({ start, stop, activeAfterStart, runs: args.runs, ...queries })}\n`);
  socket.destroy();
}

main().catch((err: unknown) => {
  process.stderr.write(`api-client: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
