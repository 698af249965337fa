import { describe, expect, it } from 'vitest';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { FakeSystemdManager, type FakeUnitOptions } from './systemd/fake-manager.js';
import { UnitWatch, type AgentNotify } from './unit-watch.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });

/** A watch over the fake systemd; what it sends is recorded as "Signal unit [state] [interface] reason". */
function setup(units: Record<string, FakeUnitOptions> = {}) {
  const systemd = new FakeSystemdManager(units);
  const sent: string[] = [];
  const notify: AgentNotify = (name, params) => {
    const p = params as Record<string, unknown>;
    const parts = [name, String(p.unit)];
    if (p.activeState) parts.push(`${String(p.activeState)}/${String(p.subState)}`);
    if (p.interface) parts.push(String(p.interface), Object.keys(p.properties as object).join(','));
    if (p.reason) parts.push(String(p.reason));
    sent.push(parts.join(' '));
  };
  return { systemd, sent, watch: new UnitWatch(systemd, notify, log) };
}

const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';

describe('UnitWatch', () => {
  it('reports a loaded unit at once: a virtual UnitNew and its current state', async () => {
    const { watch, sent } = setup({ 'a.service': { activeState: 'active', subState: 'running' } });
    await watch.subscribe('a.service');
    expect(sent).toEqual(['UnitNew a.service virtual', 'UnitStateChanged a.service active/running virtual']);
    expect(watch.watched('a.service')).toBe(true);
  });

  it('reports nothing at once for a unit that is not loaded, then its real events', async () => {
    const { watch, sent, systemd } = setup();
    await watch.subscribe('a.service');
    expect(sent).toEqual([]);
    systemd.addUnit('a.service');
    systemd.setState('a.service', 'active', 'running');
    systemd.changeProperties('a.service', 'org.freedesktop.systemd1.Service', { StatusText: 'ready' });
    systemd.removeUnit('a.service');
    expect(sent).toEqual([
      'UnitNew a.service real',
      'UnitStateChanged a.service active/running real',
      `UnitPropertiesChanged a.service ${UNIT_IFACE} ActiveState,SubState,StateChangeTimestamp`,
      'UnitPropertiesChanged a.service org.freedesktop.systemd1.Service StatusText',
      'UnitRemoved a.service real',
    ]);
  });

  it('reports nothing of units nobody subscribed to', async () => {
    const { watch, sent, systemd } = setup({ 'a.service': {}, 'b.service': {} });
    await watch.subscribe('a.service');
    sent.length = 0;
    systemd.setState('b.service', 'active', 'running');
    systemd.addUnit('c.service');
    expect(sent).toEqual([]);
    expect(watch.watched('b.service')).toBe(false);
  });

  it('`*` reports every unit from then on, with nothing virtual', async () => {
    const { watch, sent, systemd } = setup({ 'a.service': { activeState: 'active', subState: 'running' } });
    await watch.subscribe('*');
    expect(sent).toEqual([]);
    systemd.setState('a.service', 'failed', 'failed');
    systemd.addUnit('b.service');
    expect(sent).toEqual([
      'UnitStateChanged a.service failed/failed real',
      `UnitPropertiesChanged a.service ${UNIT_IFACE} ActiveState,SubState,StateChangeTimestamp`,
      'UnitNew b.service real',
    ]);
  });

  it('counts subscriptions: a unit stays watched until its last unsubscribe', async () => {
    const { watch } = setup({ 'a.service': {} });
    await watch.subscribe('a.service');
    await watch.subscribe('a.service');
    expect(watch.size).toBe(1);
    watch.unsubscribe('a.service');
    expect(watch.watched('a.service')).toBe(true);
    watch.unsubscribe('a.service');
    expect(watch.watched('a.service')).toBe(false);
    expect(watch.size).toBe(0);
    watch.unsubscribe('a.service');
    expect(watch.size).toBe(0);
  });

  it('sends nothing virtual for a subscription withdrawn before its state was read', async () => {
    const { watch, sent } = setup({ 'a.service': {} });
    const pending = watch.subscribe('a.service');
    watch.unsubscribe('a.service');
    await pending;
    expect(sent).toEqual([]);
  });

  it('clear drops every subscription, `*` included', async () => {
    const { watch, sent, systemd } = setup({ 'a.service': {} });
    await watch.subscribe('a.service');
    await watch.subscribe('*');
    sent.length = 0;
    watch.clear();
    systemd.setState('a.service', 'active', 'running');
    expect(sent).toEqual([]);
    expect(watch.size).toBe(0);
  });

  it("fails with systemd's error when the state cannot be read", async () => {
    const { watch, systemd } = setup({ 'a.service': {} });
    systemd.simulateDisconnect();
    await expect(watch.subscribe('a.service')).rejects.toMatchObject({ dbusName: 'org.freedesktop.DBus.Error.Disconnected' });
  });
});
