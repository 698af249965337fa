/**
 * `bluechictl metrics` on real systemd (transcript §6.7): enable and disable
 * print Done and refuse a second time; `metrics listen` prints each report in
 * upstream's format, where upstream printed 0.0 ms for the start job's gross
 * and net times, with real, plausible figures: a unit that spends a known
 * time activating shows at least that net start time, and the job's gross
 * time covers it. Once metrics are disabled nothing more is reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type BackgroundCommand } from '../harness/background.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { METRICS_WAITING, parseMetricsOutput } from '../harness/monitor-output.js';
import { waitFor } from '../harness/wait.js';

/** activating for at least 300 ms: ExecStartPre sleeps, then a oneshot /bin/true. */
const TIMED = '[Service]\nType=oneshot\nExecStartPre=/bin/sleep 0.3\nExecStart=/bin/true\nRemainAfterExit=yes\n';
const QUICK = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';
/** Generous upper bound for a job that sleeps 0.3 s, even under load. */
const PLAUSIBLE_MS = 10_000;

let cluster: Cluster;
let listen: BackgroundCommand | undefined;

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'] });
  const worker1 = cluster.node('worker1');
  await worker1.writeFile('/etc/systemd/system/timed.service', TIMED);
  await worker1.writeFile('/etc/systemd/system/fence.service', QUICK);
  await worker1.run('systemctl daemon-reload');
});

afterAll(async () => {
  await listen?.kill();
  await cluster?.stop();
});

async function ctl(args: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return cluster.ctl(args);
}

async function ctlOk(args: string, stdout: string): Promise<void> {
  expect(await ctl(args)).toEqual({ exitCode: 0, stdout, stderr: '' });
}

/**
 * Restarts fence.service on worker1 until `listen` has reported it after
 * `from`, then waits for the reports of every restart made here, so none
 * trickles in later. The reports of one node arrive in order.
 */
