/** Unit operations routed controller -> agent -> (fake) systemd and back. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runJob, startCluster, waitFor, type ApiClient, type JobRemoved, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let w1: TestAgent;
let api: ApiClient;
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ ctl, api, stop, agents: [w1] } = await startCluster({
    worker1: {
      units: {
        'bench.service': { runningSubState: 'exited' },
        'broken.service': { failing: true },
        'slow.service': { hang: true },
        'noreload.service': { reloadable: false },
      },
    },
  }));
});

afterEach(() => stop());

describe('unit operations', () => {
  it('runs start, stop, restart and reload with controller-assigned job ids', async () => {
    const results: JobRemoved[] = [];
    for (const op of ['start', 'restart', 'reload', 'stop'] as const) results.push(await runJob(api, op, 'worker1', 'bench.service'));
    expect(results.map((r) => r.result)).toEqual(['done', 'done', 'done', 'done']);
    expect(results.map((r) => r.jobId)).toEqual([1, 2, 3, 4]);
    expect(results.map((r) => r.type)).toEqual(['start', 'restart', 'reload', 'stop']);
    expect(w1.systemd.calls.map((c) => [c.op, c.unit, c.mode])).toEqual([
      ['start', 'bench.service', 'replace'],
      ['restart', 'bench.service', 'replace'],
      ['reload', 'bench.service', 'replace'],
      ['stop', 'bench.service', 'replace'],
    ]);
  });

  it('reports a failing unit as failed, not as an error', async () => {
    expect((await runJob(api, 'start', 'worker1', 'broken.service')).result).toBe('failed');
  });

  it("passes systemd's own error text through", async () => {
    await expect(api.call('StartUnit', { node: 'worker1', unit: 'nosuch.service' })).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Unit nosuch.service not found.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
    await expect(api.call('ReloadUnit', { node: 'worker1', unit: 'noreload.service' })).rejects.toMatchObject({
      message: 'Job type reload is not applicable for unit noreload.service.',
      data: { dbusName: 'org.freedesktop.systemd1.JobTypeNotApplicable' },
    });
  });

  it('refuses an invalid unit name before it reaches the node', async () => {
    await expect(api.call('StartUnit', { node: 'worker1', unit: 'bad unit name' })).rejects.toMatchObject({
      code: 'INVALID_UNIT_NAME',
      message: 'Unit name bad unit name is not valid.',
    });
    expect(w1.systemd.calls).toEqual([]);
  });

  it('reports unknown and offline nodes', async () => {
    await expect(api.call('StartUnit', { node: 'nosuchnode', unit: 'bench.service' })).rejects.toMatchObject({
      code: 'NODE_NOT_FOUND',
      message: "Unknown object '/org/eclipse/bluechi/node/nosuchnode'.",
    });
    await expect(api.call('StartUnit', { node: 'worker2', unit: 'bench.service' })).rejects.toMatchObject({
      code: 'NODE_OFFLINE',
      message: 'Node is offline',
    });
    await expect(api.call('ListUnits', { node: 'worker2' })).rejects.toMatchObject({ message: 'Node is offline' });
  });

  it('ends a job in flight with the Node is offline error when the node drops', async () => {
    const pending = runJob(api, 'start', 'worker1', 'slow.service');
    await waitFor('job queued on the node', () => w1.systemd.calls.length === 1);
    await w1.stop();
    expect(await pending).toMatchObject({ result: 'failed', error: { code: 'NODE_OFFLINE', message: 'Node is offline' } });
  });

  it("ends a job in flight with 'cancelled due to shutdown' when the controller stops", async () => {
    const pending = runJob(api, 'start', 'worker1', 'slow.service');
    await waitFor('job queued on the node', () => w1.systemd.calls.length === 1);
    await ctl.controller.stop();
    expect(await pending).toMatchObject({ result: 'cancelled due to shutdown' });
  });

  it('lists units of one node and of all online nodes, and reads properties', async () => {
    const one = await api.call('ListUnits', { node: 'worker1' });
    expect(one.nodes).toHaveLength(1);
    expect(one.nodes[0]!.units.map((u) => u.name).sort()).toEqual(['bench.service', 'broken.service', 'noreload.service', 'slow.service']);
    const all = await api.call('ListUnits', {});
    expect(all.nodes.map((n) => n.node)).toEqual(['worker1']);
    const props = await api.call('GetUnitProperties', { node: 'worker1', unit: 'bench.service' });
    expect(props.properties).toMatchObject({ Id: 'bench.service', LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead' });
    expect(props.signatures).toMatchObject({ Id: 's', LoadState: 's' });
    expect(props.timestamp).toBeGreaterThan(Date.UTC(2020, 0) * 1000);
    const missing = await api.call('GetUnitProperties', { node: 'worker1', unit: 'nosuch.service' });
    expect(missing.properties).toMatchObject({ LoadState: 'not-found' });
  });
});
