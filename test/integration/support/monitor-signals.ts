/**
 * Shared by the dbus-signals-monitor*.test.ts files: a cluster of main and
 * worker1 with a few oneshot units on worker1, bus clients on main that hear
 * every signal of the controller, jobs over D-Bus, and monitor signals read
 * as `[member, ...args]` rows.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startCluster, type Cluster } from '../../harness/cluster.js';
import { DbusClient, FROM_BLUECHI, NODE, nodePath, type Signal } from './dbus-client-driver.js';

/** What a start and a stop of a oneshot RemainAfterExit unit go through: [ActiveState, SubState]. */
export const STATES = [
  ['activating', 'start'],
  ['active', 'exited'],
  ['inactive', 'dead'],
];
const ONESHOT = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';

export type MonitorCluster = {
  readonly cluster: Cluster;
  /** A new bus client on main, listening to every signal of the controller. */
  client(name: string): Promise<DbusClient>;
};

/** Boots main + worker1 for the calling file, with oneshot `units` on worker1; removes it all at the end. */
export function useMonitorCluster(units: string[]): MonitorCluster {
  let cluster: Cluster | undefined;
  const clients: DbusClient[] = [];
  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    const worker1 = cluster.node('worker1');
    for (const unit of units) await worker1.writeFile(`/etc/systemd/system/${unit}`, ONESHOT);
    await worker1.run('systemctl daemon-reload');
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.kill()));
    await cluster?.stop();
  });
  const up = (): Cluster => {
    if (!cluster) throw new Error('the cluster is not up');
    return cluster;
  };
  return {
    get cluster() {
      return up();
    },
    async client(name) {
      const c = await DbusClient.start(up().main, name);
      clients.push(c);
      await c.addMatch(FROM_BLUECHI);
      return c;
    },
  };
}

/** Starts or stops a unit on worker1 over D-Bus and waits for the job's end, which must be `done`. */
export async function job(c: DbusClient, method: 'StartUnit' | 'StopUnit', unit: string): Promise<void> {
  const [path] = await c.ok(nodePath('worker1'), NODE, method, 'ss', unit, 'replace');
  const removed = await c.waitSignals(`the end of ${method} ${unit}`, (s) => s.find((x) => x.member === 'JobRemoved' && x.args[1] === path));
  expect(removed.args[4]).toBe('done');
}

/** The signals of one monitor (from signal `from` on), as [member, ...args]. */
export const eventsOf = (signals: Signal[], monitor: string, from = 0): unknown[][] =>
  signals.slice(from).filter((s) => s.path === monitor).map((s) => [s.member, ...s.args]);
export const unitEvents = (events: unknown[][], unit: string): unknown[][] => events.filter((e) => e[2] === unit);
/** [ActiveState, SubState] of each UnitStateChanged of `unit`. */
export const statesOf = (events: unknown[][], unit: string): unknown[][] =>
  unitEvents(events, unit).filter((e) => e[0] === 'UnitStateChanged').map((e) => [e[3], e[4]]);

/** Waits until `c` got UnitRemoved(real) of `unit` from `monitor` (systemd unloads a unit after a stop); returns the monitor's events. */
export function waitUnloaded(c: DbusClient, monitor: string, unit: string, from = 0): Promise<unknown[][]> {
  return c.waitSignals(`${unit} unloaded, on ${monitor}`, (s) => {
    const events = eventsOf(s, monitor, from);
    return events.some((e) => e[0] === 'UnitRemoved' && e[2] === unit && e[3] === 'real') && events;
  });
}
