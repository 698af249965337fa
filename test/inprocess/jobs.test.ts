/** Jobs as objects: their events reach the session that started them, and they can be listed and cancelled. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UnitOp } from '@bluechi-ts/protocol';
import { FakeSystemdManager, type FakeUnitOptions } from '../../packages/agent/src/systemd/fake-manager.js';
import type { QueuedJob } from '../../packages/agent/src/systemd/manager.js';
import {
  drain,
  recordSignals,
  runJob,
  startAgent,
  startCluster,
  waitFor,
  waitConnected,
  type ApiClient,
  type TestAgent,
  type TestController,
} from './fixture.js';

/** systemd as it behaves over D-Bus when a job is already running by the time the StartUnit reply arrives. */
class RunningOnReply extends FakeSystemdManager {
  override async queueJob(op: UnitOp, unit: string, mode: string): Promise<QueuedJob> {
    const job = await super.queueJob(op, unit, mode);
    await job.running;
    return job;
  }
}

const UNITS: Record<string, FakeUnitOptions> = {
  'bench.service': { runningSubState: 'exited' },
  'slow.service': { hang: true },
};

let ctl: TestController;
let agents: TestAgent[];
let api: ApiClient;
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ ctl, agents, api, stop } = await startCluster({ worker1: { units: UNITS } }));
});

afterEach(() => stop());

const jobEvents = (seen: ReturnType<typeof recordSignals>['seen']) =>
  seen.map((s) => (s.name === 'JobStateChanged' ? `${s.name} ${s.params.jobId} ${s.params.state}` : `${s.name} ${(s.params as { jobId: number }).jobId} ${(s.params as { result: string }).result}`));

describe('jobs', () => {
  it('the session that started a job gets JobStateChanged then JobRemoved; other sessions get nothing', async () => {
    const other = await ctl.api();
    const mine = recordSignals(api, ['JobStateChanged', 'JobRemoved']);
    const theirs = recordSignals(other, ['JobStateChanged', 'JobRemoved']);
    const removed = await runJob(api, 'start', 'worker1', 'bench.service');
    expect(removed).toEqual({ jobId: removed.jobId, node: 'worker1', unit: 'bench.service', type: 'start', result: 'done' });
    expect(jobEvents(mine.seen)).toEqual([`JobStateChanged ${removed.jobId} running`, `JobRemoved ${removed.jobId} done`]);
    await drain(other);
    expect(theirs.seen).toEqual([]);
  });

  it('reports JobStateChanged for a job that was already running when systemd accepted it', async () => {
    await agents[0]!.stop();
    agents[0] = startAgent('worker2', `tcp:host=127.0.0.1,port=${ctl.port}`, { systemd: new RunningOnReply(UNITS) });
    await waitConnected(api, agents);
    const mine = recordSignals(api, ['JobStateChanged', 'JobRemoved']);
    const { jobId } = await runJob(api, 'start', 'worker2', 'bench.service');
    expect(jobEvents(mine.seen)).toEqual([`JobStateChanged ${jobId} running`, `JobRemoved ${jobId} done`]);
  });

  it('lists a job while it hangs, with its state', async () => {
    const pending = runJob(api, 'start', 'worker1', 'slow.service');
    const job = await waitFor('the job running', async () => (await api.call('ListJobs', {})).jobs.find((j) => j.state === 'running'));
    expect(job).toMatchObject({ node: 'worker1', unit: 'slow.service', type: 'start', state: 'running' });
    expect(job.createdAt).toBeGreaterThan(0);
    agents[0]!.systemd.releaseHungJobs();
    expect((await pending).result).toBe('done');
    expect((await api.call('ListJobs', {})).jobs).toEqual([]);
  });

  it('CancelJob of a hung job ends it with result canceled, from any session', async () => {
    const pending = runJob(api, 'start', 'worker1', 'slow.service');
    const { id } = await waitFor('the job listed', async () => (await api.call('ListJobs', {})).jobs[0]);
    const other = await ctl.api();
    expect(await other.call('CancelJob', { jobId: id })).toEqual({});
    expect(await pending).toMatchObject({ jobId: id, result: 'canceled' });
    expect(agents[0]!.systemd.pendingJobs).toBe(0);
    expect((await api.call('ListJobs', {})).jobs).toEqual([]);
    await expect(api.call('CancelJob', { jobId: id })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `No job with ID '${id}' found` });
  });
});
