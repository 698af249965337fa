/** Freeze, thaw, kill and reset-failed, through the controller to the node's systemd, and the errors they meet. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runJob, startCluster, type ApiClient, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let w1: TestAgent;
let api: ApiClient;
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ ctl, api, stop, agents: [w1] } = await startCluster({
    worker1: {
      units: {
        'web.service': { activeState: 'active', subState: 'running' },
        'idle.service': {},
        'broken.service': { failing: true },
      },
    },
  }));
});

afterEach(() => stop());

const freezerState = async (unit: string) =>
  (await api.call('GetUnitProperties', { node: 'worker1', unit, interface: 'org.freedesktop.systemd1.Unit' })).properties.FreezerState;

describe('unit control', () => {
  it('freezes and thaws a unit', async () => {
    await api.call('FreezeUnit', { node: 'worker1', unit: 'web.service' });
    expect(await freezerState('web.service')).toBe('frozen');
    await api.call('ThawUnit', { node: 'worker1', unit: 'web.service' });
    expect(await freezerState('web.service')).toBe('running');
    expect(w1.systemd.managerCalls).toEqual([['FreezeUnit', 'web.service'], ['ThawUnit', 'web.service']]);
  });

  it("passes systemd's refusal to freeze back with its D-Bus name", async () => {
    w1.systemd.freezerSupported = false;
    await expect(api.call('FreezeUnit', { node: 'worker1', unit: 'web.service' })).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: "Unit 'web.service' does not support freezing.",
      data: { dbusName: 'org.freedesktop.DBus.Error.NotSupported' },
    });
    await expect(api.call('ThawUnit', { node: 'worker1', unit: 'idle.service' })).rejects.toMatchObject({ code: 'SYSTEMD_ERROR' });
  });

  it('kills the processes of a unit with the given signal', async () => {
    await api.call('KillUnit', { node: 'worker1', unit: 'web.service', whom: 'main', signal: 9 });
    expect(w1.systemd.unit('web.service')).toMatchObject({ activeState: 'failed', mainPid: 0 });
    expect(w1.systemd.managerCalls).toEqual([['KillUnit', 'web.service', 'main', 9]]);
  });

  it("reports what systemd cannot kill in systemd's words", async () => {
    await expect(api.call('KillUnit', { node: 'worker1', unit: 'idle.service', whom: 'main', signal: 15 })).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'No main process to kill',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchProcess' },
    });
    await expect(api.call('KillUnit', { node: 'worker1', unit: 'web.service', whom: 'control', signal: 15 })).rejects.toMatchObject({
      message: 'No control process to kill',
    });
    await expect(api.call('KillUnit', { node: 'worker1', unit: 'web.service', whom: 'everyone' as never, signal: 15 })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
    await expect(api.call('KillUnit', { node: 'worker1', unit: 'web.service', whom: 'all', signal: 0 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(w1.systemd.unit('web.service')?.activeState).toBe('active');
  });

  it('resets the failed state of one unit, then of all', async () => {
    expect((await runJob(api, 'start', 'worker1', 'broken.service')).result).toBe('failed');
    await api.call('KillUnit', { node: 'worker1', unit: 'web.service', whom: 'all', signal: 9 });
    await api.call('ResetFailedUnit', { node: 'worker1', unit: 'broken.service' });
    expect([w1.systemd.unit('broken.service')?.activeState, w1.systemd.unit('web.service')?.activeState]).toEqual(['inactive', 'failed']);
    await api.call('ResetFailed', { node: 'worker1' });
    expect(w1.systemd.unit('web.service')?.activeState).toBe('inactive');
    await expect(api.call('ResetFailedUnit', { node: 'worker1', unit: 'nosuch.service' })).rejects.toMatchObject({
      message: 'Unit nosuch.service not loaded.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
  });

  it('refuses nodes that are offline or unknown', async () => {
    await expect(api.call('FreezeUnit', { node: 'worker2', unit: 'web.service' })).rejects.toMatchObject({ code: 'NODE_OFFLINE' });
    await expect(api.call('ResetFailed', { node: 'nosuch' })).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
    expect(w1.systemd.managerCalls).toEqual([]);
  });
});
