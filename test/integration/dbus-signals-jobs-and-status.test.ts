/**
 * Job and status signals of org.eclipse.bluechi as a D-Bus client on the
 * controller's machine sees them (reference §2.1-§2.3): a start over
 * Node.StartUnit is announced as Controller.JobNew, then the Job's State
 * change, then Controller.JobRemoved with the systemd result, all broadcast;
 * a job started by bluechictl is announced the same way; an agent that stops
 * and starts again turns its Node Status offline and online and the
 * Controller Status degraded and up.
 */
import { describe, expect, it } from 'vitest';
import {
  CONTROLLER,
  CONTROLLER_PATH,
  JOB,
  NODE,
  PROPERTIES,
  nodePath,
  type Signal,
  useWorker1WithClient,
} from './support/dbus-client-driver.js';

const UNITS = {
  // Runs for a second, so its job is seen running before it ends.
  'slow.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 1\nRemainAfterExit=yes\n',
  'broken.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n',
  'quick.service': '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n',
  'prompt.service': '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n',
};

const ctx = useWorker1WithClient('jobs', UNITS);

const isJobRemoved = (unit: string) => (s: Signal) => s.member === 'JobRemoved' && s.args[3] === unit;

/** The JobNew, Job State changes and JobRemoved of the one job of `unit` in `signals`, by index. */
function jobSignals(signals: Signal[], unit: string) {
  const removedAt = signals.findIndex(isJobRemoved(unit));
  const removed = signals[removedAt]!;
  const [id, path] = removed.args as [number, string];
  const newAt = signals.findIndex((s) => s.member === 'JobNew' && s.args[1] === path);
  const states = signals
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.path === path && s.member === 'PropertiesChanged' && s.interface === PROPERTIES);
  return { id, path, newAt, removedAt, removed, states };
}

describe('jobs over D-Bus', () => {
  it('a StartUnit is announced as JobNew, then its State running, then JobRemoved with result done', async () => {
    const [jobPath] = await ctx.client.ok(nodePath('worker1'), NODE, 'StartUnit', 'ss', 'slow.service', 'replace');
    const signals = await ctx.client.waitSignals('JobRemoved of slow.service', (s) => s.some(isJobRemoved('slow.service')) && s);

    const job = jobSignals(signals, 'slow.service');
    expect(job.path).toBe(jobPath);
    expect(job.path).toBe(`/org/eclipse/bluechi/job/${job.id}`);
    expect(signals[job.newAt]).toEqual({
      event: 'signal',
      member: 'JobNew',
      path: CONTROLLER_PATH,
      interface: CONTROLLER,
      args: [job.id, jobPath],
      destination: null,
    });
    expect(job.removed).toEqual({
      event: 'signal',
      member: 'JobRemoved',
      path: CONTROLLER_PATH,
      interface: CONTROLLER,
      args: [job.id, jobPath, 'worker1', 'slow.service', 'done'],
      destination: null,
    });
    expect(job.states.map(({ s }) => s.args)).toEqual([[JOB, { State: { signature: 's', value: 'running' } }, []]]);
    const stateAt = job.states[0]!.i;
    expect(job.newAt).toBeLessThan(stateAt);
    expect(stateAt).toBeLessThan(job.removedAt);
    expect((await ctx.cluster.node('worker1').systemctl('is-active', 'slow.service')).stdout).toBe('active\n');
  });

  it("JobNew reaches the caller before StartUnit's reply, as upstream announces the job first", async () => {
    const [jobPath] = await ctx.client.ok(nodePath('worker1'), NODE, 'StartUnit', 'ss', 'prompt.service', 'replace');
    await ctx.client.waitSignals('JobRemoved of prompt.service', (s) => s.some(isJobRemoved('prompt.service')));
    const lines = await ctx.client.lines();
    const jobNewAt = lines.findIndex((l) => l.event === 'signal' && l.member === 'JobNew' && l.args[1] === jobPath);
    const replyAt = lines.findIndex((l) => l.event === 'reply' && l.args[0] === jobPath);
    expect(jobNewAt).toBeGreaterThanOrEqual(0);
    expect(replyAt).toBeGreaterThan(jobNewAt);
  });

  it('the job of a unit that fails ends with result failed', async () => {
    const [jobPath] = await ctx.client.ok(nodePath('worker1'), NODE, 'StartUnit', 'ss', 'broken.service', 'replace');
    const signals = await ctx.client.waitSignals('JobRemoved of broken.service', (s) => s.some(isJobRemoved('broken.service')) && s);
    const job = jobSignals(signals, 'broken.service');
    expect(job.newAt).toBeGreaterThanOrEqual(0);
    expect(job.newAt).toBeLessThan(job.removedAt);
    expect(job.removed.args).toEqual([job.id, jobPath, 'worker1', 'broken.service', 'failed']);
    expect((await ctx.cluster.node('worker1').systemctl('is-failed', 'broken.service')).stdout).toBe('failed\n');
  });

  it('a job started by bluechictl is announced on D-Bus too', async () => {
    expect(await ctx.cluster.ctl('start worker1 quick.service')).toEqual({
      exitCode: 0,
      stdout: 'Unit quick.service StartUnit operation result: done\n',
      stderr: '',
    });
    const signals = await ctx.client.waitSignals('JobRemoved of quick.service', (s) => s.some(isJobRemoved('quick.service')) && s);
    const job = jobSignals(signals, 'quick.service');
    expect(job.newAt).toBeGreaterThanOrEqual(0);
    expect(job.newAt).toBeLessThan(job.removedAt);
    expect(signals[job.newAt]!.args).toEqual([job.id, job.path]);
    expect(job.removed.args).toEqual([job.id, job.path, 'worker1', 'quick.service', 'done']);
    // Job ids are controller-wide and count up: this job follows broken.service's.
    expect(job.id).toBe(jobSignals(signals, 'broken.service').id + 1);
  });
});

