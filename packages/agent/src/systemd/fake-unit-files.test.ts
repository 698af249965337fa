import { describe, expect, it } from 'vitest';
import { FakeSystemdManager } from './fake-manager.js';
import { DBUS_ERRORS } from './manager.js';

describe('fake systemd unit files', () => {
  function files() {
    return new FakeSystemdManager({
      'web.service': { file: { wantedBy: ['multi-user.target'] } },
      'helper.service': { file: {} },
    });
  }

  it('enables a file, reporting the symlinks, and changes its state', async () => {
    const m = files();
    expect(await m.getUnitFileState('web.service')).toBe('disabled');
    expect(await m.enableUnitFiles(['web.service'], false, false)).toEqual({
      carriesInstallInfo: true,
      changes: [{ type: 'symlink', file: '/etc/systemd/system/multi-user.target.wants/web.service', destination: '/usr/lib/systemd/system/web.service' }],
    });
    expect(await m.getUnitFileState('/usr/lib/systemd/system/web.service')).toBe('enabled');
    expect(await m.enableUnitFiles(['web.service'], false, false)).toEqual({ carriesInstallInfo: true, changes: [] });
    expect((await m.getUnitProperties('web.service')).properties.UnitFileState).toBe('enabled');
  });

  it('enables at runtime under /run, and disables each kind separately', async () => {
    const m = files();
    await m.enableUnitFiles(['web.service'], true, false);
    expect(await m.getUnitFileState('web.service')).toBe('enabled-runtime');
    expect(await m.disableUnitFiles(['web.service'], false)).toEqual([]);
    expect(await m.disableUnitFiles(['web.service'], true)).toEqual([
      { type: 'unlink', file: '/run/systemd/system/multi-user.target.wants/web.service', destination: '' },
    ]);
    expect(await m.getUnitFileState('web.service')).toBe('disabled');
  });

  it('a file without [Install] is static and carries no install information', async () => {
    const m = files();
    expect(await m.enableUnitFiles(['helper.service'], false, false)).toEqual({ carriesInstallInfo: false, changes: [] });
    expect(await m.getUnitFileState('helper.service')).toBe('static');
  });

  it("refuses files that do not exist, with systemd's errors", async () => {
    const m = files();
    await expect(m.getUnitFileState('nosuch.service')).rejects.toMatchObject({ dbusName: 'System.Error.ENOENT', message: 'No such file or directory' });
    await expect(m.enableUnitFiles(['web.service', 'nosuch.service'], false, false)).rejects.toMatchObject({
      dbusName: DBUS_ERRORS.NO_SUCH_UNIT,
      message: 'Unit file nosuch.service does not exist.',
    });
    expect(await m.getUnitFileState('web.service')).toBe('disabled');
    await expect(m.disableUnitFiles(['nosuch.service'], false)).rejects.toMatchObject({ dbusName: DBUS_ERRORS.NO_SUCH_UNIT });
  });

  it('lists every file with its state', async () => {
    const m = files();
    await m.enableUnitFiles(['web.service'], false, false);
    expect(await m.listUnitFiles()).toEqual([
      { path: '/usr/lib/systemd/system/graphical.target', state: 'static' },
      { path: '/usr/lib/systemd/system/multi-user.target', state: 'static' },
      { path: '/usr/lib/systemd/system/web.service', state: 'enabled' },
      { path: '/usr/lib/systemd/system/helper.service', state: 'static' },
    ]);
  });

  it('reads and sets the default target; a second change unlinks the first', async () => {
    const m = files();
    expect(await m.getDefaultTarget()).toBe('graphical.target');
    expect(await m.setDefaultTarget('multi-user.target', false)).toEqual([
      { type: 'symlink', file: '/etc/systemd/system/default.target', destination: '/usr/lib/systemd/system/multi-user.target' },
    ]);
    expect(await m.setDefaultTarget('graphical.target', true)).toEqual([
      { type: 'unlink', file: '/etc/systemd/system/default.target', destination: '' },
      { type: 'symlink', file: '/etc/systemd/system/default.target', destination: '/usr/lib/systemd/system/graphical.target' },
    ]);
    expect(await m.getDefaultTarget()).toBe('graphical.target');
    await expect(m.setDefaultTarget('nosuch.target', false)).rejects.toMatchObject({ dbusName: DBUS_ERRORS.NO_SUCH_UNIT });
  });

  it('counts daemon-reloads', async () => {
    const m = files();
    await m.reload();
    await m.reload();
    expect(m.unitFiles.reloads).toBe(2);
    expect(m.managerCalls).toEqual([['Reload'], ['Reload']]);
  });
});
