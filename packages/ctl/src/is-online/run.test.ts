import { describe, expect, it } from 'vitest';
import type { BusEvent } from './bus-events.js';
import { HELP_TEXT, versionLine } from './help.js';
import { runIsOnline, type IsOnlineEnv } from './run.js';
import type { StatusTarget } from './targets.js';

/**
 * An environment driven by the test: the watch records what was asked for
 * and hands back `report`; timers fire when the test says so.
 */
function scripted() {
  let out = '';
  let err = '';
  let report: ((e: BusEvent) => void) | undefined;
  const watched: StatusTarget[] = [];
  let closed = 0;
  const timers = new Map<number, { ms: number; fire: () => void }>();
  let nextTimer = 0;
  const env: IsOnlineEnv = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    watch(target, r) {
      watched.push(target);
      report = r;
      return { close: () => void closed++ };
    },
    startTimer(ms, fire) {
      const id = nextTimer++;
      timers.set(id, { ms, fire });
      return () => timers.delete(id);
    },
  };
  return {
    env,
    send: (e: BusEvent) => report!(e),
    /** Fires every pending timer of this length. */
    fire: (ms: number) => [...timers.values()].filter((t) => t.ms === ms).forEach((t) => t.fire()),
    pendingTimers: () => [...timers.values()].map((t) => t.ms),
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    get closed() {
      return closed;
    },
    watched,
  };
}

/** Whether the promise has settled by now (after pending callbacks ran). */
async function settled(p: Promise<number>): Promise<number | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

describe('runIsOnline', () => {
  it('prints the help and the version without touching the bus', async () => {
    const s = scripted();
    expect(await runIsOnline(['--help'], s.env)).toBe(0);
    expect(await runIsOnline(['version'], s.env)).toBe(0);
    expect(s.out).toBe(HELP_TEXT + versionLine());
    expect(s.err).toBe('');
    expect(s.watched).toEqual([]);
  });

  it('reports usage errors on stderr, with the help for getopt errors, exit 1', async () => {
    const s = scripted();
    expect(await runIsOnline(['agent', '--bogus'], s.env)).toBe(1);
    expect(s.err).toBe("bluechi-is-online: unrecognized option '--bogus'\n");
    expect(s.out).toBe(HELP_TEXT);
    const t = scripted();
    expect(await runIsOnline(['node'], t.env)).toBe(1);
    expect(t.err).toBe('Too few arguments for method node\n');
    expect(t.out).toBe('');
    expect(t.watched).toEqual([]);
  });

  it('exits 0 silently when the agent is online', async () => {
    const s = scripted();
    const done = runIsOnline(['agent'], s.env);
    expect(s.watched.map((t) => t.busName)).toEqual(['org.eclipse.bluechi.Agent']);
    s.send({ kind: 'status', value: 'online' });
    expect(await done).toBe(0);
    expect(s.err).toBe('');
    expect(s.closed).toBe(1);
  });

  it('reproduces upstream for an unknown node: the failed read, then the offline line', async () => {
    const s = scripted();
    const done = runIsOnline(['node', 'nosuch'], s.env);
    expect(s.watched[0]!.path).toBe('/org/eclipse/bluechi/node/nosuch');
    s.send({ kind: 'read-failed', dbusName: 'org.freedesktop.DBus.Error.UnknownObject' });
    expect(await done).toBe(1);
    expect(s.err).toBe('Failed to get property: Invalid request descriptor\norg.eclipse.bluechi is offline\n');
  });

  it('--wait: waits while offline, exits 0 once online and cancels the timer', async () => {
    const s = scripted();
    const done = runIsOnline(['system', '--wait=3000'], s.env);
    s.send({ kind: 'status', value: 'degraded' });
    expect(await settled(done)).toBe('pending');
    expect(s.pendingTimers()).toEqual([3000]);
    s.send({ kind: 'status', value: 'up' });
    expect(await done).toBe(0);
    expect(s.pendingTimers()).toEqual([]);
    expect(s.err).toBe('');
  });

  it('--wait: exits 1 with the message when the time is up', async () => {
    const s = scripted();
    const done = runIsOnline(['system', '--wait=3000'], s.env);
    s.send({ kind: 'read-failed', dbusName: 'org.freedesktop.DBus.Error.ServiceUnknown' });
    s.fire(3000);
    expect(await done).toBe(1);
    expect(s.err).toBe('Failed to get property: No route to host\norg.eclipse.bluechi is offline\n');
    expect(s.closed).toBe(1);
  });

  it('--initial-wait: waits, then monitors until offline', async () => {
    const s = scripted();
    const done = runIsOnline(['agent', '--initial-wait=5000'], s.env);
    s.send({ kind: 'owner-lost' });
    s.send({ kind: 'status', value: 'offline' });
    s.send({ kind: 'status', value: 'online' });
    expect(s.pendingTimers()).toEqual([]);
    expect(await settled(done)).toBe('pending');
    s.send({ kind: 'status', value: 'offline' });
    expect(await done).toBe(1);
    expect(s.err).toBe('org.eclipse.bluechi.Agent is offline\n');
  });

  it('--switch-timeout: a controller switch within the window keeps monitoring', async () => {
    const s = scripted();
    const done = runIsOnline(['agent', '--monitor', '--switch-timeout=2000'], s.env);
    s.send({ kind: 'status', value: 'online' });
    s.send({ kind: 'address-changed' });
    s.send({ kind: 'status', value: 'offline' });
    s.send({ kind: 'status', value: 'online' });
    expect(s.pendingTimers()).toEqual([]);
    s.send({ kind: 'address-changed' });
    s.send({ kind: 'status', value: 'offline' });
    expect(await settled(done)).toBe('pending');
    s.fire(2000);
    expect(await done).toBe(1);
    expect(s.err).toBe('org.eclipse.bluechi.Agent is offline\n');
  });

  it('ignores whatever the watch reports after the decision', async () => {
    const s = scripted();
    const done = runIsOnline(['agent'], s.env);
    s.send({ kind: 'status', value: 'offline' });
    s.send({ kind: 'status', value: 'online' });
    expect(await done).toBe(1);
    expect(s.err).toBe('org.eclipse.bluechi.Agent is offline\n');
    expect(s.closed).toBe(1);
  });

  it('closes a watch that decided before it was handed back', async () => {
    const s = scripted();
    const env: IsOnlineEnv = { ...s.env, watch: (target, report) => {
      report({ kind: 'status', value: 'online' });
      return s.env.watch(target, report);
    } };
    expect(await runIsOnline(['agent'], env)).toBe(0);
    expect(s.closed).toBe(1);
  });
});
