import { describe, expect, it } from 'vitest';
import { attempt, fakeServices, recordingSession as session } from './fake-services.js';

function setup() {
  const { services: s, ops, calls } = fakeServices();
  /** The requests to the agent, as `Method unit`. */
  const agentCalls = () => calls.map((c) => `${c.method} ${c.params.unit}`);
  return { s, ops, agentCalls };
}

describe('monitor operations', () => {
  it('sends the events of a monitor to its session as signals carrying the monitor id', async () => {
    const { s, ops } = setup();
    const a = session();
    const { monitorId, path } = await ops.CreateMonitor({}, a.ctx);
    expect(path).toBe(`/org/eclipse/bluechi/monitor/${monitorId}`);
    await ops.Subscribe({ monitorId, node: 'n1', unit: 'a.service' }, a.ctx);
    s.units.agentEvent({ kind: 'UnitNew', node: 'n1', unit: 'a.service', reason: 'virtual' });
    s.units.agentEvent({ kind: 'UnitStateChanged', node: 'n1', unit: 'a.service', activeState: 'active', subState: 'running', reason: 'real' });
    s.units.agentEvent({ kind: 'UnitPropertiesChanged', node: 'n1', unit: 'a.service', interface: 'org.freedesktop.systemd1.Unit', properties: { X: 1 }, signatures: { X: 'u' } });
    s.units.agentEvent({ kind: 'UnitRemoved', node: 'n1', unit: 'a.service', reason: 'real' });
    const m = `"monitorId":${monitorId},"node":"n1","unit":"a.service"`;
    expect(a.signals).toEqual([
      `UnitNew {${m},"reason":"virtual"}`,
      `UnitStateChanged {${m},"activeState":"active","subState":"running","reason":"real"}`,
      `UnitPropertiesChanged {${m},"interface":"org.freedesktop.systemd1.Unit","properties":{"X":1},"signatures":{"X":"u"}}`,
      `UnitRemoved {${m},"reason":"real"}`,
    ]);
  });

  it("refuses another session's monitor as not found", async () => {
    const { ops } = setup();
    const a = session();
    const b = session();
    const { monitorId } = await ops.CreateMonitor({}, a.ctx);
    const notFound = { code: 'NOT_FOUND', message: `Monitor '${monitorId}' not found` };
    await expect(attempt(() => ops.Subscribe({ monitorId, node: 'n1', unit: 'a.service' }, b.ctx))).rejects.toMatchObject(notFound);
    await expect(attempt(() => ops.CloseMonitor({ monitorId }, b.ctx))).rejects.toMatchObject(notFound);
    await ops.CloseMonitor({ monitorId }, a.ctx);
    await expect(attempt(() => ops.CloseMonitor({ monitorId }, a.ctx))).rejects.toMatchObject(notFound);
  });

  it('checks unit names, allowing `*`', async () => {
    const { ops, agentCalls } = setup();
    const a = session();
    const { monitorId } = await ops.CreateMonitor({}, a.ctx);
    await expect(attempt(() => ops.SubscribeList({ monitorId, node: 'n1', units: ['a.service', 'bad name'] }, a.ctx))).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
    expect(agentCalls()).toEqual([]);
    const { subscriptionId } = await ops.SubscribeList({ monitorId, node: '*', units: ['a.service', '*'] }, a.ctx);
    expect(agentCalls()).toEqual(['Subscribe a.service', 'Subscribe *']);
    await ops.Unsubscribe({ monitorId, subscriptionId }, a.ctx);
    expect(agentCalls().slice(2)).toEqual(['Unsubscribe a.service', 'Unsubscribe *']);
  });

  it('accepts a node that is not configured; it yields nothing', async () => {
    const { ops, agentCalls } = setup();
    const a = session();
    const { monitorId } = await ops.CreateMonitor({}, a.ctx);
    expect((await ops.Subscribe({ monitorId, node: 'elsewhere', unit: '*' }, a.ctx)).subscriptionId).toBeGreaterThan(1);
    expect(agentCalls()).toEqual([]);
    expect(a.signals).toEqual([]);
  });

  it("closes a session's monitors when it goes away, and only its own", async () => {
    const { s, ops, agentCalls } = setup();
    const a = session();
    const b = session();
    for (let i = 0; i < 3; i++) {
      const { monitorId } = await ops.CreateMonitor({}, a.ctx);
      await ops.Subscribe({ monitorId, node: 'n1', unit: `u${i}.service` }, a.ctx);
    }
    const theirs = await ops.CreateMonitor({}, b.ctx);
    await ops.Subscribe({ monitorId: theirs.monitorId, node: 'n1', unit: 'u0.service' }, b.ctx);
    a.close();
    expect(s.monitors.size).toBe(1);
    expect(agentCalls().filter((c) => c.startsWith('Unsubscribe'))).toEqual(['Unsubscribe u1.service', 'Unsubscribe u2.service']);
    b.close();
    expect(s.monitors.size).toBe(0);
    expect(s.units.size).toBe(0);
  });
});
