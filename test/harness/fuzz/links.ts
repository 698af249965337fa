/**
 * Runs fuzz cases against one end of a link: each case is one generated frame
 * followed by a harmless valid request (the sentinel), so every answer the
 * case caused has arrived when the sentinel's reply does. Each answer is
 * judged against what the protocol demands (frames.ts expectationOf); floods
 * of bad frames and oversized frames must close the connection with a policy
 * code.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { AGENT_SUBPROTOCOL, ErrorCodes, type MethodTable, type SignalTable } from '@bluechi-ts/protocol';
import { expectationOf, type Expectation, type FrameGen, type FuzzFrame } from './frames.js';
import type { Prng, Tally } from './prng.js';

type WireFrame = { type?: string; id?: unknown; method?: string; name?: string; error?: { code?: unknown; message?: unknown } };

/** One connection to the peer under test, however framed. */
export interface FuzzConn {
  readonly frames: WireFrame[];
  readonly closed: { code: number; reason: string } | undefined;
  /** Normalizes a case to what this framing can carry (NDJSON has no binary frames or raw newlines). */
  normalize(f: FuzzFrame): FuzzFrame;
  send(f: FuzzFrame): void;
  /** Resolves when something arrives or the connection closes. */
  changed(): Promise<void>;
  close(): void;
}

abstract class BaseConn implements FuzzConn {
  readonly frames: WireFrame[] = [];
  closed: { code: number; reason: string } | undefined;
  private wake: Array<() => void> = [];

  protected arrived(text: string): void {
    let f: WireFrame;
    try {
      f = JSON.parse(text) as WireFrame;
    } catch {
      f = { type: 'unparsable' };
    }
    this.frames.push(f);
    this.poke();
  }

  protected ended(code: number, reason: string): void {
    this.closed ??= { code, reason };
    this.poke();
  }

  private poke(): void {
    for (const w of this.wake.splice(0)) w();
  }

  changed(): Promise<void> {
    return new Promise((r) => this.wake.push(r));
  }

  abstract normalize(f: FuzzFrame): FuzzFrame;
  abstract send(f: FuzzFrame): void;
  abstract close(): void;
}

/** A WebSocket of the agent link (either end). */
export class WsConn extends BaseConn {
  constructor(
    readonly ws: WebSocket,
    onRequest?: (f: WireFrame, conn: WsConn) => boolean,
  ) {
    super();
    ws.on('message', (data) => {
      const text = data.toString();
      if (onRequest) {
        try {
          const f = JSON.parse(text) as WireFrame;
          if (f.type === 'request' && onRequest(f, this)) return;
        } catch {
          /* judged below */
        }
      }
      this.arrived(text);
    });
    ws.on('close', (code, reason) => this.ended(code, reason.toString()));
    ws.on('error', () => {});
  }

  normalize(f: FuzzFrame): FuzzFrame {
    return f;
  }

  send(f: FuzzFrame): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (f.binary) this.ws.send(f.binary, { binary: true });
    else this.ws.send(f.text!);
  }

  close(): void {
    this.ws.terminate();
  }

  static async open(port: number): Promise<WsConn> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [AGENT_SUBPROTOCOL], { maxPayload: 64 * 1024 * 1024 });
    const conn = new WsConn(ws);
    await once(ws, 'open');
    return conn;
  }
}

/** A connection to the controller's local API socket (newline-delimited JSON). */
export class LineConn extends BaseConn {
  private buffer = '';

  private constructor(private readonly socket: Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line) this.arrived(line);
      }
    });
    socket.on('error', () => {});
    // A stream socket carries no close code: 0 when the controller ended it, 1006 on an error.
    socket.on('end', () => this.ended(0, 'closed by the peer'));
    socket.on('close', () => this.ended(1006, 'socket closed'));
  }

  normalize(f: FuzzFrame): FuzzFrame {
    const text = (f.binary ? f.binary.toString('utf8') : f.text!).replace(/[\r\n]/g, ' ');
    // An empty line is skipped by the API framing; a space is judged like it.
    return { text: text === '' ? ' ' : text, mutation: f.mutation };
  }

  send(f: FuzzFrame): void {
    if (!this.socket.destroyed) this.socket.write(f.text! + '\n');
  }

  close(): void {
    this.socket.destroy();
  }

  static async open(path: string): Promise<LineConn> {
    const socket = connect(path);
    const conn = new LineConn(socket);
    await once(socket, 'connect');
    return conn;
  }
}

/**
 * A raw agent-link server that the agent under test connects to: it answers
 * the agent's Register and ProxyNew itself and hands out each connection.
 */