describe('node and system status over D-Bus', () => {
  const statusChanges = (signals: Signal[], path: string, iface: string) =>
    signals
      .filter((s) => s.member === 'PropertiesChanged' && s.path === path && s.args[0] === iface)
      .map((s) => (s.args[1] as { Status: { value: string } }).Status.value);

  it("an agent that stops and starts again turns its Node Status offline then online, and the Controller's degraded then up", async () => {
    const from = (await ctx.client.signals()).length;
    const worker1 = ctx.cluster.node('worker1');
    const status = async (path: string, iface: string) => (await ctx.client.ok(path, PROPERTIES, 'Get', 'ss', iface, 'Status'))[0];
    expect(await status(nodePath('worker1'), NODE)).toEqual({ signature: 's', value: 'online' });
    expect(await status(CONTROLLER_PATH, CONTROLLER)).toEqual({ signature: 's', value: 'up' });

    await worker1.run('systemctl stop bluechi-agent');
    await ctx.client.waitSignals('worker1 offline, the system degraded', (s) => {
      const after = s.slice(from);
      return statusChanges(after, nodePath('worker1'), NODE).includes('offline') && statusChanges(after, CONTROLLER_PATH, CONTROLLER).includes('degraded');
    });
    expect(await status(nodePath('worker1'), NODE)).toEqual({ signature: 's', value: 'offline' });

    await worker1.run('systemctl start bluechi-agent');
    const signals = await ctx.client.waitSignals('worker1 online, the system up', (s) => {
      const after = s.slice(from);
      return statusChanges(after, CONTROLLER_PATH, CONTROLLER).includes('up') && after;
    });
    expect(statusChanges(signals, nodePath('worker1'), NODE)).toEqual(['offline', 'online']);
    expect(statusChanges(signals, CONTROLLER_PATH, CONTROLLER)).toEqual(['degraded', 'up']);
    // Main's own agent stayed online throughout.
    expect(statusChanges(signals, nodePath('main'), NODE)).toEqual([]);
    for (const s of signals.filter((x) => x.member === 'PropertiesChanged')) expect(s.destination).toBeNull();
  });
});
