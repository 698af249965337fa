/** Unit operations routed controller -> agent -> (fake) systemd and back. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, startController, waitFor, waitOnline, type ApiClient, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let w1: TestAgent;
let api: ApiClient;

beforeEach(async () => {
  ctl = await startController();
  w1 = startAgent('worker1', `tcp:host=127.0.0.1,port=${ctl.port}`, {
    units: {
      'bench.service': { runningSubState: 'exited' },
      'broken.service': { failing: true },
      'slow.service': { hang: true },
      'noreload.service': { reloadable: false },
    },
  });
  api = await ctl.api();
  await waitOnline(api, ['worker1']);
});

afterEach(async () => {
  await w1.stop();
  await ctl.stop();
});

describe('unit operations', () => {
  it('runs start, stop, restart and reload with controller-assigned job ids', async () => {
    const results = [];
    for (const op of ['start', 'restart', 'reload', 'stop'] as const) results.push(await api.call('UnitJob', { node: 'worker1', unit: 'bench.service', op }));
    expect(results.map((r) => r.result)).toEqual(['done', 'done', 'done', 'done']);
    expect(results.map((r) => r.jobId)).toEqual([1, 2, 3, 4]);
    expect(w1.systemd.calls.map((c) => [c.op, c.unit, c.mode])).toEqual([
      ['start', 'bench.service', 'replace'],
      ['restart', 'bench.service', 'replace'],
      ['reload', 'bench.service', 'replace'],
      ['stop', 'bench.service', 'replace'],
    ]);
  });

  it('reports a failing unit as failed, not as an error', async () => {
    expect((await api.call('UnitJob', { node: 'worker1', unit: 'broken.service', op: 'start' })).result).toBe('failed');
  });

  it("passes systemd's own error text through", async () => {
    await expect(api.call('UnitJob', { node: 'worker1', unit: 'nosuch.service', op: 'start' })).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Unit nosuch.service not found.',
    });
    await expect(api.call('UnitJob', { node: 'worker1', unit: 'noreload.service', op: 'reload' })).rejects.toMatchObject({
      message: 'Job type reload is not applicable for unit noreload.service.',
    });
  });

  it('refuses an invalid unit name before it reaches the node', async () => {
    await expect(api.call('UnitJob', { node: 'worker1', unit: 'bad unit name', op: 'start' })).rejects.toMatchObject({
      code: 'INVALID_UNIT_NAME',
      message: 'Unit name bad unit name is not valid.',
    });
    expect(w1.systemd.calls).toEqual([]);
  });

  it('reports unknown and offline nodes', async () => {
    await expect(api.call('UnitJob', { node: 'nosuchnode', unit: 'bench.service', op: 'start' })).rejects.toMatchObject({
      code: 'NODE_NOT_FOUND',
      message: "Unknown object '/org/eclipse/bluechi/node/nosuchnode'.",
    });
    await expect(api.call('UnitJob', { node: 'worker2', unit: 'bench.service', op: 'start' })).rejects.toMatchObject({
      code: 'NODE_OFFLINE',
      message: 'Node is offline',
    });
    await expect(api.call('ListUnits', { node: 'worker2' })).rejects.toMatchObject({ message: 'Node is offline' });
  });

  it('fails a job in flight with Node is offline when the node drops', async () => {
    const pending = api.call('UnitJob', { node: 'worker1', unit: 'slow.service', op: 'start' });
    await waitFor('job queued on the node', () => w1.systemd.calls.length === 1);
    await w1.stop();
    await expect(pending).rejects.toMatchObject({ code: 'NODE_OFFLINE', message: 'Node is offline' });
  });

  it("ends a job in flight with 'cancelled due to shutdown' when the controller stops", async () => {
    const pending = api.call('UnitJob', { node: 'worker1', unit: 'slow.service', op: 'start' });
    await waitFor('job queued on the node', () => w1.systemd.calls.length === 1);
    await ctl.controller.stop();
    await expect(pending).resolves.toMatchObject({ result: 'cancelled due to shutdown' });
  });

  it('lists units of one node and of all online nodes, and reads properties', async () => {
    const one = await api.call('ListUnits', { node: 'worker1' });
    expect(one.nodes).toHaveLength(1);
    expect(one.nodes[0]!.units.map((u) => u.name).sort()).toEqual(['bench.service', 'broken.service', 'noreload.service', 'slow.service']);
    const all = await api.call('ListUnits', {});
    expect(all.nodes.map((n) => n.node)).toEqual(['worker1']);
    const props = await api.call('GetUnitProperties', { node: 'worker1', unit: 'bench.service' });
    expect(props.properties).toMatchObject({ Id: 'bench.service', LoadState: 'loaded', ActiveState: 'inactive', SubState: 'dead' });
    const missing = await api.call('GetUnitProperties', { node: 'worker1', unit: 'nosuch.service' });
    expect(missing.properties).toMatchObject({ LoadState: 'not-found' });
  });
});
