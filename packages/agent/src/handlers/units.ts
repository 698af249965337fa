/** Unit queries and process control on the node, passed to systemd as they are. */
import { assertUnitName } from '@bluechi-ts/protocol';
import { systemdCall, type AgentContext, type HandlersFor } from './context.js';

export function unitHandlers(
  c: AgentContext,
): HandlersFor<'ListUnits' | 'GetUnitProperties' | 'FreezeUnit' | 'ThawUnit' | 'KillUnit' | 'ResetFailed' | 'ResetFailedUnit'> {
  const { systemd } = c;
  const unitCall = (unit: string, run: () => Promise<void>) => {
    assertUnitName(unit);
    return systemdCall(run()).then(() => ({}));
  };
  return {
    ListUnits: async () => ({ units: await systemdCall(systemd.listUnits()) }),
    GetUnitProperties: async ({ unit, interface: iface }) => {
      assertUnitName(unit);
      const typed = await systemdCall(systemd.getUnitProperties(unit, iface ?? ''));
      return { ...typed, timestamp: Date.now() * 1000 };
    },
    FreezeUnit: ({ unit }) => unitCall(unit, () => systemd.freezeUnit(unit)),
    ThawUnit: ({ unit }) => unitCall(unit, () => systemd.thawUnit(unit)),
    KillUnit: ({ unit, whom, signal }) => unitCall(unit, () => systemd.killUnit(unit, whom, signal)),
    ResetFailed: async () => {
      await systemdCall(systemd.resetFailed());
      return {};
    },
    ResetFailedUnit: ({ unit }) => unitCall(unit, () => systemd.resetFailedUnit(unit)),
  };
}
