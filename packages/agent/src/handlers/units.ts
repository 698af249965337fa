/**
 * Unit queries, property writes and process control on the node, passed to
 * systemd as they are. Property values travel in the JSON form of the
 * protocol's dbus-values.ts, each with its D-Bus signature.
 */
import { assertUnitName, unitRows } from '@bluechi-ts/protocol';
import { systemdCall, type AgentContext, type HandlersFor } from './context.js';

export function unitHandlers(
  c: AgentContext,
): HandlersFor<'ListUnits' | 'ListUnitRows' | 'GetUnitProperties' | 'GetUnitProperty' | 'SetUnitProperties' | 'FreezeUnit' | 'ThawUnit' | 'KillUnit' | 'ResetFailed' | 'ResetFailedUnit'> {
  const { systemd } = c;
  const unitCall = (unit: string, run: () => Promise<void>) => {
    assertUnitName(unit);
    return systemdCall(run()).then(() => ({}));
  };
  return {
    ListUnits: async () => ({ units: await systemdCall(systemd.listUnits()) }),
    ListUnitRows: async ({ fields, filter }) => unitRows(await systemdCall(systemd.listUnits()), fields, filter),
    GetUnitProperties: async ({ unit, interface: iface }) => {
      assertUnitName(unit);
      const typed = await systemdCall(systemd.getUnitProperties(unit, iface ?? ''));
      return { ...typed, timestamp: Date.now() * 1000 };
    },
    GetUnitProperty: ({ unit, interface: iface, property }) => {
      assertUnitName(unit);
      return systemdCall(systemd.getUnitProperty(unit, iface, property));
    },
    SetUnitProperties: ({ unit, runtime, properties }) => unitCall(unit, () => systemd.setUnitProperties(unit, runtime, properties)),
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
