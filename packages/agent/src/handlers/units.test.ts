import { describe, expect, it } from 'vitest';
import type { RequestContext } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { FakeSystemdManager } from '../systemd/fake-manager.js';
import { UnitWatch } from '../unit-watch.js';
import { agentHandlers } from './index.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });
const ctx: RequestContext = { id: 1, signal: new AbortController().signal };

function setup() {
  const systemd = new FakeSystemdManager({
    'a.service': { activeState: 'active', subState: 'running' },
    'b.service': { failing: true },
    'idle.service': {},
  });
  const notify = () => {};
  const handlers = agentHandlers({ systemd, watch: new UnitWatch(systemd, notify, log), notify, log, metrics: { enabled: false } });
  return { systemd, handlers };
}

describe('agent unit handlers', () => {
  it('lists loaded units and reads properties with their signatures and the node clock', async () => {
    const { handlers } = setup();
    expect((await handlers.ListUnits({}, ctx)).units.map((u) => u.name)).toEqual(['a.service', 'b.service', 'idle.service']);
    const before = Date.now() * 1000;
    const p = await handlers.GetUnitProperties({ unit: 'a.service', interface: 'org.freedesktop.systemd1.Unit' }, ctx);
    expect(p.properties).toMatchObject({ ActiveState: 'active', SubState: 'running' });
    expect(p.signatures).toMatchObject({ ActiveState: 's', StateChangeTimestamp: 't' });
    expect(p.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('freezes and thaws a unit', async () => {
    const { handlers, systemd } = setup();
    await handlers.FreezeUnit({ unit: 'a.service' }, ctx);
    expect(systemd.unit('a.service')?.freezerState).toBe('frozen');
    await handlers.ThawUnit({ unit: 'a.service' }, ctx);
    expect(systemd.unit('a.service')?.freezerState).toBe('running');
  });

  it("passes systemd's refusal to freeze on with its D-Bus name", async () => {
    const { handlers, systemd } = setup();
    systemd.freezerSupported = false;
    await expect(handlers.FreezeUnit({ unit: 'a.service' }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: "Unit 'a.service' does not support freezing.",
      data: { dbusName: 'org.freedesktop.DBus.Error.NotSupported' },
    });
  });

  it('kills with the given whom and signal, and passes "nothing to kill" on', async () => {
    const { handlers, systemd } = setup();
    await expect(handlers.KillUnit({ unit: 'a.service', whom: 'control', signal: 15 }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'No control process to kill',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchProcess' },
    });
    await handlers.KillUnit({ unit: 'a.service', whom: 'main', signal: 9 }, ctx);
    expect(systemd.unit('a.service')).toMatchObject({ activeState: 'failed', result: 'signal' });
    await expect(handlers.KillUnit({ unit: 'idle.service', whom: 'main', signal: 9 }, ctx)).rejects.toMatchObject({ message: 'No main process to kill' });
    expect(systemd.managerCalls.filter((c) => c[0] === 'KillUnit')).toEqual([
      ['KillUnit', 'a.service', 'control', 15],
      ['KillUnit', 'a.service', 'main', 9],
      ['KillUnit', 'idle.service', 'main', 9],
    ]);
  });

  it('resets the failed state of one unit or of all', async () => {
    const { handlers, systemd } = setup();
    await systemd.queueJob('start', 'b.service', 'replace').then((j) => j.done);
    await handlers.KillUnit({ unit: 'a.service', whom: 'all', signal: 9 }, ctx);
    await handlers.ResetFailedUnit({ unit: 'b.service' }, ctx);
    expect(systemd.unit('b.service')?.activeState).toBe('inactive');
    expect(systemd.unit('a.service')?.activeState).toBe('failed');
    await handlers.ResetFailed({}, ctx);
    expect(systemd.unit('a.service')?.activeState).toBe('inactive');
    await expect(handlers.ResetFailedUnit({ unit: 'nosuch.service' }, ctx)).rejects.toMatchObject({
      message: 'Unit nosuch.service not loaded.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
  });

  it('refuses invalid unit names before systemd sees them', async () => {
    const { handlers, systemd } = setup();
    for (const call of [
      () => handlers.FreezeUnit({ unit: 'x' }, ctx),
      () => handlers.KillUnit({ unit: 'x', whom: 'all', signal: 9 }, ctx),
      () => handlers.GetUnitProperties({ unit: 'x' }, ctx),
    ]) {
      await expect(Promise.resolve().then(call)).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
    }
    expect(systemd.managerCalls).toEqual([]);
  });
});
