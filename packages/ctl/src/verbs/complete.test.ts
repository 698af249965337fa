import { afterEach, describe, expect, it, vi } from 'vitest';
import { run, type Env } from '../cli.js';
import { COMPLETION_TIMEOUT_MS } from '../completion.js';
import type { CtlClient } from '../deps.js';
import { FakeClient, nodeInfo, unitInfo } from '../fake-client.js';

type Result = { code: number; stdout: string; stderr: string };

async function ctl(argv: string[], connect: () => Promise<CtlClient>): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const env: Env = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    connect,
    clock: { now: () => 0, offsetMinutes: () => 0, sleep: async () => {} },
    stopSignal: () => AbortSignal.abort(),
  };
  return { code: await run(argv, env), stdout, stderr };
}

function client(): FakeClient {
  const c = new FakeClient();
  c.nodes = [nodeInfo('main'), nodeInfo('worker1')];
  c.units.set('worker1', [unitInfo('bench.service'), unitInfo('dbus.socket')]);
  return c;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('bluechictl __complete', () => {
  it('prints one candidate per line and exits 0', async () => {
    const c = client();
    expect(await ctl(['__complete', '3', 'bluechictl', 'start', 'worker1', ''], async () => c)).toEqual({
      code: 0,
      stdout: 'bench.service\ndbus.socket\n',
      stderr: '',
    });
    expect(c.closed).toBe(true);
  });

  it('takes the words as they are, options included, without parsing them', async () => {
    const r = await ctl(['__complete', '3', 'bluechictl', '--bogus', 'start', '--j'], async () => client());
    expect(r).toEqual({ code: 0, stdout: '--json\n', stderr: '' });
    expect(await ctl(['__complete', '1', 'bluechictl', '--help'], async () => client())).toEqual({ code: 0, stdout: '--help\n', stderr: '' });
  });

  it('prints nothing when nothing matches', async () => {
    expect(await ctl(['__complete', '1', 'bluechictl', 'zzz'], async () => client())).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('prints what it knows, silently, when the controller cannot be reached', async () => {
    const refuse = () => Promise.reject(new Error('connect ENOENT /run/bluechi/api.sock'));
    expect(await ctl(['__complete', '1', 'bluechictl', 'sto'], refuse)).toEqual({ code: 0, stdout: 'stop\n', stderr: '' });
    expect(await ctl(['__complete', '2', 'bluechictl', 'start', ''], refuse)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await ctl(['__complete', '2', 'bluechictl', 'metrics', ''], refuse)).toEqual({ code: 0, stdout: 'enable\ndisable\nlisten\n', stderr: '' });
  });

  it('gives up on a controller that does not accept the connection, and closes it if it comes late', async () => {
    vi.useFakeTimers();
    const late = client();
    let accept: (c: CtlClient) => void = () => {};
    const pending = ctl(['__complete', '2', 'bluechictl', 'start', ''], () => new Promise<CtlClient>((resolve) => (accept = resolve)));
    await vi.advanceTimersByTimeAsync(COMPLETION_TIMEOUT_MS);
    expect(await pending).toEqual({ code: 0, stdout: '', stderr: '' });
    accept(late);
    await vi.advanceTimersByTimeAsync(0);
    expect(late.closed).toBe(true);
    expect(late.calls).toEqual([]);
  });

  it('exits 0 without output for missing or bad arguments', async () => {
    for (const argv of [['__complete'], ['__complete', 'x', 'bluechictl', ''], ['__complete', '-1', 'bluechictl']]) {
      expect(await ctl(argv, async () => client())).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });
});