export class RawController {
  private readonly waiting: Array<(c: WsConn) => void> = [];
  private readonly ready: WsConn[] = [];
  registrations = 0;

  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (ws) => {
      const conn = new WsConn(ws, (f, c) => {
        if (f.method !== 'Register' && f.method !== 'ProxyNew') return false;
        const result = f.method === 'Register' ? { controllerVersion: 'fuzz' } : {};
        ws.send(JSON.stringify({ type: 'response', id: f.id, result }));
        if (f.method === 'Register') {
          this.registrations++;
          const w = this.waiting.shift();
          if (w) w(c);
          else this.ready.push(c);
        }
        return true;
      });
    });
  }

  static async start(): Promise<RawController> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false) });
    await once(wss, 'listening');
    return new RawController(wss);
  }

  get address(): string {
    return `tcp:host=127.0.0.1,port=${(this.wss.address() as AddressInfo).port}`;
  }

  /** The next connection whose agent has registered. */
  next(timeoutMs = 15_000): Promise<WsConn> {
    const c = this.ready.shift();
    if (c && !c.closed) return Promise.resolve(c);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the agent did not connect again within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push((conn) => (clearTimeout(timer), resolve(conn)));
    });
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

export type LinkTarget = {
  name: string;
  incoming: { methods: MethodTable; signals: SignalTable };
  /** A connection in the state the run needs. */
  open(): Promise<FuzzConn>;
  /** A harmless valid request with this id; the peer answers it. */
  sentinel(id: number): string;
  /** Whether the peer may be sent this valid request (no change beyond the session). */
  mayHandle?(method: string): boolean;
  /** Called after a case whose request the peer accepted (e.g. a Register that registered). */
  accepted?(method: string): Promise<'reopen' | 'keep'>;
  /** Close codes a flood, an oversized frame or any other case may end the connection with (default: 1008, 1009, 1008 or 1009). */
  closeCodes?: { flood: number[]; oversize: number[]; other: number[] };
  /** Checks what one case did beyond its answer; returns a problem, if any. */
  afterCase?(exp: Expectation, frame: FuzzFrame): string | undefined;
  /** Largest frame the peer takes: bigger ones must close the connection with 1009. */
  maxFrameBytes: number;
};

export type Violation = { mutation: string; frame: string; problem: string };

const CODES = new Set<string>(Object.values(ErrorCodes));
const WS_CLOSE_CODES = { flood: [1008], oversize: [1009], other: [1008, 1009] };

function clear(f: WireFrame | undefined): boolean {
  return !!f && typeof f.error?.code === 'string' && CODES.has(f.error.code) && typeof f.error.message === 'string' && f.error.message.length > 0;
}

function excerpt(f: FuzzFrame): string {
  const t = f.binary ? `<binary ${f.binary.toString('hex').slice(0, 80)}>` : f.text!;
  return t.length > 300 ? `${t.slice(0, 300)}… (${t.length} characters)` : t;
}

