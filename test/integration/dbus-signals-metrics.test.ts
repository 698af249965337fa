/**
 * Metrics over D-Bus (reference §2.5, §7): after Controller.EnableMetrics a
 * start job on worker1 yields org.eclipse.bluechi.Metrics signals from
 * /org/eclipse/bluechi/metrics: StartUnitJobMetrics (node, job path, unit,
 * gross and net time) and AgentJobMetrics (node, unit, "StartUnit", systemd's
 * time); after DisableMetrics the object is gone and jobs yield none.
 */
import { describe, expect, it } from 'vitest';
import {
  CONTROLLER,
  CONTROLLER_PATH,
  INTROSPECTABLE,
  METRICS,
  NODE,
  nodePath,
  type Signal,
  useWorker1WithClient,
} from './support/dbus-client-driver.js';

const METRICS_PATH = '/org/eclipse/bluechi/metrics';
/** `sleep 1` in ExecStart keeps the unit's job running for at least this long (µs). */
const ONE_SECOND_US = 1_000_000;
const UNITS = {
  'slow.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 1\nRemainAfterExit=yes\n',
  'later.service': '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n',
  'barrier.service': '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n',
};

const ctx = useWorker1WithClient('metrics', UNITS);

const start = (unit: string) => ctx.client.ok(nodePath('worker1'), NODE, 'StartUnit', 'ss', unit, 'replace');
const jobRemoved = (signals: Signal[], unit: string) => signals.findIndex((s) => s.member === 'JobRemoved' && s.args[3] === unit);
const metricsSignals = (signals: Signal[]) => signals.filter((s) => s.interface === METRICS);
const metricsObjectShown = async () => (await ctx.client.call(METRICS_PATH, INTROSPECTABLE, 'Introspect', '')).event === 'reply';

describe('metrics over D-Bus', () => {
  it('are off at first: no metrics object, and DisableMetrics says so', async () => {
    expect(await metricsObjectShown()).toBe(false);
    expect(await ctx.client.fails(CONTROLLER_PATH, CONTROLLER, 'DisableMetrics', '')).toEqual({
      name: 'org.freedesktop.DBus.Error.InconsistentMessage',
      message: 'Metrics already disabled',
    });
  });

  it('once enabled, a start job yields StartUnitJobMetrics and AgentJobMetrics with its real times', async () => {
    await ctx.client.ok(CONTROLLER_PATH, CONTROLLER, 'EnableMetrics', '');
    expect(await metricsObjectShown()).toBe(true);
    expect((await ctx.client.fails(CONTROLLER_PATH, CONTROLLER, 'EnableMetrics', '')).message).toBe('Metrics already enabled');

    const [jobPath] = await start('slow.service');
    const signals = await ctx.client.waitSignals('both metrics of the start', (s) => {
      const m = metricsSignals(s);
      return m.some((x) => x.member === 'StartUnitJobMetrics') && m.some((x) => x.member === 'AgentJobMetrics') && m;
    });
    expect(signals).toHaveLength(2);
    for (const s of signals) expect(s).toMatchObject({ path: METRICS_PATH, destination: null });

    const job = signals.find((s) => s.member === 'StartUnitJobMetrics')!;
    const [node, jobId, unit, gross, net] = job.args as [string, string, string, string, string];
    expect([node, jobId, unit]).toEqual(['worker1', jobPath, 'slow.service']);
    // The controller waited for the whole job, sleep included.
    expect(BigInt(gross)).toBeGreaterThanOrEqual(ONE_SECOND_US);
    // systemd saw the unit activating for about the sleep: it notes leaving `inactive` just after
    // forking the sleep, so a little less than the second it lasts may be recorded.
    expect(BigInt(net)).toBeGreaterThan(ONE_SECOND_US / 2);

    const agent = signals.find((s) => s.member === 'AgentJobMetrics')!;
    const [agentNode, agentUnit, method, systemdTime] = agent.args as [string, string, string, string];
    expect([agentNode, agentUnit, method]).toEqual(['worker1', 'slow.service', 'StartUnit']);
    expect(BigInt(systemdTime)).toBeGreaterThanOrEqual(ONE_SECOND_US);
  });

  it('once disabled, the metrics object is gone and the next job yields none', async () => {
    await ctx.client.ok(CONTROLLER_PATH, CONTROLLER, 'DisableMetrics', '');
    expect(await metricsObjectShown()).toBe(false);
    const from = (await ctx.client.signals()).length;

    await start('later.service');
    await ctx.client.waitSignals('the JobRemoved of later.service', (s) => jobRemoved(s, 'later.service') >= from);
    // A job started after later.service's ended: whatever later.service caused was sent before its end.
    await start('barrier.service');
    const signals = await ctx.client.waitSignals('the JobRemoved of barrier.service', (s) => jobRemoved(s, 'barrier.service') >= 0 && s.slice(from));

    expect(signals.filter((s) => s.member === 'JobRemoved').map((s) => s.args.slice(3))).toEqual([
      ['later.service', 'done'],
      ['barrier.service', 'done'],
    ]);
    expect(metricsSignals(signals)).toEqual([]);
  });
});
