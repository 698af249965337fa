import { describe, expect, it } from 'vitest';
import { BluechiError, ErrorCodes } from './errors.js';
import { RpcPeer } from './rpc-peer.js';
import { integer, object, string } from './schema.js';
import type { CloseInfo, Transport } from './transport.js';

/** Two transports joined back to back, delivering asynchronously like a socket. */
function pipe(): [Transport & { raw: (s: string) => void }, Transport & { raw: (s: string) => void }] {
  const make = () => {
    const msg: Array<(t: string) => void> = [];
    const close: Array<(i: CloseInfo) => void> = [];
    let closed = false;
    return {
      msg,
      close,
      t: {
        send: (s: string) => {},
        close: (code = 1000, reason = '') => {},
        onMessage: (l: (t: string) => void) => msg.push(l),
        onClose: (l: (i: CloseInfo) => void) => close.push(l),
        raw: (s: string) => {},
      } as Transport & { raw: (s: string) => void },
      fireClose(info: CloseInfo) {
        if (closed) return;
        closed = true;
        for (const l of close) l(info);
      },
    };
  };
  const a = make();
  const b = make();
  const wire = (from: typeof a, to: typeof b) => {
    from.t.send = (s) => queueMicrotask(() => to.msg.forEach((l) => l(s)));
    from.t.raw = (s) => queueMicrotask(() => to.msg.forEach((l) => l(s)));
    from.t.close = (code = 1000, reason = '') => {
      queueMicrotask(() => {
        from.fireClose({ code, reason });
        to.fireClose({ code, reason });
      });
    };
  };
  wire(a, b);
  wire(b, a);
  return [a.t, b.t];
}

const Methods = {
  Add: { params: object({ a: integer(), b: integer() }), result: object({ sum: integer() }) },
  Slow: { params: object({}), result: object({}) },
  Fail: { params: object({}), result: object({}) },
};
const Signals = { Note: { params: object({ text: string({ max: 10 }) }) } };

function peers() {
  const [ta, tb] = pipe();
  const errors: BluechiError[] = [];
  const client = new RpcPeer(ta, { outgoing: { methods: Methods, signals: Signals }, incoming: { methods: {}, signals: {} } });
  const notes: string[] = [];
  const server = new RpcPeer(tb, {
    outgoing: { methods: {}, signals: {} },
    incoming: { methods: Methods, signals: Signals },
    handlers: {
      Add: ({ a, b }) => ({ sum: a + b }),
      Slow: () => new Promise(() => {}),
      Fail: () => {
        throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, 'Unit x.service not found.');
      },
    },
    signalHandlers: { Note: ({ text }) => notes.push(text) },
    onProtocolError: (e) => errors.push(e),
  });
  return { client, server, notes, errors, ta };
}

