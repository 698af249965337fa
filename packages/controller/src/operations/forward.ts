/**
 * "Find the node, check it, forward": the one path from an API request to an
 * agent. Unknown nodes fail as upstream's D-Bus does for a missing object
 * (NODE_NOT_FOUND, "Unknown object '/org/eclipse/bluechi/node/…'."), offline
 * ones with NODE_OFFLINE "Node is offline"; the agent's own errors (systemd's,
 * with their D-Bus names) come back unchanged.
 */
import {
  BluechiError,
  ErrorCodes,
  Messages,
  type AgentMethods,
  type ParamsOf,
  type ResultOf,
} from '@bluechi-ts/protocol';
import type { ControllerNode } from '../node.js';
import type { NodeRegistry } from '../node-registry.js';
import type { OperationContext, Services } from './context.js';

type Agent = typeof AgentMethods;

/** The configured node `name`, online; throws NODE_NOT_FOUND or NODE_OFFLINE. */
export function onlineNode(registry: NodeRegistry, name: string): ControllerNode {
  const node = registry.require(name);
  if (node.status !== 'online') throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
  return node;
}

/** Sends `method` to the node's agent and returns its reply; a cancelled request cancels it there too. */
export function forward<M extends keyof Agent & string>(
  s: Services,
  ctx: OperationContext,
  nodeName: string,
  method: M,
  params: ParamsOf<Agent, M>,
): Promise<ResultOf<Agent, M>> {
  return onlineNode(s.registry, nodeName).call(method, params, { signal: ctx.signal });
}

/**
 * Runs `ask` for the named node (online, else NODE_NOT_FOUND or NODE_OFFLINE),
 * or, without a name, for every online node in configuration order, and
 * collects what each returns in that order. With every node, one that drops
 * meanwhile is left out; any other failure fails the whole request, worded as
 * upstream's "Request to at least one node failed: …".
 */
export async function oneOrEveryOnline<T>(s: Services, nodeName: string | undefined, ask: (node: ControllerNode) => Promise<T>): Promise<T[]> {
  if (nodeName !== undefined) return [await ask(onlineNode(s.registry, nodeName))];
  const online = s.registry.online();
  const settled = await Promise.allSettled(online.map(ask));
  const out: T[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') {
      out.push(r.value);
      continue;
    }
    const err = r.reason as BluechiError;
    if (err.code === ErrorCodes.NODE_OFFLINE || err.code === ErrorCodes.CONNECTION_CLOSED) continue;
    throw new BluechiError(err.code ?? ErrorCodes.INTERNAL, `Request to at least one node failed: ${err.message}`, err.data);
  }
  return out;
}

/**
 * A list request: `pick` of the named node's answer to `method`, or of every
 * online node's (as `oneOrEveryOnline`).
 */
export function oneOrEveryNode<M extends keyof Agent & string, T>(
  s: Services,
  ctx: OperationContext,
  nodeName: string | undefined,
  method: M,
  params: ParamsOf<Agent, M>,
  pick: (node: string, result: ResultOf<Agent, M>) => T,
): Promise<T[]> {
  return oneOrEveryOnline(s, nodeName, async (node) => pick(node.name, await node.call(method, params, { signal: ctx.signal })));
}
