import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@bluechi-ts/protocol/logging';
import type { AgentPeer } from './agent-peer.js';
import { JobRegistry } from './jobs.js';
import { Metrics, type StartUnitJobMetrics } from './metrics.js';
import { NodeRegistry } from './node-registry.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });

type Timestamps = { ActiveEnterTimestampMonotonic: number; InactiveExitTimestampMonotonic: number };

/** Nodes whose agents record calls and answer GetUnitProperties with `timestamps` (or fail). */
function setup() {
  const registry = new NodeRegistry(['n1', 'n2', 'n3'].map((name) => ({ name, allowDependenciesOn: [] })));
  const clock = { mono: 100 };
  const jobs = new JobRegistry(() => 0, () => clock.mono);
  const metrics = new Metrics(registry, jobs, log, () => clock.mono);
  const calls: string[] = [];
  const agent = { timestamps: { ActiveEnterTimestampMonotonic: 5_000_300, InactiveExitTimestampMonotonic: 5_000_000 } as Timestamps | Error };
  const attach = (name: string) => {
    const peer = {
      call: async (method: string, params: Record<string, unknown>) => {
        calls.push(`${name} ${method}${params.unit ? ` ${String(params.unit)} ${String(params.interface)}` : ''}`);
        if (method !== 'GetUnitProperties') return {};
        if (agent.timestamps instanceof Error) throw agent.timestamps;
        return { properties: agent.timestamps, signatures: {}, timestamp: 0 };
      },
    } as unknown as AgentPeer;
    const node = registry.require(name);
    node.attach(peer, '', 0, 0, 0);
    metrics.nodeAttached(node);
  };
  /** Runs a job from request to JobDone, taking `ms` on the controller's clock. */
  const runJob = (type: 'start' | 'stop', ms: number, result = 'done') => {
    const job = jobs.create('n1', 'a.service', type);
    jobs.accept(job);
    clock.mono += ms;
    jobs.done('n1', job.id, result);
    return job;
  };
  const nextStart = () => once(metrics, 'startUnitJob').then(([m]) => m as StartUnitJobMetrics);
  return { registry, jobs, metrics, calls, agent, attach, runJob, nextStart, clock };
}

describe('Metrics switch', () => {
  it('is off by default; enabling or disabling twice is INVALID_STATE', () => {
    const { metrics } = setup();
    expect(metrics.enabled).toBe(false);
    expect(() => metrics.disable()).toThrow(expect.objectContaining({ code: 'INVALID_STATE', message: 'Metrics already disabled' }));
    metrics.enable();
    expect(metrics.enabled).toBe(true);
    expect(() => metrics.enable()).toThrow(expect.objectContaining({ code: 'INVALID_STATE', message: 'Metrics already enabled' }));
    metrics.disable();
    expect(metrics.enabled).toBe(false);
  });

  it('tells every online agent, and an agent that attaches while metrics are on', () => {
    const { metrics, calls, attach } = setup();
    attach('n1');
    attach('n2');
    expect(calls).toEqual([]);
    metrics.enable();
    expect(calls).toEqual(['n1 EnableMetrics', 'n2 EnableMetrics']);
    attach('n3');
    expect(calls.slice(2)).toEqual(['n3 EnableMetrics']);
    metrics.disable();
    expect(calls.slice(3)).toEqual(['n1 DisableMetrics', 'n2 DisableMetrics', 'n3 DisableMetrics']);
  });

  it('passes agent job metrics on with the node name only while on', () => {
    const { registry, metrics } = setup();
    const seen: unknown[] = [];
    metrics.on('agentJob', (m) => seen.push(m));
    const n1 = registry.require('n1');
    metrics.agentJob(n1, { unit: 'a.service', method: 'StartUnit', systemdJobTimeUs: 10 });
    metrics.enable();
    metrics.agentJob(n1, { unit: 'a.service', method: 'StopUnit', systemdJobTimeUs: 20 });
    expect(seen).toEqual([{ node: 'n1', unit: 'a.service', method: 'StopUnit', systemdJobTimeUs: 20 }]);
  });
});

describe('StartUnitJobMetrics', () => {
  it("reports the controller's gross time and the unit's net start time from its timestamps", async () => {
    const { metrics, calls, attach, runJob, nextStart } = setup();
    attach('n1');
    metrics.enable();
    const next = nextStart();
    const job = runJob('start', 12.5);
    expect(await next).toEqual({
      node: 'n1',
      jobId: job.id,
      jobPath: `/org/eclipse/bluechi/job/${job.id}`,
      unit: 'a.service',
      jobMeasuredTimeUs: 12_500,
      unitStartPropTimeUs: 300,
    });
    expect(calls).toContain('n1 GetUnitProperties a.service org.freedesktop.systemd1.Unit');
  });

  it('measures only start jobs accepted while metrics are on', async () => {
    const { metrics, attach, runJob, nextStart } = setup();
    attach('n1');
    runJob('start', 1);
    metrics.enable();
    const seen: StartUnitJobMetrics[] = [];
    metrics.on('startUnitJob', (m) => seen.push(m));
    runJob('stop', 1);
    const next = nextStart();
    const measured = runJob('start', 3);
    await next;
    expect(seen.map((m) => m.jobId)).toEqual([measured.id]);
  });

  it('drops a start job when metrics are switched off before it ends', async () => {
    const { metrics, jobs, attach, runJob, nextStart } = setup();
    attach('n1');
    metrics.enable();
    const seen: number[] = [];
    metrics.on('startUnitJob', (m) => seen.push(m.jobId));
    const early = jobs.create('n1', 'a.service', 'start');
    jobs.accept(early);
    metrics.disable();
    jobs.done('n1', early.id, 'done');
    metrics.enable();
    const next = nextStart();
    const later = runJob('start', 1);
    await next;
    expect(seen).toEqual([later.id]);
  });

  it.each<[string, Timestamps | Error]>([
    ['the unit never got active', { ActiveEnterTimestampMonotonic: 0, InactiveExitTimestampMonotonic: 7 }],
    ['the unit never left inactive', { ActiveEnterTimestampMonotonic: 7, InactiveExitTimestampMonotonic: 0 }],
    ['the timestamps cannot be read', new Error('Unit a.service not loaded.')],
  ])('reports a net time of 0 when %s', async (_what, timestamps) => {
    const { metrics, agent, attach, runJob, nextStart } = setup();
    attach('n1');
    agent.timestamps = timestamps;
    metrics.enable();
    const next = nextStart();
    runJob('start', 2);
    expect(await next).toMatchObject({ jobMeasuredTimeUs: 2_000, unitStartPropTimeUs: 0 });
  });

  it('does not ask a node that dropped, and still reports the gross time', async () => {
    const { metrics, jobs, calls, attach, clock, nextStart } = setup();
    attach('n1');
    metrics.enable();
    const next = nextStart();
    const job = jobs.create('n1', 'a.service', 'start');
    jobs.accept(job);
    clock.mono += 4;
    jobs.failNode('n1');
    expect(await next).toMatchObject({ jobId: job.id, jobMeasuredTimeUs: 4_000, unitStartPropTimeUs: 0 });
    expect(calls.filter((c) => c.includes('GetUnitProperties'))).toEqual([]);
  });
});
