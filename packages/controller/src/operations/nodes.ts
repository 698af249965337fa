/** The controller itself and its nodes: version, node list, node status events, log levels. */
import { BluechiError, ErrorCodes, Messages, VERSION, isLogLevel } from '@bluechi-ts/protocol';
import type { ControllerNode } from '../node.js';
import { forward, onlineNode } from './forward.js';
import { watchOnce, type OperationsFor, type Services } from './context.js';

export function nodeOperations(s: Services): OperationsFor<'Version' | 'ListNodes' | 'GetNode' | 'WatchNodes' | 'SetLogLevel'> {
  return {
    Version: () => ({ version: VERSION }),
    ListNodes: () => ({ nodes: s.registry.list().map((n) => n.info()) }),
    GetNode: ({ node }) => {
      const found = s.registry.find(node);
      if (!found) throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.nodeNotFound, { dbusName: 'org.freedesktop.DBus.Error.ServiceUnknown' });
      return { path: found.path };
    },
    WatchNodes: (_p, { session }) => {
      watchOnce(session, 'nodes', () => {
        const onStatus = (node: ControllerNode) => session.signal('NodeStatusChanged', { node: node.name, status: node.status });
        s.registry.on('status', onStatus);
        return () => s.registry.off('status', onStatus);
      });
      return {};
    },
    /**
     * Upstream forwards a node's level unchecked and reports success even for
     * an invalid one; here an invalid level is refused for nodes too, after
     * the node itself (unknown or offline is said first, as upstream does).
     */
    SetLogLevel: async ({ node, level }, ctx) => {
      if (node !== undefined) onlineNode(s.registry, node);
      if (!isLogLevel(level)) throw new BluechiError(ErrorCodes.INVALID_ARGS, Messages.invalidLogLevel);
      if (node !== undefined) return forward(s, ctx, node, 'SetLogLevel', { level });
      s.log.info(`Log level set to ${level}`);
      s.setLogLevel(level);
      return {};
    },
  };
}