async function fence(from: number): Promise<void> {
  const line = '[worker1] Agent systemd RestartUnit job on fence.service net measured time: ';
  const reported = async () => (await listen!.out()).slice(from).split(line).length - 1;
  let restarts = 0;
  await waitFor('metrics listen to report fence.service', async () => {
    await ctlOk('restart worker1 fence.service', 'Unit fence.service RestartUnit operation result: done\n');
    restarts++;
    return (await reported()) > 0;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  await waitFor(`all ${restarts} restarts of fence.service reported`, async () => (await reported()) === restarts);
}

describe('bluechictl metrics', () => {
  it('enable prints Done, and a second enable fails', async () => {
    listen = await startBackground(cluster.main, 'metrics-listen', 'bluechictl metrics listen', { timeoutS: 300 });
    await listen.waitOut('the first line', (out) => out === METRICS_WAITING);

    await ctlOk('metrics enable', 'Done\n');
    expect(await ctl('metrics enable')).toEqual({ exitCode: 1, stdout: '', stderr: 'Failed to issue method call: Metrics already enabled\n' });
  });

  it('listen reports a start with the agent line and the start job with real times', async () => {
    // listen prints its first line before it subscribes: make sure reports get through.
    await fence(0);
    const from = (await listen!.out()).length;

    const started = await ctl('start worker1 timed.service --json');
    expect(started.exitCode).toBe(0);
    const job = JSON.parse(started.stdout) as { jobId: number; result: string };
    expect(job.result).toBe('done');

    const reports = await listen!.waitOut('the start job report', (out) => {
      const list = parseMetricsOutput(METRICS_WAITING + out.slice(from));
      return list.some((m) => m.kind === 'start') && list;
    });
    expect(reports.map((m) => m.kind)).toEqual(['agent', 'start']);
    const [agent, start] = reports as [Extract<(typeof reports)[0], { kind: 'agent' }>, Extract<(typeof reports)[0], { kind: 'start' }>];
    expect(agent).toMatchObject({ node: 'worker1', method: 'StartUnit', unit: 'timed.service' });
    expect(start).toMatchObject({ node: 'worker1', unit: 'timed.service', jobPath: `/org/eclipse/bluechi/job/${job.jobId}` });

    // The unit was activating for at least the 300 ms of its ExecStartPre;
    // systemd's job and the controller's job both span that time.
    expect(start.netMs).toBeGreaterThanOrEqual(300);
    expect(start.grossMs).toBeGreaterThanOrEqual(start.netMs);
    expect(agent.ms).toBeGreaterThanOrEqual(start.netMs);
    for (const ms of [agent.ms, start.grossMs, start.netMs]) expect(ms).toBeLessThan(PLAUSIBLE_MS);

    // The exact lines, as upstream prints them.
    const text = (await listen!.out()).slice(from);
    expect(text).toBe(
      `[worker1] Agent systemd StartUnit job on timed.service net measured time: ${agent.ms.toFixed(1)}ms\n` +
        `[worker1] Job /org/eclipse/bluechi/job/${job.jobId} to start unit timed.service:\n` +
        `\tBlueChi job gross measured time: ${start.grossMs.toFixed(1)}ms\n` +
        `\tUnit net start time (from properties): ${start.netMs.toFixed(1)}ms\n`,
    );
  });

  it('listen reports stop and restart with the agent line only', async () => {
    const from = (await listen!.out()).length;
    await ctlOk('stop worker1 timed.service', 'Unit timed.service StopUnit operation result: done\n');
    await ctlOk('restart worker1 timed.service', 'Unit timed.service RestartUnit operation result: done\n');
    const reports = await listen!.waitOut('the restart report', (out) => {
      const list = parseMetricsOutput(METRICS_WAITING + out.slice(from));
      return list.some((m) => m.kind === 'agent' && m.method === 'RestartUnit') && list;
    });
    expect(reports.map((m) => (m.kind === 'agent' ? `${m.node} ${m.method} ${m.unit}` : m.kind))).toEqual([
      'worker1 StopUnit timed.service',
      'worker1 RestartUnit timed.service',
    ]);
    const [stop, restart] = reports as Array<{ ms: number }>;
    expect(stop!.ms).toBeGreaterThan(0);
    expect(stop!.ms).toBeLessThan(PLAUSIBLE_MS);
    // A restart starts the unit again: its ExecStartPre sleeps 300 ms.
    expect(restart!.ms).toBeGreaterThanOrEqual(300);
    expect(restart!.ms).toBeLessThan(PLAUSIBLE_MS);
  });

  it('disable prints Done, a second disable fails, and nothing is reported any more', async () => {
    await ctlOk('metrics disable', 'Done\n');
    expect(await ctl('metrics disable')).toEqual({ exitCode: 1, stdout: '', stderr: 'Failed to issue method call: Metrics already disabled\n' });

    const from = (await listen!.out()).length;
    await ctlOk('stop worker1 timed.service', 'Unit timed.service StopUnit operation result: done\n');
    await ctlOk('start worker1 timed.service', 'Unit timed.service StartUnit operation result: done\n');
    await ctlOk('restart worker1 timed.service', 'Unit timed.service RestartUnit operation result: done\n');

    // Switch metrics on again and wait for a report of a later job on the
    // same node: had the jobs above been reported, their lines would be there first.
    await ctlOk('metrics enable', 'Done\n');
    await fence(from);
    const after = parseMetricsOutput(METRICS_WAITING + (await listen!.out()).slice(from));
    expect(after.filter((m) => m.unit === 'timed.service')).toEqual([]);
    expect(after.every((m) => m.kind === 'agent' && m.unit === 'fence.service' && m.method === 'RestartUnit')).toBe(true);
    await ctlOk('metrics disable', 'Done\n');

    expect(await listen!.running()).toBe(true);
    await listen!.signal('INT');
    expect(await listen!.waitExit()).toBe(0);
    expect(await listen!.err()).toBe('');
  });
});
