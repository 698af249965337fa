/** Monitors end to end: unit events from the agents' systemd, fanned out per monitor, across disconnects. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  drain,
  dropNode,
  recordSignals,
  runJob,
  startCluster,
  waitFor,
  type ApiClient,
  type SignalRecord,
  type TestAgent,
  type TestController,
} from './fixture.js';

let ctl: TestController;
let w1: TestAgent;
let api: ApiClient;
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ ctl, api, stop, agents: [w1] } = await startCluster({
    worker1: { units: { 'bench.service': { runningSubState: 'exited' }, 'other.service': {} } },
  }));
});

afterEach(() => stop());

/** Unit events as "monitorId Signal node unit [state] reason", UnitPropertiesChanged left out. */
function lines(seen: SignalRecord[]): string[] {
  const out: string[] = [];
  for (const s of seen) {
    if (s.name !== 'UnitNew' && s.name !== 'UnitRemoved' && s.name !== 'UnitStateChanged') continue;
    const p = s.params;
    const state = s.name === 'UnitStateChanged' ? ` ${s.params.activeState}/${s.params.subState}` : '';
    out.push(`${p.monitorId} ${s.name} ${p.node} ${p.unit}${state} ${p.reason}`);
  }
  return out;
}

const UNIT_SIGNALS = ['UnitNew', 'UnitRemoved', 'UnitStateChanged', 'UnitPropertiesChanged'] as const;

