import { describe, expect, it } from 'vitest';
import type { RequestContext } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { FakeSystemdManager, type FakeUnitOptions } from '../systemd/fake-manager.js';
import { UnitWatch, type AgentNotify } from '../unit-watch.js';
import { agentHandlers } from './index.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });
const ctx: RequestContext = { id: 1, signal: new AbortController().signal };

function setup(units: Record<string, FakeUnitOptions> = { 'a.service': {}, 'slow.service': { hang: true } }) {
  const systemd = new FakeSystemdManager(units);
  const sent: Array<{ name: string; params: Record<string, unknown> }> = [];
  const notify: AgentNotify = (name, params) => sent.push({ name, params: params as Record<string, unknown> });
  const metrics = { enabled: false };
  const handlers = agentHandlers({ systemd, watch: new UnitWatch(systemd, notify, log), notify, log, metrics });
  return { systemd, sent, metrics, handlers };
}

async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`never happened: ${what}`);
}

const jobSignals = (sent: Array<{ name: string; params: Record<string, unknown> }>) =>
  sent.filter((s) => s.name.startsWith('Job') || s.name === 'AgentJobMetrics').map((s) => s.name);

describe('agent job handlers', () => {
  it('answers once systemd accepted the job, then sends JobStateChanged running and JobDone under the controller job id', async () => {
    const { handlers, sent, systemd } = setup();
    expect(await handlers.StartUnit({ unit: 'a.service', mode: 'replace', jobId: 41 }, ctx)).toEqual({});
    expect(systemd.calls).toEqual([{ op: 'start', unit: 'a.service', mode: 'replace' }]);
    await until('JobDone', () => sent.some((s) => s.name === 'JobDone'));
    expect(sent.filter((s) => s.name.startsWith('Job'))).toEqual([
      { name: 'JobStateChanged', params: { jobId: 41, state: 'running' } },
      { name: 'JobDone', params: { jobId: 41, result: 'done' } },
    ]);
  });

  it.each([
    ['StopUnit', 'stop'],
    ['RestartUnit', 'restart'],
    ['ReloadUnit', 'reload'],
  ] as const)('%s queues a %s job', async (method, op) => {
    const { handlers, systemd, sent } = setup({ 'a.service': { activeState: 'active', subState: 'running' } });
    await handlers[method]({ unit: 'a.service', mode: 'fail', jobId: 3 }, ctx);
    expect(systemd.calls).toEqual([{ op, unit: 'a.service', mode: 'fail' }]);
    expect((await until('JobDone', () => sent.find((s) => s.name === 'JobDone')))!.params).toEqual({ jobId: 3, result: 'done' });
  });

  it('sends AgentJobMetrics only while metrics are enabled', async () => {
    const { handlers, sent } = setup();
    await handlers.StartUnit({ unit: 'a.service', mode: 'replace', jobId: 1 }, ctx);
    await until('first JobDone', () => sent.some((s) => s.name === 'JobDone'));
    expect(jobSignals(sent)).toEqual(['JobStateChanged', 'JobDone']);
    await handlers.EnableMetrics({}, ctx);
    sent.length = 0;
    await handlers.StopUnit({ unit: 'a.service', mode: 'replace', jobId: 2 }, ctx);
    await until('second JobDone', () => sent.some((s) => s.name === 'JobDone'));
    const metric = sent.find((s) => s.name === 'AgentJobMetrics')!;
    expect(metric.params).toMatchObject({ unit: 'a.service', method: 'StopUnit' });
    expect(metric.params.systemdJobTimeUs).toBeGreaterThanOrEqual(1);
    expect(jobSignals(sent)).toEqual(['JobStateChanged', 'AgentJobMetrics', 'JobDone']);
    await handlers.DisableMetrics({}, ctx);
    sent.length = 0;
    await handlers.StartUnit({ unit: 'a.service', mode: 'replace', jobId: 3 }, ctx);
    await until('third JobDone', () => sent.some((s) => s.name === 'JobDone'));
    expect(jobSignals(sent)).toEqual(['JobStateChanged', 'JobDone']);
  });

  it('switches metrics with EnableMetrics and DisableMetrics', async () => {
    const { handlers, metrics } = setup();
    await handlers.EnableMetrics({}, ctx);
    await handlers.EnableMetrics({}, ctx);
    expect(metrics.enabled).toBe(true);
    await handlers.DisableMetrics({}, ctx);
    expect(metrics.enabled).toBe(false);
  });

  it('JobCancel cancels the systemd job, which then ends canceled', async () => {
    const { handlers, sent, systemd } = setup();
    await handlers.StartUnit({ unit: 'slow.service', mode: 'replace', jobId: 9 }, ctx);
    await until('running', () => sent.some((s) => s.name === 'JobStateChanged'));
    expect(await handlers.JobCancel({ jobId: 9 }, ctx)).toEqual({});
    expect(systemd.managerCalls).toEqual([['CancelJob', '/org/freedesktop/systemd1/job/1']]);
    expect((await until('JobDone', () => sent.find((s) => s.name === 'JobDone')))!.params).toEqual({ jobId: 9, result: 'canceled' });
    expect(systemd.pendingJobs).toBe(0);
  });

  it("JobCancel of a job it does not know, or that ended, is NOT_FOUND \"No job with ID 'n' found\"", async () => {
    const { handlers, sent } = setup();
    await expect(handlers.JobCancel({ jobId: 7 }, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND', message: "No job with ID '7' found" });
    await handlers.StartUnit({ unit: 'a.service', mode: 'replace', jobId: 8 }, ctx);
    await until('JobDone', () => sent.some((s) => s.name === 'JobDone'));
    await expect(handlers.JobCancel({ jobId: 8 }, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND', message: "No job with ID '8' found" });
  });

  it('passes systemd errors on as SYSTEMD_ERROR with their D-Bus name, and sends nothing', async () => {
    const { handlers, sent } = setup();
    await expect(handlers.StartUnit({ unit: 'nosuch.service', mode: 'replace', jobId: 1 }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Unit nosuch.service not found.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(sent).toEqual([]);
  });

  it('refuses an invalid unit name before systemd sees it', async () => {
    const { handlers, systemd } = setup();
    await expect(handlers.StartUnit({ unit: 'no good', mode: 'replace', jobId: 1 }, ctx)).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
    expect(systemd.calls).toEqual([]);
  });
});
