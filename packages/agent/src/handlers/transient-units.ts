/**
 * StartTransientUnit, passed through to systemd: the answer is systemd's own
 * job path on this node. No controller job is involved, so no JobStateChanged
 * or JobDone follows (as upstream).
 */
import { assertUnitName } from '@bluechi-ts/protocol';
import { systemdCall, type AgentContext, type HandlersFor } from './context.js';

export function transientUnitHandlers(c: AgentContext): HandlersFor<'StartTransientUnit'> {
  return {
    StartTransientUnit: async ({ unit, mode, properties, aux }) => {
      assertUnitName(unit);
      for (const a of aux) assertUnitName(a.name);
      c.log.debug({ unit, mode }, `Request to StartTransientUnit ${unit}`);
      return { jobPath: await systemdCall(c.systemd.startTransientUnit(unit, mode, properties, aux)) };
    },
  };
}
