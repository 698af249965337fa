/**
 * The soak run's API client (bench/soak.ts): one connection at a time to the
 * controller's API socket, kept up across controller restarts, over which a
 * few lanes issue StartUnit/StopUnit jobs on random (node, unit) pairs for a
 * given time. Bundled into a single .mjs and run with node inside the
 * controller's container.
 *
 *   node soak-client.mjs --seconds 600 --targets main:a.service,worker1:a.service
 *        [--lanes 4] [--pause-ms 60] [--bound-ms 120000] [--watch soak-req1.service,...]
 *
 * Every request ends in exactly one of:
 *   result         the reply named a job id and one JobRemoved for it came
 *                  back (by `result`, or by `error.code` when the node dropped)
 *   request error  the call was refused (NODE_OFFLINE, ...), or the
 *                  connection closed before the reply (controller gone)
 *   gone           the reply came, then the connection closed before the
 *                  job's JobRemoved (controller gone)
 *   lost           no reply, or no JobRemoved, within --bound-ms while the
 *                  connection stayed up
 * A second JobRemoved for a job id of the same connection is a duplicate; a
 * JobRemoved for an id no reply of that connection named is an orphan. Job ids
 * restart at 1 with every controller, so they are kept per connection.
 *
 * Prints progress to stderr every 10 s and, at the end, one JSON object
 * (type SoakCounts) to stdout.
 */
import { createConnection, type Socket } from 'node:net';
import { ApiMethods, ApiSignals, BluechiError, lineTransport, RpcPeer, type MethodTable, type SignalTable } from '@bluechi-ts/protocol';
import { optionLookup } from './client-args.js';

export type SoakCounts = {
  seconds: number;
  lanes: number;
  requests: number;
  requestsByOp: Record<string, number>;
  /** Requests whose job ended with exactly one JobRemoved, by result (or error code). */
  results: Record<string, number>;
  resultsTotal: number;
  /** Every outcome other than `done`, by request (`StartUnit main:a.service`) and outcome. */
  notDone: Record<string, Record<string, number>>;
  /** Results of StartUnit on the units named by --watch (the proxy requesters), by result. */
  watchedStarts: Record<string, number>;
  /** Requests refused or cut off before the reply, by error code. */
  requestErrors: Record<string, number>;
  /** Jobs accepted whose connection closed before their JobRemoved. */
  goneAfterReply: number;
  lost: number;
  lostSamples: string[];
  /** JobRemoved that arrived after the request was already counted lost. */
  late: number;
  duplicated: number;
  duplicateSamples: string[];
  orphans: number;
  orphanSamples: string[];
  connections: number;
  /** Longest time without a connection, ms. */
  longestOutageMs: number;
  /** Jobs still listed by the controller at the end (ListJobs), for this session or any other. */
  jobsLeftAtEnd: number | null;
};

type Removed = { jobId: number; node: string; unit: string; result: string; error?: { code: string; message: string } | undefined };
type Target = { node: string; unit: string };
type Outcome = { kind: 'result'; key: string } | { kind: 'error'; code: string } | { kind: 'gone' } | { kind: 'lost'; why: string };

const NO_METHODS = {} satisfies MethodTable;
const NO_SIGNALS = {} satisfies SignalTable;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inc = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

function parseArgs(argv: string[]) {
  const value = optionLookup(argv);
  const usage = 'usage: soak-client --seconds N --targets NODE:UNIT,... [--lanes N] [--pause-ms MS] [--bound-ms MS] [--watch UNIT,...]';
  const seconds = Number(value('seconds'));
  const targets = (value('targets') ?? '')
    .split(',')
    .filter(Boolean)
    .map((t) => {
      const [node, unit] = t.split(':');
      if (!node || !unit) throw new Error(usage);
      return { node, unit };
    });
  if (!(seconds > 0) || targets.length === 0) throw new Error(usage);
  return {
    seconds,
    targets,
    lanes: Number(value('lanes') ?? 4),
    pauseMs: Number(value('pause-ms') ?? 60),
    boundMs: Number(value('bound-ms') ?? 120_000),
    watch: new Set((value('watch') ?? '').split(',').filter(Boolean)),
  };
}

