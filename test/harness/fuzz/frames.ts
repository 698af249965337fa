/**
 * Structure-aware frame generation for the fuzz runs. Valid params for every
 * message of a catalogue table are derived from the table's own schemas (by
 * asking each schema what it expects until it accepts the value), then
 * mutated: wrong types, missing and extra fields, huge values, deep nesting,
 * big arrays; and whole frames are broken: wrong frame types, bad ids, unknown
 * names, invalid JSON, binary data.
 */
import { decodeFrame, SchemaError, type MethodTable, type Schema, type SignalTable } from '@bluechi-ts/protocol';
import type { Prng } from './prng.js';

type Token = string | number;
export type Leaf = { path: Token[]; kind: string };
export type Synthesized = { value: unknown; leaves: Leaf[] };

function tokenize(path: string): Token[] {
  const out: Token[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

function setAt(root: unknown, path: Token[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container = (root ?? (typeof head === 'number' ? [] : {})) as Record<Token, unknown>;
  container[head!] = setAt(container[head!], rest, value);
  return container;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * A value the schema accepts, built from its own refusals: each SchemaError
 * names a path and what it expected there, which is then filled in.
 * `strings` gives meaningful strings by field name (e.g. unit -> a.service).
 */
export function synthesize(schema: Schema<unknown>, strings: Record<string, string> = {}): Synthesized {
  let root: unknown = undefined;
  const leaves = new Map<string, Leaf>();
  for (let i = 0; i < 500; i++) {
    try {
      schema.parse(root);
      return { value: root, leaves: [...leaves.values()] };
    } catch (err) {
      if (!(err instanceof SchemaError)) throw err;
      const path = tokenize(err.path);
      const key = [...path].reverse().find((t) => typeof t === 'string') as string | undefined;
      const e = err.expected;
      let value: unknown;
      let kind: string;
      let m: RegExpMatchArray | null;
      if (e === 'an object') [value, kind] = [{}, 'object'];
      else if (e === 'an array') [value, kind] = [[], 'array'];
      else if ((m = e.match(/^at least (\d+) items?$/))) [value, kind] = [Array.from({ length: Number(m[1]) }, () => null), 'array'];
      else if (e === 'a string' || e === 'a string or a non-negative integer') [value, kind] = [(key && strings[key]) ?? 'x', 'string'];
      else if ((m = e.match(/^at least (\d+) characters$/))) [value, kind] = ['x'.repeat(Number(m[1])), 'string'];
      else if (e === 'an integer') [value, kind] = [1, 'integer'];
      else if ((m = e.match(/^an integer in (-?\d+)\.\.(-?\d+)$/))) [value, kind] = [Math.max(Number(m[1]), Math.min(1, Number(m[2]))), 'integer'];
      else if (e === 'a boolean') [value, kind] = [false, 'boolean'];
      else if ((m = e.match(/^one of (.*)$/))) [value, kind] = [m[1]!.split(', ')[0], 'literal'];
      else throw new Error(`cannot synthesize a value for '${e}' at '${err.path}'`);
      root = setAt(root, path, value);
      leaves.set(JSON.stringify(path), { path, kind });
    }
  }
  throw new Error('cannot synthesize a value: the schema never accepted one');
}

/** Every message of one direction of a link, with valid params for each. */
export type Catalogue = {
  methods: Map<string, Synthesized>;
  signals: Map<string, Synthesized>;
  /** The tables the peer under test accepts: requests to it and signals to it. */
  incoming: { methods: MethodTable; signals: SignalTable };
  /** Names the peer under test sends, not receives: the wrong direction. */
  wrongDirection: string[];
};

export function catalogue(incoming: { methods: MethodTable; signals: SignalTable }, outgoing: { methods: MethodTable; signals: SignalTable }, strings: Record<string, string>): Catalogue {
  const synth = (t: Record<string, { params: Schema<unknown> }>) => new Map(Object.entries(t).map(([name, spec]) => [name, synthesize(spec.params, strings)]));
  return {
    methods: synth(incoming.methods),
    signals: synth(incoming.signals),
    incoming,
    wrongDirection: [...Object.keys(outgoing.methods), ...Object.keys(outgoing.signals)],
  };
}

/** One fuzz case: the text (or bytes) to send, and what the generator did. */
export type FuzzFrame = { text?: string; binary?: Buffer; mutation: string };

/** A huge value that becomes deep nesting: JSON.stringify could not build it. */
const DEEP_MARK = '\u0001fuzz-deep\u0001';
const DEEP = JSON.stringify(DEEP_MARK);

export type FrameGenOptions = {
  /** Strings a wrong value may be (e.g. real node names, to try taking them over). */
  dictionary: readonly string[];
  /** The largest huge string, array or nesting. */
  hugeMax: number;
  /** Request ids to use: the peer never sent these, so responses to them are to unknown ids. */
  nextId: () => number;
};

export class FrameGen {
  constructor(
    private readonly rng: Prng,
    private readonly cat: Catalogue,
    private readonly opts: FrameGenOptions,
  ) {}

  private scalar(): unknown {
    const r = this.rng;
    return r.pick<() => unknown>([
      () => null,
      () => true,
      () => false,
      () => 0,
      () => -1,
      () => 1.5,
      () => r.range(-1e6, 1e6),
      () => 2 ** 53 + 2,
      () => -(2 ** 63),
      () => 1e308,
      () => -1e308,
      () => 5e-324,
      () => '',
      () => r.pick(this.opts.dictionary),
      () => r.string(r.range(1, 40), 'abcXYZ019._-@:/\\*?[]{} \u0000\u00e9\u200b\ud83d\ude00'),
      () => '\ud800',
      () => '__proto__',
      () => 'constructor',
      () => [],
      () => [1, 'a', null],
      () => ({}),
      () => ({ __proto__: 1, constructor: 'x', toString: 1 }),
    ])();
  }

  /** A huge value; DEEP is replaced by deep nesting in the text. */
  private huge(): unknown {
    const r = this.rng;
    const n = r.range(1000, this.opts.hugeMax);
    return r.pick<() => unknown>([
      () => 'x'.repeat(n),
      () => r.string(Math.min(n, 5000), 'ab\u00e9\u4e2d\ud83d\ude00"\\\n'),
      () => Array.from({ length: Math.min(n, 100_000) }, (_, i) => i),
      () => Array.from({ length: Math.min(n, 20_000) }, () => 'x'.repeat(20)),
      () => Object.fromEntries(Array.from({ length: Math.min(n, 20_000) }, (_, i) => [`k${i}`, i])),
      () => DEEP_MARK,
      () => 1e308,
      () => Number.MAX_VALUE,
    ])();
  }

  private mutateParams(base: Synthesized): { params: unknown; mutation: string } {
    const r = this.rng;
    const params = clone(base.value) as Record<string, unknown>;
    const leaves = base.leaves.filter((l) => l.path.length > 0);
    const kind = r.weighted<string>([
      [4, 'wrong-type'],
      [2, 'missing-field'],
      [2, 'extra-field'],
      [2, 'huge-value'],
      [1, 'params-not-object'],
      [1, 'params-absent'],
      [1, 'boundary'],
      [1, 'valid'],
    ]);
    switch (kind) {
      case 'wrong-type': {
        if (leaves.length === 0) return { params: { [r.pick(['unit', 'node', 'name', 'x'])]: this.scalar() }, mutation: 'wrong-type:none' };
        const leaf = r.pick(leaves);
        return { params: setAt(params, leaf.path, this.scalar()), mutation: `wrong-type:${leaf.path.join('.')}` };
      }
      case 'missing-field': {
        const keys = leaves.filter((l) => l.path.length === 1);
        if (keys.length === 0) return { params: undefined, mutation: 'missing-field:all' };
        const leaf = r.pick(keys);
        delete params[leaf.path[0]!];
        return { params, mutation: `missing-field:${leaf.path[0]}` };
      }
      case 'extra-field': {
        const key = r.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'extra', '', 'x'.repeat(300), 'node', 'jobId']);
        return { params: { ...params, [key]: this.scalar() }, mutation: `extra-field:${key.slice(0, 20)}` };
      }
      case 'huge-value': {
        const path = leaves.length > 0 && r.chance(0.8) ? r.pick(leaves).path : ['fuzz'];
        return { params: setAt(params, path, this.huge()), mutation: `huge-value:${path.join('.')}` };
      }
      case 'params-not-object':
        return { params: this.scalar() ?? 'x', mutation: 'params-not-object' };
      case 'params-absent':
        return { params: undefined, mutation: 'params-absent' };
      case 'boundary': {
        const ints = leaves.filter((l) => l.kind === 'integer');
        const strs = leaves.filter((l) => l.kind === 'string' || l.kind === 'literal');
        if (ints.length > 0 && r.chance(0.5)) {
          const leaf = r.pick(ints);
          return { params: setAt(params, leaf.path, r.pick([0, -1, 0xffffffff, 0x100000000, 65, 86_400_001, 2 ** 53 - 1])), mutation: `boundary:${leaf.path.join('.')}` };
        }
        if (strs.length > 0) {
          const leaf = r.pick(strs);
          const v = r.pick(['', ' ', '*', 'A.SERVICE', 'x'.repeat(256), 'x'.repeat(320), 'a\u0000b', '../../etc/passwd', 'REPLACE', 'Replace']);
          return { params: setAt(params, leaf.path, v), mutation: `boundary:${leaf.path.join('.')}` };
        }
        return { params, mutation: 'boundary:none' };
      }
      default:
        return { params, mutation: 'valid' };
    }
  }

  private text(frame: unknown): string {
    const s = JSON.stringify(frame);
    if (!s.includes(DEEP)) return s;
    const n = this.rng.range(1000, Math.max(1000, this.opts.hugeMax));
    const [open, close] = this.rng.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
    return s.replace(DEEP, open.repeat(n) + '0' + close.repeat(n));
  }

  /** One fuzz case. */
  next(): FuzzFrame {
    const r = this.rng;
    const methods = [...this.cat.methods.keys()];
    const signals = [...this.cat.signals.keys()];
    const kind = r.weighted<string>([
      [10, 'request'],
      [4, 'signal'],
      [2, 'response'],
      [2, 'error'],
      [2, 'cancel'],
      [2, 'bad-envelope'],
      [2, 'bad-name'],
      [2, 'invalid-json'],
      [1, 'binary'],
    ]);
    switch (kind) {
      case 'request': {
        const method = r.pick(methods);
        const { params, mutation } = this.mutateParams(this.cat.methods.get(method)!);
        return { text: this.text({ type: 'request', id: this.opts.nextId(), method, params }), mutation: `request ${method} ${mutation}` };
      }
      case 'signal': {
        if (signals.length === 0) return { text: this.text({ type: 'signal', name: r.pick(methods), params: {} }), mutation: 'signal method-name' };
        const name = r.pick(signals);
        const { params, mutation } = this.mutateParams(this.cat.signals.get(name)!);
        return { text: this.text({ type: 'signal', name, params }), mutation: `signal ${name} ${mutation}` };
      }
      case 'response':
        return { text: this.text({ type: 'response', id: this.opts.nextId(), result: r.chance(0.3) ? this.huge() : this.scalar() }), mutation: 'response unknown-id' };
      case 'error': {
        const error = r.pick<unknown>([
          { code: 'INTERNAL', message: 'fuzz' },
          { code: 42, message: 'fuzz' },
          { code: 'NO_SUCH_CODE', message: 'x'.repeat(10_000), data: { dbusName: 'org.fuzz.Error' } },
          { message: 7 },
          null,
          'error',
          { code: 'SYSTEMD_ERROR', message: '', data: { dbusName: '../../x' } },
        ]);
        const id = r.pick<unknown>([this.opts.nextId(), null, -1, 'x']);
        return { text: this.text({ type: 'error', id, error }), mutation: 'error unknown-id' };
      }
      case 'cancel':
        return { text: this.text({ type: 'cancel', id: r.pick<unknown>([this.opts.nextId(), 0, -1, 1.5, 'x', null]) }), mutation: 'cancel unknown-id' };
      case 'bad-envelope': {
        const method = r.pick(methods);
        const frame = r.pick<Record<string, unknown>>([
          { type: r.pick<unknown>(['Request', 'req', '', 42, null, ['request'], 'teleport']), id: this.opts.nextId(), method, params: {} },
          { method, params: {}, id: this.opts.nextId() },
          { type: 'request', method, params: {} },
          { type: 'request', id: r.pick<unknown>([-1, 1.5, '7', null, 2 ** 53, 1e308, true, {}]), method, params: {} },
          { type: 'request', id: this.opts.nextId(), params: {} },
          { type: 'signal', params: {} },
          { type: 'response' },
        ]);
        return { text: this.text(frame), mutation: 'bad-envelope' };
      }
      case 'bad-name': {
        const name = r.pick<unknown>([
          r.pick(this.cat.wrongDirection.length ? this.cat.wrongDirection : ['Nope']),
          'FormatDisk',
          'startUnit',
          'STARTUNIT',
          '__proto__',
          'constructor',
          'hasOwnProperty',
          'toString',
          'valueOf',
          'Start Unit',
          '',
          'x'.repeat(r.range(64, 5000)),
          42,
          null,
          ['StartUnit'],
          'StartUnit\u0000',
        ]);
        const frame = r.chance(0.6) ? { type: 'request', id: this.opts.nextId(), method: name, params: {} } : { type: 'signal', name, params: {} };
        return { text: this.text(frame), mutation: 'bad-name' };
      }
      case 'invalid-json': {
        const valid = JSON.stringify({ type: 'request', id: this.opts.nextId(), method: r.pick(methods), params: {} });
        const text = r.pick<() => string>([
          () => valid.slice(0, r.int(valid.length)),
          () => valid + '}',
          () => r.bytes(r.range(1, 200)).toString('utf8'),
          () => '',
          () => '   ',
          () => 'null',
          () => '[]',
          () => '"request"',
          () => '42',
          () => '1e999',
          () => '\ufeff' + valid,
          () => valid.replace(/"/g, "'"),
          () => `{"type":"request","id":1,"method":"${methods[0]}","params":{}${',"x":1'.repeat(r.range(1, 2000))}}`,
          () => '{"a":' + '['.repeat(r.range(10, 5000)),
        ])();
        return { text, mutation: 'invalid-json' };
      }
      default:
        return { binary: r.bytes(r.range(0, 300)), mutation: 'binary' };
    }
  }
}

/**
 * What the peer must answer to one frame, judged with the protocol's own
 * decoder and the catalogue, as its RpcPeer must:
 *   malformed   an error frame with id null and MALFORMED_FRAME
 *   unknown     UNKNOWN_METHOD (for the request id, or null for a signal)
 *   invalid     INVALID_PARAMS (id or null)
 *   handled     the frame is valid: a reply of any kind (request), nothing or anything (signal)
 *   silent      a response, error or cancel to an id never used: nothing at all
 */
export type Expectation =
  | { kind: 'malformed' }
  | { kind: 'unknown'; id: number | null }
  | { kind: 'invalid'; id: number | null }
  | { kind: 'handled'; id: number | null; method: string }
  | { kind: 'silent' };

export function expectationOf(frame: FuzzFrame, incoming: { methods: MethodTable; signals: SignalTable }): Expectation {
  const text = frame.binary ? '\u0000binary' : frame.text!;
  let f;
  try {
    f = decodeFrame(text);
  } catch {
    return { kind: 'malformed' };
  }
  if (f.type === 'request' || f.type === 'signal') {
    const name = f.type === 'request' ? f.method : f.name;
    const table: Record<string, { params: Schema<unknown> }> = f.type === 'request' ? incoming.methods : incoming.signals;
    const id = f.type === 'request' ? f.id : null;
    if (!Object.hasOwn(table, name)) return { kind: 'unknown', id };
    try {
      table[name]!.params.parse(f.params);
    } catch {
      return { kind: 'invalid', id };
    }
    return { kind: 'handled', id, method: name };
  }
  return { kind: 'silent' };
}
