import { describe, expect, it } from 'vitest';
import { createNotifier, notifyArgs, silentNotifier, type NotifyCommand } from './notify.js';

/** A systemd-notify stand-in whose runs finish when the test says so. */
function heldCommand() {
  const calls: string[][] = [];
  const pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  const command: NotifyCommand = (args) =>
    new Promise((resolve, reject) => {
      calls.push(args);
      pending.push({ resolve, reject });
    });
  const settle = async (err?: Error) => {
    const next = pending.shift();
    if (!next) throw new Error('no run in progress');
    if (err) next.reject(err);
    else next.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { calls, command, settle };
}

const ENV = { NOTIFY_SOCKET: '/run/systemd/notify' };

describe('createNotifier', () => {
  it('is silent without NOTIFY_SOCKET', () => {
    const { command, calls } = heldCommand();
    const notifier = createNotifier({ env: {}, command });
    notifier.send({ READY: '1' });
    expect(notifier).toBe(silentNotifier);
    expect(calls).toEqual([]);
  });

  it('hands each message to systemd-notify as VAR=VALUE arguments, one run at a time, in order', async () => {
    const { command, calls, settle } = heldCommand();
    const notifier = createNotifier({ env: ENV, command });
    notifier.send({ READY: '1', STATUS: '0 of 2 nodes online' });
    notifier.send({ STOPPING: '1' });
    expect(calls).toEqual([['READY=1', 'STATUS=0 of 2 nodes online']]);
    await settle();
    expect(calls).toEqual([['READY=1', 'STATUS=0 of 2 nodes online'], ['STOPPING=1']]);
    await settle();
    await notifier.flush();
  });

  it('sends only the newest of several STATUS lines waiting behind a run', async () => {
    const { command, calls, settle } = heldCommand();
    const notifier = createNotifier({ env: ENV, command });
    notifier.send({ READY: '1' });
    notifier.send({ STATUS: '1 of 2 nodes online' });
    notifier.send({ STATUS: '2 of 2 nodes online' });
    await settle();
    expect(calls.slice(1)).toEqual([['STATUS=2 of 2 nodes online']]);
    await settle();
  });

  it('does not queue a second WATCHDOG=1 while one is waiting', async () => {
    const { command, calls, settle } = heldCommand();
    const notifier = createNotifier({ env: ENV, command });
    notifier.send({ STATUS: 'busy' });
    notifier.send({ WATCHDOG: '1' });
    notifier.send({ WATCHDOG: '1' });
    await settle();
    await settle();
    expect(calls).toEqual([['STATUS=busy'], ['WATCHDOG=1']]);
  });

  it('reports the first failure once and keeps sending later messages', async () => {
    const { command, calls, settle } = heldCommand();
    const errors: string[] = [];
    const notifier = createNotifier({ env: ENV, command, onError: (err) => errors.push(err.message) });
    notifier.send({ READY: '1' });
    await settle(new Error('spawn systemd-notify ENOENT'));
    notifier.send({ WATCHDOG: '1' });
    await settle(new Error('spawn systemd-notify ENOENT'));
    notifier.send({ STATUS: 'still here' });
    expect(calls[2]).toEqual(['STATUS=still here']);
    await settle();
    expect(errors).toEqual(['spawn systemd-notify ENOENT']);
  });
});

describe('notifyArgs', () => {
  it('flattens newlines, which would end the assignment in the datagram', () => {
    expect(notifyArgs({ STATUS: 'two\nlines' })).toEqual(['STATUS=two lines']);
  });
});
