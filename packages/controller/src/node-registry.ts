/**
 * The configured nodes, in config order, and the registration rules that
 * decide whether a connection may become one of them. Emits `status` whenever
 * a node comes online or goes offline.
 */
import { EventEmitter } from 'node:events';
import { BluechiError, ErrorCodes, Messages, nodeObjectPath } from '@bluechi-ts/protocol';
import type { NodeConfig } from './config.js';
import { ControllerNode } from './node.js';

export type RegisterDecision =
  | { ok: true; node: ControllerNode }
  | { ok: false; code: typeof ErrorCodes.UNEXPECTED_NODE_NAME | typeof ErrorCodes.NODE_ALREADY_CONNECTED; message: string };

export class NodeRegistry extends EventEmitter<{ status: [node: ControllerNode] }> {
  private readonly nodes = new Map<string, ControllerNode>();

  constructor(configs: readonly NodeConfig[]) {
    super();
    this.setMaxListeners(0);
    for (const c of configs) this.nodes.set(c.name, new ControllerNode(c));
  }

  /** Announces that `node` came online or went offline. */
  statusChanged(node: ControllerNode): void {
    this.emit('status', node);
  }

  list(): ControllerNode[] {
    return [...this.nodes.values()];
  }

  online(): ControllerNode[] {
    return this.list().filter((n) => n.status === 'online');
  }

  /**
   * The system as a whole (reference §2.1 Controller.Status): `up` when every
   * configured node is online, `down` when none is (or none is configured),
   * `degraded` otherwise.
   */
  systemStatus(): 'up' | 'degraded' | 'down' {
    const online = this.online().length;
    if (online === 0) return 'down';
    return online === this.nodes.size ? 'up' : 'degraded';
  }

  find(name: string): ControllerNode | undefined {
    return this.nodes.get(name);
  }

  /** The node, or NODE_NOT_FOUND worded like BlueChi's D-Bus error for a missing object. */
  require(name: string): ControllerNode {
    const node = this.nodes.get(name);
    if (!node) throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.unknownNodeObject(nodeObjectPath(name)));
    return node;
  }

  /** Pure decision: may a new connection claim `name`? */
  decideRegister(name: string): RegisterDecision {
    const node = this.nodes.get(name);
    if (!node) return { ok: false, code: ErrorCodes.UNEXPECTED_NODE_NAME, message: Messages.unexpectedNodeName };
    if (node.status === 'online') {
      return { ok: false, code: ErrorCodes.NODE_ALREADY_CONNECTED, message: Messages.alreadyConnected };
    }
    return { ok: true, node };
  }
}