async function waitUntil(conn: FuzzConn, done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && !conn.closed) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms: ${what}`);
    await Promise.race([conn.changed(), new Promise((r) => setTimeout(r, left))]);
  }
}

export type RunOptions = {
  cases: number;
  rng: Prng;
  gen: FrameGen;
  tally: Tally;
  nextId: () => number;
  /** Checks the peer's state and liveness; runs every `checkEvery` cases and at the end. */
  check: () => Promise<void>;
  checkEvery: number;
  /** Share of cases that are floods of bad frames (each frame of one counts as a case). */
  floodRate?: number;
  /** Share of cases that are oversized frames. */
  oversizeRate?: number;
};

/** Runs `cases` fuzz cases; returns what broke the rules (empty when all went well). */
export async function runLink(target: LinkTarget, o: RunOptions): Promise<Violation[]> {
  const violations: Violation[] = [];
  const codes = target.closeCodes ?? WS_CLOSE_CODES;
  let conn = await target.open();
  let sinceCheck = 0;
  const fresh = async () => {
    conn.close();
    conn = await target.open();
  };
  while (o.tally.cases < o.cases) {
    if (conn.closed) conn = await target.open();
    if (sinceCheck >= o.checkEvery) {
      await o.check();
      sinceCheck = 0;
    }
    const r = o.rng.next();
    if (r < (o.floodRate ?? 0)) {
      // A flood: bad frames back to back, with nothing valid between them.
      const n = o.rng.range(70, 200);
      for (let i = 0; i < n; i++) conn.send(conn.normalize({ text: o.rng.pick(['{', 'null', '{"type":"teleport"}', '[]']), mutation: 'flood' }));
      await waitUntil(conn, () => false, 'flood close');
      o.tally.cases += n;
      sinceCheck += n;
      o.tally.add(`flood-closed:${conn.closed!.code}`, n);
      if (!codes.flood.includes(conn.closed!.code)) violations.push({ mutation: 'flood', frame: `${n} bad frames`, problem: `closed with ${conn.closed!.code}, not ${codes.flood}` });
      continue;
    }
    if (r < (o.floodRate ?? 0) + (o.oversizeRate ?? 0)) {
      const frame = { text: JSON.stringify({ type: 'request', id: o.nextId(), method: 'Register', params: { name: 'x'.repeat(target.maxFrameBytes + 10) } }), mutation: 'oversize' };
      conn.send(frame);
      await waitUntil(conn, () => false, 'oversize close');
      o.tally.cases++;
      sinceCheck++;
      o.tally.add(`oversize-closed:${conn.closed!.code}`);
      if (!codes.oversize.includes(conn.closed!.code)) violations.push({ mutation: 'oversize', frame: excerpt(frame), problem: `closed with ${conn.closed!.code}, not ${codes.oversize}` });
      continue;
    }
    const frame = conn.normalize(o.gen.next());
    const exp = expectationOf(frame, target.incoming);
    if (exp.kind === 'handled' && exp.id !== null && target.mayHandle && !target.mayHandle(exp.method)) continue;
    o.tally.cases++;
    sinceCheck++;
    const start = conn.frames.length;
    const sid = o.nextId();
    conn.send(frame);
    conn.send({ text: target.sentinel(sid), mutation: 'sentinel' });
    const caseId = exp.kind === 'unknown' || exp.kind === 'invalid' || exp.kind === 'handled' ? exp.id : null;
    const after = () => conn.frames.slice(start).filter((f) => f.type === 'error' || f.type === 'response' || f.type === 'unparsable');
    await waitUntil(conn, () => after().some((f) => f.id === sid) && (caseId === null || after().some((f) => f.id === caseId)), `${frame.mutation}: ${excerpt(frame)}`);
    const got = after();
    const bad = (problem: string) => violations.push({ mutation: frame.mutation, frame: excerpt(frame), problem: `${problem}; got ${JSON.stringify(got).slice(0, 300)}` });
    if (got.some((f) => f.type === 'unparsable')) bad('an answer that is not JSON');
    const sIdx = got.findIndex((f) => f.id === sid);
    const own = caseId === null ? undefined : got.find((f) => f.id === caseId);
    const nullErrors = got.slice(0, sIdx === -1 ? got.length : sIdx).filter((f) => f.type === 'error' && f.id === null);
    if (conn.closed && sIdx === -1 && !own) {
      o.tally.add(`closed:${conn.closed.code}`);
      if (!codes.other.includes(conn.closed.code)) bad(`closed with ${conn.closed.code}, not a policy code`);
      continue;
    }
    switch (exp.kind) {
      case 'malformed':
        if (nullErrors.length !== 1 || nullErrors[0]!.error?.code !== 'MALFORMED_FRAME' || !clear(nullErrors[0])) bad('expected one MALFORMED_FRAME error with id null');
        o.tally.add('error:MALFORMED_FRAME');
        break;
      case 'unknown':
      case 'invalid': {
        const code = exp.kind === 'unknown' ? 'UNKNOWN_METHOD' : 'INVALID_PARAMS';
        const answer = exp.id === null ? nullErrors[0] : own;
        if (!answer || answer.type !== 'error' || answer.error?.code !== code || !clear(answer)) bad(`expected ${code} for id ${exp.id}`);
        o.tally.add(`error:${code}`);
        break;
      }
      case 'handled':
        if (exp.id === null) {
          if (nullErrors.length > 0) bad('a valid signal was refused');
          o.tally.add('signal-accepted');
          break;
        }
        if (!own) bad('a valid request got no answer');
        else if (own.type === 'response') {
          o.tally.add('response');
          if (target.accepted && (await target.accepted(exp.method)) === 'reopen') await fresh();
        } else {
          if (!clear(own)) bad('an error without a known code and a message');
          o.tally.add(`error:${String(own.error?.code)}`);
          if (own.error?.code === 'INTERNAL') bad(`INTERNAL error: ${String(own.error.message).slice(0, 200)}`);
        }
        break;
      case 'silent':
        if (nullErrors.length > 0 || own) bad('a frame to an unknown id was answered');
        o.tally.add('ignored');
        break;
    }
    if (sIdx === -1 && !conn.closed) bad('the sentinel was not answered');
    const problem = target.afterCase?.(exp, frame);
    if (problem) bad(problem);
  }
  await o.check();
  conn.close();
  return violations;
}
