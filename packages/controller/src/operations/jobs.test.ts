import { describe, expect, it } from 'vitest';
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import type { JobRegistry } from '../jobs.js';
import { fakeServices, recordingSession as session } from './fake-services.js';

type Answer = (params: Record<string, unknown>) => unknown;

/** Nodes n1 (online) and n2 (offline); n1's agent answers `{}` unless `answers` has the method. */
function setup(answers: Record<string, Answer> = {}) {
  const f = fakeServices({ nodes: ['n1', 'n2'], attached: ['n1'], answer: (_node, method, params) => (answers[method] ?? (() => ({})))(params) });
  return { ops: f.ops, jobs: f.services.jobs, agentCalls: f.calls, state: f.state };
}

describe('job operations', () => {
  it('answers with the job id; the session that asked gets JobStateChanged then JobRemoved, others nothing', async () => {
    const { ops, jobs, agentCalls } = setup();
    const a = session();
    const b = session();
    const { jobId } = await ops.StartUnit({ node: 'n1', unit: 'a.service' }, a.ctx);
    expect(agentCalls.map((c) => [c.method, c.params])).toEqual([['StartUnit', { unit: 'a.service', mode: 'replace', jobId }]]);
    jobs.stateChanged('n1', jobId, 'running');
    jobs.done('n1', jobId, 'done');
    expect(a.signals).toEqual([
      `JobStateChanged {"jobId":${jobId},"state":"running"}`,
      `JobRemoved {"jobId":${jobId},"node":"n1","unit":"a.service","type":"start","result":"done"}`,
    ]);
    expect(b.signals).toEqual([]);
  });

  it('each session gets the events of its own jobs only', async () => {
    const { ops, jobs } = setup();
    const a = session();
    const b = session();
    const ja = (await ops.StopUnit({ node: 'n1', unit: 'a.service', mode: 'fail' }, a.ctx)).jobId;
    const jb = (await ops.RestartUnit({ node: 'n1', unit: 'b.service' }, b.ctx)).jobId;
    jobs.done('n1', jb, 'done');
    jobs.done('n1', ja, 'canceled');
    expect(a.signals).toEqual([`JobRemoved {"jobId":${ja},"node":"n1","unit":"a.service","type":"stop","result":"canceled"}`]);
    expect(b.signals).toEqual([`JobRemoved {"jobId":${jb},"node":"n1","unit":"b.service","type":"restart","result":"done"}`]);
  });

  it('reports a result that overtakes the agent reply once the job is accepted', async () => {
    const ctx = { jobs: undefined as JobRegistry | undefined };
    const { ops, jobs } = setup({
      ReloadUnit: (p) => {
        ctx.jobs!.done('n1', p.jobId as number, 'done');
        return {};
      },
    });
    ctx.jobs = jobs;
    const a = session();
    const { jobId } = await ops.ReloadUnit({ node: 'n1', unit: 'a.service' }, a.ctx);
    expect(a.signals).toEqual([`JobRemoved {"jobId":${jobId},"node":"n1","unit":"a.service","type":"reload","result":"done"}`]);
    expect(jobs.size).toBe(0);
  });

  it.each([
    ['runs', false, ['JobStateChanged']],
    ['runs and ends', true, ['JobStateChanged', 'JobRemoved']],
  ])('reports, in order, that a job %s before the agent reply', async (_what, ends, expected) => {
    const ctx = { jobs: undefined as JobRegistry | undefined };
    const { ops, jobs } = setup({
      StartUnit: (p) => {
        ctx.jobs!.stateChanged('n1', p.jobId as number, 'running');
        if (ends) ctx.jobs!.done('n1', p.jobId as number, 'done');
        return {};
      },
    });
    ctx.jobs = jobs;
    const a = session();
    await ops.StartUnit({ node: 'n1', unit: 'a.service' }, a.ctx);
    expect(a.signals.map((s) => s.split(' ')[0])).toEqual(expected);
  });

  it('carries the error of a job whose node dropped', async () => {
    const { ops, jobs } = setup();
    const a = session();
    const { jobId } = await ops.StartUnit({ node: 'n1', unit: 'a.service' }, a.ctx);
    jobs.failNode('n1');
    expect(a.signals).toEqual([
      `JobRemoved {"jobId":${jobId},"node":"n1","unit":"a.service","type":"start","result":"failed","error":{"code":"NODE_OFFLINE","message":"Node is offline"}}`,
    ]);
  });

  it('a refused job is not announced and not listed', async () => {
    const refusal = new BluechiError(ErrorCodes.SYSTEMD_ERROR, 'Unit a.service not found.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' });
    const { ops, jobs } = setup({
      StartUnit: () => {
        throw refusal;
      },
    });
    const a = session();
    await expect(ops.StartUnit({ node: 'n1', unit: 'a.service' }, a.ctx)).rejects.toBe(refusal);
    expect(jobs.size).toBe(0);
    expect((await ops.ListJobs({}, a.ctx)).jobs).toEqual([]);
    jobs.failNode('n1');
    expect(a.signals).toEqual([]);
  });

  it.each([
    ['an unknown node', { node: 'nosuch', unit: 'a.service' }, 'NODE_NOT_FOUND', "Unknown object '/org/eclipse/bluechi/node/nosuch'."],
    ['an offline node', { node: 'n2', unit: 'a.service' }, 'NODE_OFFLINE', 'Node is offline'],
    ['an invalid unit name', { node: 'n1', unit: 'bad name' }, 'INVALID_UNIT_NAME', 'Unit name bad name is not valid.'],
  ])('refuses %s before anything reaches an agent', async (_what, params, code, message) => {
    const { ops, agentCalls, jobs } = setup();
    await expect(ops.StartUnit(params, session().ctx)).rejects.toMatchObject({ code, message });
    expect(agentCalls).toEqual([]);
    expect(jobs.size).toBe(0);
  });

  it('refuses new jobs while shutting down', async () => {
    const { ops, state, agentCalls } = setup();
    state.shuttingDown = true;
    await expect(ops.StartUnit({ node: 'n1', unit: 'a.service' }, session().ctx)).rejects.toMatchObject({
      code: 'SHUTTING_DOWN',
      message: 'Request not allowed: node is in shutdown state',
    });
    expect(agentCalls).toEqual([]);
  });

  it('lists the jobs that have not ended, of every session', async () => {
    const { ops, jobs } = setup();
    const a = session();
    const j1 = (await ops.StartUnit({ node: 'n1', unit: 'a.service' }, a.ctx)).jobId;
    const j2 = (await ops.StopUnit({ node: 'n1', unit: 'b.service' }, session().ctx)).jobId;
    jobs.stateChanged('n1', j2, 'running');
    expect((await ops.ListJobs({}, a.ctx)).jobs.map((j) => [j.id, j.node, j.unit, j.type, j.state])).toEqual([
      [j1, 'n1', 'a.service', 'start', 'waiting'],
      [j2, 'n1', 'b.service', 'stop', 'running'],
    ]);
  });

  it("CancelJob asks the job's node with the request's signal, and refuses an unknown job", async () => {
    const { ops, agentCalls } = setup();
    const a = session();
    const { jobId } = await ops.StartUnit({ node: 'n1', unit: 'a.service' }, a.ctx);
    const other = session();
    await ops.CancelJob({ jobId }, other.ctx);
    expect(agentCalls.at(-1)).toEqual({ node: 'n1', method: 'JobCancel', params: { jobId }, signal: other.ctx.signal });
    await expect(ops.CancelJob({ jobId: 999 }, a.ctx)).rejects.toMatchObject({ code: 'NOT_FOUND', message: "No job with ID '999' found" });
  });

  it('stops following jobs when the session closes', async () => {
    const { ops, jobs } = setup();
    const before = jobs.listenerCount('removed');
    const a = session();
    const { jobId } = await ops.StartUnit({ node: 'n1', unit: 'a.service' }, a.ctx);
    await ops.StartUnit({ node: 'n1', unit: 'b.service' }, a.ctx);
    expect(jobs.listenerCount('removed')).toBe(before + 1);
    a.close();
    expect(jobs.listenerCount('removed')).toBe(before);
    expect(jobs.listenerCount('state')).toBe(0);
    jobs.done('n1', jobId, 'done');
    expect(a.signals).toEqual([]);
  });
});
