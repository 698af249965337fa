/** Unit queries and unit control, forwarded to the node's agent. */
import {
  BluechiError,
  ErrorCodes,
  Messages,
  assertUnitName,
  checkUnitRows,
  unitRows,
  type UnitField,
  type UnitRows,
} from '@bluechi-ts/protocol';
import type { ControllerNode } from '../node.js';
import { forward, oneOrEveryNode, oneOrEveryOnline } from './forward.js';
import type { OperationsFor, Services } from './context.js';

/**
 * The node's units as rows (ListUnitRows). An agent that does not know the
 * method (an older version, during an upgrade) is asked for ListUnits, and
 * its reply is cut down here instead.
 */
async function listUnitRows(node: ControllerNode, fields: readonly UnitField[], filter: string | undefined, signal: AbortSignal): Promise<UnitRows> {
  const params = filter === undefined ? { fields: [...fields] } : { fields: [...fields], filter };
  try {
    return checkUnitRows(await node.call('ListUnitRows', params, { signal }), fields, `node ${node.name}`);
  } catch (err) {
    if ((err as BluechiError).code !== ErrorCodes.UNKNOWN_METHOD) throw err;
    const { units } = await node.call('ListUnits', {}, { signal });
    return unitRows(units, fields, filter);
  }
}

export function unitOperations(
  s: Services,
): OperationsFor<
  'ListUnits' | 'ListUnitRows' | 'GetUnitProperties' | 'GetUnitProperty' | 'SetUnitProperties' | 'StartTransientUnit' | 'FreezeUnit' | 'ThawUnit' | 'KillUnit' | 'ResetFailed' | 'ResetFailedUnit'
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
    ListUnitRows: async ({ node, fields, filter, streamId }, ctx) => {
      const ask = async (n: ControllerNode) => ({ node: n.name, ...(await listUnitRows(n, fields, filter, ctx.signal)) });
      if (streamId === undefined) return { nodes: await oneOrEveryOnline(s, node, ask) };
      // Each node's rows leave as soon as they arrive, and only its name is
      // kept: the controller never holds the whole fleet's list at once.
      const order = await oneOrEveryOnline(s, node, async (n) => {
        ctx.session.signal('UnitRows', { streamId, ...(await ask(n)) });
        return n.name;
      });
      return { nodes: [], order };
    },
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
