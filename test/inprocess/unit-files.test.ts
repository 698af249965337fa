/** Unit files, the default target and daemon-reload, through the controller to the node's systemd. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCluster, type ApiClient, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let w1: TestAgent;
let w2: TestAgent;
let api: ApiClient;
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ ctl, api, stop, agents: [w1, w2] } = await startCluster({
    worker1: { units: { 'web.service': { file: { wantedBy: ['multi-user.target'] } }, 'helper.service': { file: {} } } },
    worker2: { unix: true, units: { 'db.service': { file: { wantedBy: ['multi-user.target'] } } } },
  }));
});

afterEach(() => stop());

const WANTS_LINK = '/etc/systemd/system/multi-user.target.wants/web.service';

describe('unit files', () => {
  it('enables a unit file, reporting the symlinks, and disables it again', async () => {
    expect(await api.call('GetUnitFileState', { node: 'worker1', file: 'web.service' })).toEqual({ state: 'disabled' });
    expect(await api.call('EnableUnitFiles', { node: 'worker1', files: ['web.service', 'helper.service'], runtime: false, force: false })).toEqual({
      carriesInstallInfo: true,
      changes: [{ type: 'symlink', file: WANTS_LINK, destination: '/usr/lib/systemd/system/web.service' }],
    });
    expect(await api.call('GetUnitFileState', { node: 'worker1', file: 'web.service' })).toEqual({ state: 'enabled' });
    expect(await api.call('DisableUnitFiles', { node: 'worker1', files: ['web.service'], runtime: false })).toEqual({
      changes: [{ type: 'unlink', file: WANTS_LINK, destination: '' }],
    });
    expect(w1.systemd.managerCalls).toEqual([
      ['EnableUnitFiles', ['web.service', 'helper.service'], false, false],
      ['DisableUnitFiles', ['web.service'], false],
    ]);
    expect(w2.systemd.managerCalls).toEqual([]);
  });

  it('enables at runtime only when asked', async () => {
    await api.call('EnableUnitFiles', { node: 'worker1', files: ['web.service'], runtime: true, force: true });
    expect(await api.call('GetUnitFileState', { node: 'worker1', file: 'web.service' })).toEqual({ state: 'enabled-runtime' });
    expect(w1.systemd.managerCalls).toEqual([['EnableUnitFiles', ['web.service'], true, true]]);
  });

  it('lists the unit files of one node or of every online node', async () => {
    const one = await api.call('ListUnitFiles', { node: 'worker2' });
    expect(one.nodes.map((n) => n.node)).toEqual(['worker2']);
    expect(one.nodes[0]!.unitFiles).toContainEqual({ path: '/usr/lib/systemd/system/db.service', state: 'disabled' });
    const all = await api.call('ListUnitFiles', {});
    expect(all.nodes.map((n) => n.node)).toEqual(['worker1', 'worker2']);
    expect(all.nodes[0]!.unitFiles.map((f) => f.path)).toContain('/usr/lib/systemd/system/web.service');
  });

  it('reads and sets the default target, and reloads systemd', async () => {
    expect(await api.call('GetDefaultTarget', { node: 'worker1' })).toEqual({ target: 'graphical.target' });
    expect(await api.call('SetDefaultTarget', { node: 'worker1', target: 'multi-user.target', force: false })).toEqual({
      changes: [{ type: 'symlink', file: '/etc/systemd/system/default.target', destination: '/usr/lib/systemd/system/multi-user.target' }],
    });
    expect(await api.call('GetDefaultTarget', { node: 'worker1' })).toEqual({ target: 'multi-user.target' });
    expect(await api.call('GetDefaultTarget', { node: 'worker2' })).toEqual({ target: 'graphical.target' });
    await api.call('Reload', { node: 'worker2' });
    expect([w1.systemd.unitFiles.reloads, w2.systemd.unitFiles.reloads]).toEqual([0, 1]);
  });

  it("passes systemd's errors back with their D-Bus names", async () => {
    await expect(api.call('GetUnitFileState', { node: 'worker1', file: 'nosuch.service' })).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'No such file or directory',
      data: { dbusName: 'System.Error.ENOENT' },
    });
    await expect(api.call('EnableUnitFiles', { node: 'worker1', files: ['nosuch.service'], runtime: false, force: false })).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Unit file nosuch.service does not exist.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
    await expect(api.call('SetDefaultTarget', { node: 'worker1', target: 'nosuch.target', force: false })).rejects.toMatchObject({
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
  });

  it('refuses bad input and unreachable nodes before systemd sees anything', async () => {
    await expect(api.call('SetDefaultTarget', { node: 'worker1', target: 'not a target', force: false })).rejects.toMatchObject({
      code: 'INVALID_UNIT_NAME',
      message: 'Unit name not a target is not valid.',
    });
    await expect(api.call('EnableUnitFiles', { node: 'worker1', files: [], runtime: false, force: false })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(api.call('Reload', { node: 'main' })).rejects.toMatchObject({ code: 'NODE_OFFLINE', message: 'Node is offline' });
    await expect(api.call('GetDefaultTarget', { node: 'nosuch' })).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
    expect(w1.systemd.managerCalls).toEqual([]);
  });
});
