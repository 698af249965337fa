import { describe, expect, it } from 'vitest';
import type { RequestContext } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { FakeSystemdManager } from '../systemd/fake-manager.js';
import { UnitWatch } from '../unit-watch.js';
import { agentHandlers } from './index.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });
const ctx: RequestContext = { id: 1, signal: new AbortController().signal };

function setup() {
  const systemd = new FakeSystemdManager({ 'a.service': { file: { wantedBy: ['multi-user.target'] } } });
  const notify = () => {};
  const handlers = agentHandlers({ systemd, watch: new UnitWatch(systemd, notify, log), notify, log, metrics: { enabled: false } });
  return { systemd, handlers };
}

describe('agent unit-file handlers', () => {
  it('enables and disables unit files, reporting the symlinks and the new state', async () => {
    const { handlers, systemd } = setup();
    expect((await handlers.GetUnitFileState({ file: 'a.service' }, ctx)).state).toBe('disabled');
    expect(await handlers.EnableUnitFiles({ files: ['a.service'], runtime: false, force: true }, ctx)).toEqual({
      carriesInstallInfo: true,
      changes: [{ type: 'symlink', file: '/etc/systemd/system/multi-user.target.wants/a.service', destination: '/usr/lib/systemd/system/a.service' }],
    });
    expect((await handlers.GetUnitFileState({ file: 'a.service' }, ctx)).state).toBe('enabled');
    expect(await handlers.DisableUnitFiles({ files: ['a.service'], runtime: false }, ctx)).toEqual({
      changes: [{ type: 'unlink', file: '/etc/systemd/system/multi-user.target.wants/a.service', destination: '' }],
    });
    expect(systemd.managerCalls).toEqual([
      ['EnableUnitFiles', ['a.service'], false, true],
      ['DisableUnitFiles', ['a.service'], false],
    ]);
  });

  it('lists unit files with their states', async () => {
    const { handlers } = setup();
    expect((await handlers.ListUnitFiles({}, ctx)).unitFiles).toContainEqual({ path: '/usr/lib/systemd/system/a.service', state: 'disabled' });
  });

  it("passes systemd's errors for missing files on with their D-Bus names", async () => {
    const { handlers } = setup();
    await expect(handlers.GetUnitFileState({ file: 'nosuch.service' }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'No such file or directory',
      data: { dbusName: 'System.Error.ENOENT' },
    });
    await expect(handlers.EnableUnitFiles({ files: ['nosuch.service'], runtime: false, force: false }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Unit file nosuch.service does not exist.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
  });

  it('reads and sets the default target, and reloads', async () => {
    const { handlers, systemd } = setup();
    expect(await handlers.GetDefaultTarget({}, ctx)).toEqual({ target: 'graphical.target' });
    expect(await handlers.SetDefaultTarget({ target: 'multi-user.target', force: false }, ctx)).toEqual({
      changes: [{ type: 'symlink', file: '/etc/systemd/system/default.target', destination: '/usr/lib/systemd/system/multi-user.target' }],
    });
    expect(await handlers.GetDefaultTarget({}, ctx)).toEqual({ target: 'multi-user.target' });
    await handlers.Reload({}, ctx);
    expect(systemd.unitFiles.reloads).toBe(1);
    await expect(handlers.SetDefaultTarget({ target: 'bad target', force: false }, ctx)).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
  });
});
