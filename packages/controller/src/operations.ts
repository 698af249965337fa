/**
 * What API clients can ask of the controller, routed to nodes. Validation of
 * names happens here, once, before anything is sent to an agent.
 */
import {
  BluechiError,
  ErrorCodes,
  VERSION,
  Messages,
  assertUnitName,
  type UnitInfo,
  type UnitOp,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { ApiHandlers } from './api-server.js';
import type { JobTracker } from './jobs.js';
import type { NodeRegistry } from './node-registry.js';

const JOB_METHOD = { start: 'StartUnit', stop: 'StopUnit', restart: 'RestartUnit', reload: 'ReloadUnit' } as const satisfies Record<UnitOp, string>;

export function apiHandlers(deps: { registry: NodeRegistry; jobs: JobTracker; log: Logger; isShuttingDown: () => boolean }): ApiHandlers {
  const { registry, jobs, log } = deps;
  return {
    ListNodes: () => ({ nodes: registry.list().map((n) => n.info()) }),

    Version: () => ({ version: VERSION }),

    UnitJob: async ({ node: nodeName, unit, op, mode }) => {
      if (deps.isShuttingDown()) throw new BluechiError(ErrorCodes.SHUTTING_DOWN, 'Request not allowed: node is in shutdown state');
      const node = registry.require(nodeName);
      assertUnitName(unit);
      if (node.status !== 'online') throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
      const jobId = jobs.allocate();
      const result = jobs.track(jobId, node.name, unit, op);
      const jlog = log.child({ node: node.name, unit, jobId });
      jlog.debug(`Requesting ${JOB_METHOD[op]}`);
      try {
        await node.call(JOB_METHOD[op], { unit, mode: mode ?? 'replace', jobId });
      } catch (err) {
        jobs.forget(jobId);
        jlog.debug({ code: (err as BluechiError).code }, `${JOB_METHOD[op]} refused: ${(err as Error).message}`);
        throw err;
      }
      const r = await result;
      jlog.debug({ result: r }, `${JOB_METHOD[op]} finished`);
      return { jobId, result: r };
    },

    ListUnits: async ({ node: nodeName }) => {
      if (nodeName !== undefined) {
        const node = registry.require(nodeName);
        const { units } = await node.call('ListUnits', {});
        return { nodes: [{ node: node.name, units }] };
      }
      const online = registry.online();
      const settled = await Promise.allSettled(online.map((n) => n.call('ListUnits', {})));
      const out: Array<{ node: string; units: UnitInfo[] }> = [];
      for (let i = 0; i < online.length; i++) {
        const s = settled[i]!;
        if (s.status === 'fulfilled') {
          out.push({ node: online[i]!.name, units: s.value.units });
          continue;
        }
        const err = s.reason as BluechiError;
        // A node that dropped while we asked is simply not online any more.
        if (err.code === ErrorCodes.NODE_OFFLINE) continue;
        throw new BluechiError(err.code ?? ErrorCodes.INTERNAL, `Request to at least one node failed: ${err.message}`);
      }
      return { nodes: out };
    },

    GetUnitProperties: async ({ node: nodeName, unit, interface: iface }) => {
      const node = registry.require(nodeName);
      assertUnitName(unit);
      return node.call('GetUnitProperties', { unit, interface: iface ?? '' });
    },
  };
}
