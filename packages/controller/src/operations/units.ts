/** Unit queries and unit control, forwarded to the node's agent. */
import { BluechiError, ErrorCodes, Messages, assertUnitName } from '@bluechi-ts/protocol';
import { forward, oneOrEveryNode } from './forward.js';
import type { OperationsFor, Services } from './context.js';

export function unitOperations(
  s: Services,
): OperationsFor<
  'ListUnits' | 'GetUnitProperties' | 'GetUnitProperty' | 'SetUnitProperties' | 'StartTransientUnit' | 'FreezeUnit' | 'ThawUnit' | 'KillUnit' | 'ResetFailed' | 'ResetFailedUnit'
> {
  /** A unit operation: the name is checked here, once, before anything goes to a node. */
  const onUnit = async <T>(unit: string, run: () => Promise<T>): Promise<T> => {
    assertUnitName(unit);
    return run();
  };
  return {
    ListUnits: async ({ node }, ctx) => ({
      nodes: await oneOrEveryNode(s, ctx, node, 'ListUnits', {}, (name, r) => ({ node: name, units: r.units })),
    }),
    GetUnitProperties: ({ node, unit, interface: iface }, ctx) =>
      onUnit(unit, () => forward(s, ctx, node, 'GetUnitProperties', { unit, interface: iface ?? '' })),
    GetUnitProperty: ({ node, unit, interface: iface, property }, ctx) =>
      onUnit(unit, () => forward(s, ctx, node, 'GetUnitProperty', { unit, interface: iface, property })),
    SetUnitProperties: ({ node, unit, runtime, properties }, ctx) =>
      onUnit(unit, () => forward(s, ctx, node, 'SetUnitProperties', { unit, runtime, properties })),
    StartTransientUnit: ({ node, unit, mode, properties, aux }, ctx) => {
      if (s.isShuttingDown()) throw new BluechiError(ErrorCodes.SHUTTING_DOWN, Messages.shuttingDown);
      return onUnit(unit, () => forward(s, ctx, node, 'StartTransientUnit', { unit, mode, properties, aux }));
    },
    FreezeUnit: ({ node, unit }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'FreezeUnit', { unit })),
    ThawUnit: ({ node, unit }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'ThawUnit', { unit })),
    KillUnit: ({ node, unit, whom, signal }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'KillUnit', { unit, whom, signal })),
    ResetFailed: ({ node }, ctx) => forward(s, ctx, node, 'ResetFailed', {}),
    ResetFailedUnit: ({ node, unit }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'ResetFailedUnit', { unit })),
  };
}
