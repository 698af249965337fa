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
 * Asks every online node (in configuration order) and collects the answers. A
 * node that drops meanwhile is left out; any other failure fails the whole
 * request, worded as upstream's "Request to at least one node failed: …".
 */
export async function fanOut<M extends keyof Agent & string, T>(
  s: Services,
  ctx: OperationContext,
  method: M,
  params: ParamsOf<Agent, M>,
  pick: (node: string, result: ResultOf<Agent, M>) => T,
): Promise<T[]> {
  const online = s.registry.online();
  const settled = await Promise.allSettled(online.map((n) => n.call(method, params, { signal: ctx.signal })));
  const out: T[] = [];
  settled.forEach((r, i) => {
    const name = online[i]!.name;
    if (r.status === 'fulfilled') {
      out.push(pick(name, r.value));
      return;
    }
    const err = r.reason as BluechiError;
    if (err.code === ErrorCodes.NODE_OFFLINE || err.code === ErrorCodes.CONNECTION_CLOSED) return;
    throw new BluechiError(err.code ?? ErrorCodes.INTERNAL, `Request to at least one node failed: ${err.message}`, err.data);
  });
  return out;
}

/**
 * A list request: `pick` of the named node's answer (failing as `forward`
 * does), or, without a node, of every online node's (as `fanOut`).
 */
export async function oneOrEveryNode<M extends keyof Agent & string, T>(
  s: Services,
  ctx: OperationContext,
  nodeName: string | undefined,
  method: M,
  params: ParamsOf<Agent, M>,
  pick: (node: string, result: ResultOf<Agent, M>) => T,
): Promise<T[]> {
  if (nodeName === undefined) return fanOut(s, ctx, method, params, pick);
  return [pick(nodeName, await forward(s, ctx, nodeName, method, params))];
}