type Api = RpcPeer<typeof ApiMethods, typeof NO_SIGNALS, typeof NO_METHODS, typeof ApiSignals>;

/** One connection to the controller: its job ids, its waiters, its close. */
class Session {
  /** Job ids a reply named, with the waiter for their JobRemoved (deleted once it came). */
  readonly waiting = new Map<number, (r: Removed) => void>();
  /** Job ids whose JobRemoved was delivered. */
  readonly finished = new Set<number>();
  /** Job ids counted lost (no JobRemoved within the bound). */
  readonly lostIds = new Set<number>();
  /** JobRemoved that arrived before the reply naming its id. */
  readonly early = new Map<number, Removed>();
  readonly peer: Api;
  readonly closed: Promise<void>;

  constructor(
    readonly epoch: number,
    makePeer: (session: Session) => Api,
  ) {
    this.peer = makePeer(this);
    this.closed = new Promise((resolve) => this.peer.onClose(() => resolve()));
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const socketPath = process.env.BLUECHI_API_SOCKET ?? '/run/bluechi/api.sock';
  const counts: SoakCounts = {
    seconds: args.seconds,
    lanes: args.lanes,
    requests: 0,
    requestsByOp: {},
    results: {},
    resultsTotal: 0,
    watchedStarts: {},
    notDone: {},
    requestErrors: {},
    goneAfterReply: 0,
    lost: 0,
    lostSamples: [],
    late: 0,
    duplicated: 0,
    duplicateSamples: [],
    orphans: 0,
    orphanSamples: [],
    connections: 0,
    longestOutageMs: 0,
    jobsLeftAtEnd: null,
  };
  const sample = (list: string[], text: string) => void (list.length < 20 && list.push(text));

  let session: Session | undefined;
  const sessions: Session[] = [];
  let connecting: Promise<Session> | undefined;
  let epoch = 0;
  let stopping = false;

  const onRemoved = (s: Session, r: Removed) => {
    const tag = `conn ${s.epoch} job ${r.jobId} ${r.node}:${r.unit} ${r.result}${r.error ? ` (${r.error.code})` : ''}`;
    if (s.finished.has(r.jobId) || s.early.has(r.jobId)) {
      counts.duplicated++;
      sample(counts.duplicateSamples, tag);
      return;
    }
    if (s.lostIds.has(r.jobId)) {
      counts.late++;
      s.lostIds.delete(r.jobId);
      s.finished.add(r.jobId);
      return;
    }
    const waiter = s.waiting.get(r.jobId);
    if (waiter) {
      s.waiting.delete(r.jobId);
      s.finished.add(r.jobId);
      waiter(r);
    } else {
      s.early.set(r.jobId, r);
    }
  };

  const connectOnce = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = createConnection({ path: socketPath });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });

  /** The current connection, or a new one (retried every 100 ms until the controller answers). */
  const current = (): Promise<Session> => {
    if (session && !session.peer.closed) return Promise.resolve(session);
    connecting ??= (async () => {
      const since = Date.now();
      for (;;) {
        try {
          const socket = await connectOnce();
          socket.on('error', () => undefined);
          const ready = new Session(
            ++epoch,
            (s) =>
              new RpcPeer(lineTransport(socket, 64 * 1024 * 1024), {
                outgoing: { methods: ApiMethods, signals: NO_SIGNALS },
                incoming: { methods: NO_METHODS, signals: ApiSignals },
                signalHandlers: { JobRemoved: (r) => onRemoved(s, r) },
                defaultTimeoutMs: args.boundMs,
              }),
          );
          sessions.push(ready);
          counts.connections++;
          counts.longestOutageMs = Math.max(counts.longestOutageMs, counts.connections > 1 ? Date.now() - since : 0);
          session = ready;
          connecting = undefined;
          return ready;
        } catch {
          await sleep(100);
        }
      }
    })();
    return connecting;
  };

  const codeOf = (err: unknown) => (err instanceof BluechiError ? err.code : 'THROWN');

  const request = async (t: Target, op: 'StartUnit' | 'StopUnit'): Promise<Outcome> => {
    const s = await current();
    let jobId: number;
    try {
      ({ jobId } = await s.peer.call(op, { node: t.node, unit: t.unit, mode: 'replace' }));
    } catch (err) {
      const code = codeOf(err);
      if (code === 'TIMEOUT') return { kind: 'lost', why: `conn ${s.epoch} ${op} ${t.node}:${t.unit}: no reply` };
      return { kind: 'error', code };
    }
    const early = s.early.get(jobId);
    if (early) {
      s.early.delete(jobId);
      s.finished.add(jobId);
      return { kind: 'result', key: early.error ? early.error.code : early.result };
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      new Promise<Outcome>((resolve) => s.waiting.set(jobId, (r) => resolve({ kind: 'result', key: r.error ? r.error.code : r.result }))),
      s.closed.then((): Outcome => ({ kind: 'gone' })),
      new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'lost', why: `conn ${s.epoch} job ${jobId} ${op} ${t.node}:${t.unit}: no JobRemoved` }), args.boundMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome.kind !== 'result') {
      s.waiting.delete(jobId);
      if (outcome.kind === 'lost') s.lostIds.add(jobId);
    }
    return outcome;
  };

  const record = (o: Outcome) => {
    if (o.kind === 'result') {
      counts.resultsTotal++;
      inc(counts.results, o.key);
    } else if (o.kind === 'error') inc(counts.requestErrors, o.code);
    else if (o.kind === 'gone') counts.goneAfterReply++;
    else {
      counts.lost++;
      sample(counts.lostSamples, o.why);
    }
  };

  const lane = async () => {
    while (!stopping) {
      const t = args.targets[Math.floor(Math.random() * args.targets.length)]!;
      const op = Math.random() < 0.5 ? 'StartUnit' : 'StopUnit';
      counts.requests++;
      inc(counts.requestsByOp, op);
      const outcome = await request(t, op);
      record(outcome);
      const key = outcome.kind === 'result' ? outcome.key : outcome.kind === 'error' ? outcome.code : outcome.kind;
      if (op === 'StartUnit' && args.watch.has(t.unit)) inc(counts.watchedStarts, key);
      if (key !== 'done') inc((counts.notDone[`${op} ${t.node}:${t.unit}`] ??= {}), key);
      await sleep(Math.random() * args.pauseMs * 2);
    }
  };

  const progress = setInterval(() => {
    const errors = Object.values(counts.requestErrors).reduce((a, b) => a + b, 0);
    process.stderr.write(
      `[soak-client] requests ${counts.requests} results ${counts.resultsTotal} errors ${errors} gone ${counts.goneAfterReply} ` +
        `lost ${counts.lost} dup ${counts.duplicated} connections ${counts.connections}\n`,
    );
  }, 10_000);

  await current();
  setTimeout(() => (stopping = true), args.seconds * 1000);
  await Promise.all(Array.from({ length: args.lanes }, lane));
  clearInterval(progress);

  // Every lane has its outcome now; count what is left over and ask for stragglers.
  for (const old of sessions) {
    for (const [jobId, r] of old.early) {
      counts.orphans++;
      sample(counts.orphanSamples, `conn ${old.epoch} job ${jobId} ${r.node}:${r.unit} ${r.result}`);
    }
  }
  const s = await current();
  try {
    counts.jobsLeftAtEnd = (await s.peer.call('ListJobs', {})).jobs.length;
  } catch {
    counts.jobsLeftAtEnd = null;
  }
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  s.peer.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`soak-client: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
