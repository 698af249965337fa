/** Unit files, the default target and daemon-reload on the node, passed to systemd as they are. */
import { assertUnitName } from '@bluechi-ts/protocol';
import { systemdCall, type AgentContext, type HandlersFor } from './context.js';

export function unitFileHandlers(
  c: AgentContext,
): HandlersFor<'ListUnitFiles' | 'GetUnitFileState' | 'EnableUnitFiles' | 'DisableUnitFiles' | 'Reload' | 'GetDefaultTarget' | 'SetDefaultTarget'> {
  const { systemd, log } = c;
  return {
    ListUnitFiles: async () => ({ unitFiles: await systemdCall(systemd.listUnitFiles()) }),
    GetUnitFileState: async ({ file }) => ({ state: await systemdCall(systemd.getUnitFileState(file)) }),
    EnableUnitFiles: async ({ files, runtime, force }) => {
      log.info({ files, runtime, force }, `Enabling unit files ${files.join(' ')}`);
      return systemdCall(systemd.enableUnitFiles(files, runtime, force));
    },
    DisableUnitFiles: async ({ files, runtime }) => {
      log.info({ files, runtime }, `Disabling unit files ${files.join(' ')}`);
      return { changes: await systemdCall(systemd.disableUnitFiles(files, runtime)) };
    },
    Reload: async () => {
      log.info('Reloading the systemd manager configuration');
      await systemdCall(systemd.reload());
      return {};
    },
    GetDefaultTarget: async () => ({ target: await systemdCall(systemd.getDefaultTarget()) }),
    SetDefaultTarget: async ({ target, force }) => {
      assertUnitName(target);
      log.info({ target }, `Setting the default target to ${target}`);
      return { changes: await systemdCall(systemd.setDefaultTarget(target, force)) };
    },
  };
}
