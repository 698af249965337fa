/** Job metrics end to end: switched on the agents, measured on start jobs, sent to the sessions that watch them. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drain, dropNode, recordSignals, runJob, startAgent, startCluster, waitFor, waitConnected, type ApiClient, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let agents: TestAgent[];
let api: ApiClient;
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ ctl, agents, api, stop } = await startCluster({ worker1: {} }));
});

afterEach(() => stop());

describe('metrics', () => {
  it('measures a start job: the controller gross time and the unit net start time from its timestamps', async () => {
    const rec = recordSignals(api, ['StartUnitJobMetrics', 'AgentJobMetrics']);
    await api.call('EnableMetrics', {});
    await api.call('WatchMetrics', {});
    await waitFor('the agent measuring', () => agents[0]!.agent.metrics.enabled);
    const { jobId } = await runJob(api, 'start', 'worker1', 'bench.service');
    const start = await waitFor('start metrics', () => rec.seen.find((s) => s.name === 'StartUnitJobMetrics'));
    const { properties: p } = await api.call('GetUnitProperties', { node: 'worker1', unit: 'bench.service', interface: 'org.freedesktop.systemd1.Unit' });
    const net = (p.ActiveEnterTimestampMonotonic as number) - (p.InactiveExitTimestampMonotonic as number);
    expect(start.params).toEqual({
      node: 'worker1',
      jobId,
      jobPath: `/org/eclipse/bluechi/job/${jobId}`,
      unit: 'bench.service',
      jobMeasuredTimeUs: expect.any(Number),
      unitStartPropTimeUs: net,
    });
    expect(start.params.jobMeasuredTimeUs).toBeGreaterThan(0);
    const agentMetrics = rec.seen.filter((s) => s.name === 'AgentJobMetrics').map((s) => s.params);
    expect(agentMetrics).toEqual([{ node: 'worker1', unit: 'bench.service', method: 'StartUnit', systemdJobTimeUs: expect.any(Number) }]);
  });

  it('sends only agent metrics for jobs other than start', async () => {
    const rec = recordSignals(api, ['StartUnitJobMetrics', 'AgentJobMetrics']);
    await api.call('EnableMetrics', {});
    await api.call('WatchMetrics', {});
    await waitFor('the agent measuring', () => agents[0]!.agent.metrics.enabled);
    await runJob(api, 'start', 'worker1', 'bench.service');
    await runJob(api, 'restart', 'worker1', 'bench.service');
    await runJob(api, 'stop', 'worker1', 'bench.service');
    await waitFor('three agent metrics', () => rec.seen.filter((s) => s.name === 'AgentJobMetrics').length >= 3);
    await waitFor('start metrics', () => rec.seen.some((s) => s.name === 'StartUnitJobMetrics'));
    await drain(api);
    expect(rec.seen.filter((s) => s.name === 'AgentJobMetrics').map((s) => (s.params as { method: string }).method)).toEqual(['StartUnit', 'RestartUnit', 'StopUnit']);
    expect(rec.seen.filter((s) => s.name === 'StartUnitJobMetrics')).toHaveLength(1);
  });

  it('a node that connects while metrics are on measures too; DisableMetrics switches every node off', async () => {
    await api.call('EnableMetrics', {});
    const w2 = startAgent('worker2', `unix:path=${ctl.agentSocket}`);
    agents.push(w2);
    await waitFor('the new node measuring', () => w2.agent.metrics.enabled);
    await api.call('DisableMetrics', {});
    await waitFor('every node off', () => agents.every((a) => !a.agent.metrics.enabled));
  });

  it('sends nothing while metrics are off, and refuses a switch to the state they are in', async () => {
    const rec = recordSignals(api, ['StartUnitJobMetrics', 'AgentJobMetrics']);
    await api.call('WatchMetrics', {});
    await expect(api.call('DisableMetrics', {})).rejects.toMatchObject({ code: 'INVALID_STATE', message: 'Metrics already disabled' });
    await runJob(api, 'start', 'worker1', 'bench.service');
    await drain(api);
    expect(rec.seen).toEqual([]);
    await api.call('EnableMetrics', {});
    await expect(api.call('EnableMetrics', {})).rejects.toMatchObject({ code: 'INVALID_STATE', message: 'Metrics already enabled' });
  });

  it('a node that reconnects is switched on again', async () => {
    await api.call('EnableMetrics', {});
    await waitFor('measuring', () => agents[0]!.agent.metrics.enabled);
    dropNode(ctl, 'worker1');
    // The agent switches metrics off when it loses the controller, right after saying so.
    await waitFor('the agent noticed', () => agents[0]!.logs.lines.some((l) => l.includes('Disconnected from controller')));
    await waitFor('measuring again', () => agents[0]!.agent.metrics.enabled);
    await waitConnected(api, agents);
  });
});