describe('RpcPeer', () => {
  it('matches replies to requests by id', async () => {
    const { client } = peers();
    const [x, y] = await Promise.all([client.call('Add', { a: 1, b: 2 }), client.call('Add', { a: 10, b: 20 })]);
    expect(x.sum).toBe(3);
    expect(y.sum).toBe(30);
  });

  it('carries error codes and messages back to the caller', async () => {
    const { client } = peers();
    await expect(client.call('Fail', {})).rejects.toMatchObject({ code: 'SYSTEMD_ERROR', message: 'Unit x.service not found.' });
  });

  it('refuses params that do not match the schema before the handler runs', async () => {
    const { client, errors } = peers();
    await expect(client.call('Add', { a: 1, b: 'two' } as never)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(errors[0]?.message).toContain('b: expected an integer');
  });

  it('times out a request that gets no reply', async () => {
    const { client } = peers();
    await expect(client.call('Slow', {}, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(client.pendingCount).toBe(0);
  });

  it('cancels a request through its AbortSignal', async () => {
    const { client } = peers();
    const ac = new AbortController();
    const p = client.call('Slow', {}, { signal: ac.signal, timeoutMs: 0 });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('rejects every pending request when the link closes', async () => {
    const { client } = peers();
    const p1 = client.call('Slow', {}, { timeoutMs: 0 });
    const p2 = client.call('Slow', {}, { timeoutMs: 0 });
    client.close(1006, 'gone');
    await expect(p1).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    await expect(p2).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    await expect(client.call('Add', { a: 1, b: 1 })).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  it('delivers valid signals and drops invalid ones with a protocol error', async () => {
    const { client, notes, errors } = peers();
    client.notify('Note', { text: 'hello' });
    client.notify('Note', { text: 'much too long for the schema' });
    await new Promise((r) => setTimeout(r, 5));
    expect(notes).toEqual(['hello']);
    expect(errors.map((e) => e.code)).toEqual(['INVALID_PARAMS']);
  });

  it('answers malformed JSON and unknown methods with clear errors and keeps serving', async () => {
    const { client, errors, ta } = peers();
    (ta as unknown as { raw: (s: string) => void }).raw('{not json');
    (ta as unknown as { raw: (s: string) => void }).raw(JSON.stringify({ type: 'request', id: 99, method: 'Nope', params: {} }));
    (ta as unknown as { raw: (s: string) => void }).raw(JSON.stringify({ type: 'bogus' }));
    await new Promise((r) => setTimeout(r, 5));
    expect(errors.map((e) => e.code)).toEqual(['MALFORMED_FRAME', 'UNKNOWN_METHOD', 'MALFORMED_FRAME']);
    expect((await client.call('Add', { a: 2, b: 2 })).sum).toBe(4);
  });

  it('closes the link after too many protocol errors', async () => {
    const [ta, tb] = pipe();
    const server = new RpcPeer(tb, { outgoing: { methods: {}, signals: {} }, incoming: { methods: Methods, signals: Signals }, maxProtocolErrors: 3 });
    for (let i = 0; i < 5; i++) (ta as unknown as { raw: (s: string) => void }).raw('garbage');
    await new Promise((r) => setTimeout(r, 10));
    expect(server.closed).toBe(true);
  });
});

/** A client and a server whose Slow handler records its AbortSignal and ends only when aborted (or never, with `ignoreAbort`). */
function cancellable(opts: { ignoreAbort?: boolean } = {}) {
  const [ta, tb] = pipe();
  const client = new RpcPeer(ta, { outgoing: { methods: Methods, signals: Signals }, incoming: { methods: {}, signals: {} } });
  const signals: AbortSignal[] = [];
  const errors: BluechiError[] = [];
  const server = new RpcPeer(tb, {
    outgoing: { methods: {}, signals: {} },
    incoming: { methods: Methods, signals: Signals },
    handlers: {
      Add: ({ a, b }) => ({ sum: a + b }),
      Slow: (_p, ctx) => {
        signals.push(ctx.signal);
        if (opts.ignoreAbort) return new Promise(() => {});
        return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true }));
      },
      Fail: () => {
        throw new BluechiError(ErrorCodes.SYSTEMD_ERROR, 'Unit x.service not found.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' });
      },
    },
    onProtocolError: (e) => errors.push(e),
  });
  return { client, server, signals, errors, ta, tb };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`never happened: ${what}`);
}

describe('RpcPeer cancellation', () => {
  it("a cancel frame aborts the handler's AbortSignal with CANCELLED", async () => {
    const { client, server, signals } = cancellable();
    const ac = new AbortController();
    const p = client.call('Slow', {}, { signal: ac.signal, timeoutMs: 0 });
    await until('the handler runs', () => signals.length === 1);
    expect(server.servingCount).toBe(1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED', message: 'Slow cancelled' });
    await until('the handler is aborted', () => signals[0]!.aborted);
    expect(signals[0]!.reason).toMatchObject({ code: 'CANCELLED' });
    await until('the handler finished', () => server.servingCount === 0);
    expect(client.pendingCount).toBe(0);
  });

  it('the caller gets CANCELLED at once, even from a handler that ignores the abort', async () => {
    const { client, server, signals } = cancellable({ ignoreAbort: true });
    const ac = new AbortController();
    const p = client.call('Slow', {}, { signal: ac.signal, timeoutMs: 0 });
    await until('the handler runs', () => signals.length === 1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    await until('the handler is aborted', () => signals[0]!.aborted);
    // The handler is still running: it is counted until it ends.
    expect(server.servingCount).toBe(1);
    expect((await client.call('Add', { a: 1, b: 2 })).sum).toBe(3);
  });

  it('a call whose signal is already aborted is never sent', async () => {
    const { client, signals } = cancellable();
    const ac = new AbortController();
    ac.abort();
    await expect(client.call('Slow', {}, { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    await settle();
    expect(signals).toEqual([]);
    expect(client.pendingCount).toBe(0);
  });

  it('closing the link aborts every handler in flight', async () => {
    const { client, server, signals } = cancellable({ ignoreAbort: true });
    const calls = [client.call('Slow', {}, { timeoutMs: 0 }), client.call('Slow', {}, { timeoutMs: 0 }), client.call('Slow', {}, { timeoutMs: 0 })];
    await until('three handlers run', () => signals.length === 3);
    expect(server.servingCount).toBe(3);
    server.close(1006, 'gone');
    for (const c of calls) await expect(c).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(signals.map((s) => s.aborted)).toEqual([true, true, true]);
    expect(signals[0]!.reason).toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(server.servingCount).toBe(0);
  });

  it('servingCount counts handlers until they answer', async () => {
    const { client, server, signals } = cancellable();
    const ac = new AbortController();
    const slow = client.call('Slow', {}, { signal: ac.signal, timeoutMs: 0 });
    await until('the handler runs', () => signals.length === 1);
    await client.call('Add', { a: 2, b: 3 });
    await until('the answered request no longer counted', () => server.servingCount === 1);
    expect(signals[0]!.aborted).toBe(false);
    ac.abort();
    await slow.catch(() => {});
    await until('nothing in flight', () => server.servingCount === 0);
  });

  it('ignores a cancel for an unknown id: no error, no reply, the link keeps serving', async () => {
    const { client, errors, ta } = cancellable();
    const seenByClient: string[] = [];
    ta.onMessage((t) => seenByClient.push(t));
    (ta as unknown as { raw: (s: string) => void }).raw(JSON.stringify({ type: 'cancel', id: 4242 }));
    await settle();
    expect(errors).toEqual([]);
    expect(seenByClient).toEqual([]);
    expect((await client.call('Add', { a: 1, b: 1 })).sum).toBe(2);
  });

  it('a cancel frame without a valid id is a protocol error', async () => {
    const { errors, ta } = cancellable();
    (ta as unknown as { raw: (s: string) => void }).raw(JSON.stringify({ type: 'cancel', id: 'x' }));
    await settle();
    expect(errors.map((e) => [e.code, e.message])).toEqual([['MALFORMED_FRAME', 'cancel frame without a valid id']]);
  });
});

describe('RpcPeer error data', () => {
  it("carries the error's D-Bus name across the wire", async () => {
    const { client } = cancellable();
    const err = await client.call('Fail', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BluechiError);
    expect(err).toMatchObject({ code: 'SYSTEMD_ERROR', data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' } });
    expect((err as BluechiError).dbusName).toBe('org.freedesktop.systemd1.NoSuchUnit');
  });

  it('drops a malformed D-Bus name and falls back to the code\'s own', async () => {
    const [ta, tb] = pipe();
    const client = new RpcPeer(ta, { outgoing: { methods: Methods, signals: Signals }, incoming: { methods: {}, signals: {} } });
    tb.onMessage((text) => {
      const { id } = JSON.parse(text) as { id: number };
      (tb as unknown as { raw: (s: string) => void }).raw(
        JSON.stringify({ type: 'error', id, error: { code: 'NODE_OFFLINE', message: 'Node is offline', data: { dbusName: 'not a name!' } } }),
      );
    });
    const err = (await client.call('Add', { a: 1, b: 1 }).catch((e: unknown) => e)) as BluechiError;
    expect(err.data).toEqual({});
    expect(err.dbusName).toBe('org.eclipse.bluechi.Offline');
  });
});

describe('RpcPeer replies that cannot be sent', () => {
  it('answers INTERNAL when a result cannot be encoded, and keeps serving', async () => {
    const [ta, tb] = pipe();
    const client = new RpcPeer(ta, { outgoing: { methods: Methods, signals: Signals }, incoming: { methods: {}, signals: {} } });
    const server = new RpcPeer(tb, {
      outgoing: { methods: {}, signals: {} },
      incoming: { methods: Methods, signals: Signals },
      handlers: {
        Add: ({ a, b }) => ({ sum: a === 0 ? (BigInt(b) as unknown as number) : a + b }),
      },
    });
    await expect(client.call('Add', { a: 0, b: 1 }, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(server.servingCount).toBe(0);
    expect((await client.call('Add', { a: 1, b: 1 })).sum).toBe(2);
  });
});
