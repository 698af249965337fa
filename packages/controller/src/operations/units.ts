/** Unit queries and unit control, forwarded to the node's agent. */
import { assertUnitName } from '@bluechi-ts/protocol';
import { forward, oneOrEveryNode } from './forward.js';
import type { OperationsFor, Services } from './context.js';

export function unitOperations(
  s: Services,
): OperationsFor<'ListUnits' | 'GetUnitProperties' | 'FreezeUnit' | 'ThawUnit' | 'KillUnit' | 'ResetFailed' | 'ResetFailedUnit'> {
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
    FreezeUnit: ({ node, unit }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'FreezeUnit', { unit })),
    ThawUnit: ({ node, unit }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'ThawUnit', { unit })),
    KillUnit: ({ node, unit, whom, signal }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'KillUnit', { unit, whom, signal })),
    ResetFailed: ({ node }, ctx) => forward(s, ctx, node, 'ResetFailed', {}),
    ResetFailedUnit: ({ node, unit }, ctx) => onUnit(unit, () => forward(s, ctx, node, 'ResetFailedUnit', { unit })),
  };
}
