import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import type { CtlClient } from '../deps.js';
import { FakeClient, recordingDeps, type RecorderOptions } from '../fake-client.js';
import { coalesce, followController, RECONNECT_FIRST_MS, RECONNECT_MAX_MS, SetupFailure } from './follow.js';

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/** Recording deps whose clock also notes how long each sleep was asked to be. */
function recorder(client: CtlClient, opts: RecorderOptions = {}) {
  const r = recordingDeps(client, opts);
  const slept: number[] = [];
  const sleep = r.deps.clock.sleep;
  r.deps.clock = { ...r.deps.clock, sleep: (ms, signal) => (slept.push(ms), sleep(ms, signal)) };
  return { ...r, slept };
}

type Setup = { client: CtlClient; again: boolean };

describe('followController', () => {
  it('runs the setup once and ends with 0 when stopped', async () => {
    const client = new FakeClient();
    const r = recorder(client);
    const setups: Setup[] = [];
    const running = followController(r.deps, async (c, again) => void setups.push({ client: c, again }));
    await until(() => setups.length === 1);
    r.stop.abort();
    expect(await running).toBe(0);
    expect(setups).toEqual([{ client, again: false }]);
    expect(r.stderr()).toBe('');
    expect(r.slept).toEqual([]);
    // The connection it was given belongs to its caller.
    expect(client.closed).toBe(false);
  });

  it('ends at once when stopped before it starts', async () => {
    const r = recorder(new FakeClient());
    r.stop.abort();
    let setups = 0;
    expect(await followController(r.deps, async () => void setups++)).toBe(0);
    expect(setups).toBe(1);
  });

  it('reconnects with a delay doubling from 100 ms up to 2 s, until stopped', async () => {
    const client = new FakeClient();
    const r = recorder(client, { onTick: (n, stop) => n === 8 && stop.abort() });
    let setups = 0;
    const running = followController(r.deps, async () => void setups++);
    await until(() => setups === 1);
    client.close();
    expect(await running).toBe(0);
    expect([RECONNECT_FIRST_MS, RECONNECT_MAX_MS]).toEqual([100, 2000]);
    expect(r.slept).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(r.connects()).toBe(7);
    expect(r.stderr()).toBe('Lost the connection to the controller, reconnecting...\n');
  });

  it('runs the setup again on the new connection, starts the delay over, and closes connections it opened', async () => {
    const first = new FakeClient();
    const second = new FakeClient();
    const third = new FakeClient();
    const offers: Array<CtlClient | undefined> = [undefined, second, third];
    const r = recorder(first, {
      connect: async () => {
        const next = offers.shift();
        if (!next) throw new Error('refused');
        return next;
      },
    });
    const setups: Setup[] = [];
    const running = followController(r.deps, async (c, again) => void setups.push({ client: c, again }));
    await until(() => setups.length === 1);
    first.close();
    await until(() => setups.length === 2);
    second.close();
    await until(() => setups.length === 3);
    expect(second.closed).toBe(true);
    expect(third.closed).toBe(false);
    r.stop.abort();
    expect(await running).toBe(0);
    expect(setups).toEqual([
      { client: first, again: false },
      { client: second, again: true },
      { client: third, again: true },
    ]);
    expect(r.slept).toEqual([100, 200, 100]);
    expect(third.closed).toBe(true);
    expect(r.stderr()).toBe(
      'Lost the connection to the controller, reconnecting...\nConnected to the controller again\n'.repeat(2),
    );
  });

  it('reconnects when the connection is lost during the setup', async () => {
    const first = new FakeClient();
    const second = new FakeClient();
    const r = recorder(first, { connect: async () => second });
    const seen: CtlClient[] = [];
    const running = followController(r.deps, async (c) => {
      seen.push(c);
      if (c === first) {
        first.close();
        await c.call('WatchNodes', {});
      }
    });
    await until(() => seen.length === 2);
    r.stop.abort();
    expect(await running).toBe(0);
    expect(seen).toEqual([first, second]);
  });

  it('ends with 1 when the setup fails otherwise, in the usual wording', async () => {
    const client = new FakeClient();
    const r = recorder(client);
    const code = await followController(r.deps, async () => {
      throw new BluechiError(ErrorCodes.INTERNAL, 'boom');
    });
    expect(code).toBe(1);
    expect(r.stderr()).toBe('Failed to issue method call: boom\n');
  });

  it("prints a setup failure's own wording as it is", async () => {
    const r = recorder(new FakeClient());
    expect(await followController(r.deps, async () => Promise.reject(new SetupFailure('Failed to create monitor: boom\n')))).toBe(1);
    expect(r.stderr()).toBe('Failed to create monitor: boom\n');
  });
});

/** A run that waits until released, counting how often it started. */
function gatedRun() {
  let started = 0;
  const gates: Array<(err?: Error) => void> = [];
  const run = () =>
    new Promise<void>((resolve, reject) => {
      started++;
      gates.push((err) => (err ? reject(err) : resolve()));
    });
  const release = async (err?: Error) => {
    await until(() => gates.length > 0);
    gates.shift()!(err);
  };
  return { run, release, started: () => started };
}

describe('coalesce', () => {
  it('folds a burst of calls into the run under way and one more', async () => {
    const g = gatedRun();
    const redraw = coalesce(g.run);
    const calls = [redraw(), redraw(), redraw(), redraw(), redraw()];
    expect(g.started()).toBe(1);
    await g.release();
    await until(() => g.started() === 2);
    await g.release();
    await Promise.all(calls);
    expect(g.started()).toBe(2);
  });

  it('runs once for a single call, and again for a later one', async () => {
    const g = gatedRun();
    const redraw = coalesce(g.run);
    const one = redraw();
    await g.release();
    await one;
    expect(g.started()).toBe(1);
    const two = redraw();
    await g.release();
    await two;
    expect(g.started()).toBe(2);
  });

  it('runs again for calls that arrive during the second run', async () => {
    const g = gatedRun();
    const redraw = coalesce(g.run);
    const first = redraw();
    void redraw();
    await g.release();
    await until(() => g.started() === 2);
    void redraw();
    await g.release();
    await until(() => g.started() === 3);
    await g.release();
    await first;
    expect(g.started()).toBe(3);
  });

  it('rejects the callers of a failed run and runs again on the next call', async () => {
    const g = gatedRun();
    const redraw = coalesce(g.run);
    const failing = redraw();
    await g.release(new Error('read failed'));
    await expect(failing).rejects.toThrow('read failed');
    const next = redraw();
    expect(g.started()).toBe(2);
    await g.release();
    await next;
  });
});