describe('monitor events', () => {
  it('reports a loaded unit at once, then every state of a start and a stop, in order', async () => {
    const rec = recordSignals(api, UNIT_SIGNALS);
    const { monitorId } = await api.call('CreateMonitor', {});
    expect(monitorId).toBe(1);
    const { subscriptionId } = await api.call('Subscribe', { monitorId, node: 'worker1', unit: 'bench.service' });
    expect(subscriptionId).toBe(2);
    await runJob(api, 'start', 'worker1', 'bench.service');
    await runJob(api, 'stop', 'worker1', 'bench.service');
    const m = `${monitorId} UnitStateChanged worker1 bench.service`;
    const expected = [
      `${monitorId} UnitNew worker1 bench.service virtual`,
      `${m} inactive/dead virtual`,
      `${m} activating/start real`,
      `${m} active/exited real`,
      `${m} deactivating/stop real`,
      `${m} inactive/dead real`,
    ];
    await waitFor('the stop reported', () => lines(rec.seen).length >= expected.length);
    expect(lines(rec.seen)).toEqual(expected);
    const props = rec.seen.find((s) => s.name === 'UnitPropertiesChanged');
    expect(props?.params).toMatchObject({
      monitorId,
      node: 'worker1',
      unit: 'bench.service',
      interface: 'org.freedesktop.systemd1.Unit',
      properties: { ActiveState: 'activating', SubState: 'start' },
      signatures: { ActiveState: 's', SubState: 's' },
    });
  });

  it('a node disconnect reports its units agent-offline and removed; its reconnect a virtual UnitNew of `*` and the units again', async () => {
    const rec = recordSignals(api, UNIT_SIGNALS);
    const { monitorId } = await api.call('CreateMonitor', {});
    await api.call('Subscribe', { monitorId, node: 'worker1', unit: 'bench.service' });
    await api.call('Subscribe', { monitorId, node: 'worker1', unit: '*' });
    await runJob(api, 'start', 'worker1', 'bench.service');
    await waitFor('bench active', () => lines(rec.seen).some((l) => l.includes('active/exited real')));
    await waitFor('the agent watching', () => w1.agent.watch.size === 2);
    await drain(api);
    rec.seen.length = 0;

    dropNode(ctl, 'worker1');
    await waitFor('the disconnect reported', () => lines(rec.seen).length >= 4);
    expect(lines(rec.seen).slice(0, 4)).toEqual([
      `${monitorId} UnitStateChanged worker1 bench.service inactive/agent-offline virtual`,
      `${monitorId} UnitRemoved worker1 bench.service virtual`,
      `${monitorId} UnitStateChanged worker1 * inactive/agent-offline virtual`,
      `${monitorId} UnitRemoved worker1 * virtual`,
    ]);

    await waitFor('the reconnect reported', () => lines(rec.seen).length >= 7);
    expect(lines(rec.seen).slice(4)).toEqual([
      `${monitorId} UnitNew worker1 * virtual`,
      `${monitorId} UnitNew worker1 bench.service virtual`,
      `${monitorId} UnitStateChanged worker1 bench.service active/exited virtual`,
    ]);
    await waitFor('the agent watching again', () => w1.agent.watch.size === 2);
    expect(ctl.controller.units.agentSubscriptions('worker1')).toEqual(new Map([['bench.service', 1], ['*', 1]]));
  });

  it('a unit that is not loaded is reported from its first real event', async () => {
    const rec = recordSignals(api, UNIT_SIGNALS);
    const { monitorId } = await api.call('CreateMonitor', {});
    await api.call('Subscribe', { monitorId, node: 'worker1', unit: 'late.service' });
    await waitFor('the agent watching', () => w1.agent.watch.watched('late.service'));
    w1.systemd.addUnit('late.service');
    w1.systemd.setState('late.service', 'active', 'running');
    await waitFor('two events', () => lines(rec.seen).length >= 2);
    expect(lines(rec.seen)).toEqual([
      `${monitorId} UnitNew worker1 late.service real`,
      `${monitorId} UnitStateChanged worker1 late.service active/running real`,
    ]);
  });

  it('each monitor gets one copy of each event, however many of its subscriptions match', async () => {
    const rec = recordSignals(api, ['UnitStateChanged']);
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { monitorId } = await api.call('CreateMonitor', {});
      ids.push(monitorId);
      await api.call('Subscribe', { monitorId, node: 'worker1', unit: 'bench.service' });
      await api.call('Subscribe', { monitorId, node: '*', unit: 'bench.service' });
      await api.call('SubscribeList', { monitorId, node: 'worker1', units: ['*', 'bench.service', 'other.service'] });
    }
    await runJob(api, 'start', 'worker1', 'bench.service');
    const real = (id: number) => lines(rec.seen).filter((l) => l.startsWith(`${id} `) && l.endsWith(' real'));
    await waitFor('both monitors saw the start', () => ids.every((id) => real(id).length >= 2));
    await drain(api);
    for (const id of ids) {
      expect(real(id)).toEqual([`${id} UnitStateChanged worker1 bench.service activating/start real`, `${id} UnitStateChanged worker1 bench.service active/exited real`]);
    }
  });

  it('only the session that owns a monitor receives its events and may use it', async () => {
    const other = await ctl.api();
    const theirs = recordSignals(other, UNIT_SIGNALS);
    const { monitorId } = await api.call('CreateMonitor', {});
    await api.call('Subscribe', { monitorId, node: 'worker1', unit: 'bench.service' });
    await expect(other.call('Subscribe', { monitorId, node: 'worker1', unit: '*' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Monitor '${monitorId}' not found`,
    });
    await runJob(api, 'start', 'worker1', 'bench.service');
    await drain(other);
    expect(theirs.seen).toEqual([]);
  });

  it("closes a client's monitors when it disconnects, and the agent stops watching", async () => {
    const client = await ctl.api();
    for (const unit of ['bench.service', 'other.service', '*']) {
      const { monitorId } = await client.call('CreateMonitor', {});
      await client.call('Subscribe', { monitorId, node: '*', unit });
    }
    expect(ctl.controller.monitors.size).toBe(3);
    await waitFor('the agent watching', () => w1.agent.watch.size === 3);
    client.close();
    await waitFor('monitors closed', () => ctl.controller.monitors.size === 0);
    expect(ctl.controller.units.size).toBe(0);
    await waitFor('the agent unsubscribed', () => w1.agent.watch.size === 0);
  });

  it('CloseMonitor stops the events and a second close finds nothing', async () => {
    const rec = recordSignals(api, UNIT_SIGNALS);
    const { monitorId } = await api.call('CreateMonitor', {});
    await api.call('Subscribe', { monitorId, node: 'worker1', unit: '*' });
    await api.call('CloseMonitor', { monitorId });
    await expect(api.call('CloseMonitor', { monitorId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await waitFor('the agent unsubscribed', () => w1.agent.watch.size === 0);
    rec.seen.length = 0;
    await runJob(api, 'start', 'worker1', 'bench.service');
    await drain(api);
    expect(rec.seen).toEqual([]);
  });
});
