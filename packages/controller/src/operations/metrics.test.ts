import { describe, expect, it } from 'vitest';
import { attempt, fakeServices, recordingSession as session } from './fake-services.js';

function setup() {
  const { services: s, ops, calls } = fakeServices();
  return { s, ops, agentCalls: calls };
}

describe('metrics operations', () => {
  it('switch metrics on the agents, refusing a switch to the state they are in', async () => {
    const { ops, agentCalls } = setup();
    const { ctx } = session();
    await expect(attempt(() => ops.DisableMetrics({}, ctx))).rejects.toMatchObject({ code: 'INVALID_STATE', message: 'Metrics already disabled' });
    await ops.EnableMetrics({}, ctx);
    await expect(attempt(() => ops.EnableMetrics({}, ctx))).rejects.toMatchObject({ code: 'INVALID_STATE', message: 'Metrics already enabled' });
    await ops.DisableMetrics({}, ctx);
    expect(agentCalls.map((c) => c.method)).toEqual(['EnableMetrics', 'DisableMetrics']);
  });

  it('WatchMetrics sends each metric once, however often it is asked, until the session closes', async () => {
    const { s, ops } = setup();
    const a = session();
    const idle = session();
    await ops.EnableMetrics({}, a.ctx);
    await ops.WatchMetrics({}, a.ctx);
    await ops.WatchMetrics({}, a.ctx);
    const n1 = s.registry.require('n1');
    s.metrics.agentJob(n1, { unit: 'a.service', method: 'StartUnit', systemdJobTimeUs: 5 });
    expect(a.signals).toEqual(['AgentJobMetrics {"node":"n1","unit":"a.service","method":"StartUnit","systemdJobTimeUs":5}']);
    expect(idle.signals).toEqual([]);
    a.close();
    expect(s.metrics.listenerCount('agentJob')).toBe(0);
    expect(s.metrics.listenerCount('startUnitJob')).toBe(0);
  });
});
