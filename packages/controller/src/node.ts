/**
 * A managed node as the controller sees it. It exists for every configured
 * name whether or not its agent is connected; a connection is attached on
 * register and detached on disconnect. Status is derived from the attachment.
 */
import {
  BluechiError,
  ErrorCodes,
  Messages,
  nodeObjectPath,
  type AgentMethods,
  type ControllerSignals,
  type SignalParamsOf,
  type CallOptions,
  type NodeInfo,
  type ParamsOf,
  type ResultOf,
} from '@bluechi-ts/protocol';
import type { AgentPeer } from './agent-peer.js';
import type { NodeConfig } from './config.js';

type Methods = typeof AgentMethods;
type Signals = typeof ControllerSignals;

export class ControllerNode {
  private peer: AgentPeer | undefined;
  private peerIpValue = '';
  private lastSeenWallValue = 0;
  private lastSeenMonoValue = 0;
  private connectedSinceWall = 0;
  /** The heartbeat period the connected agent announced (ms); 0 = none. */
  agentHeartbeatInterval = 0;

  constructor(readonly config: NodeConfig) {}

  get name(): string {
    return this.config.name;
  }

  get status(): 'online' | 'offline' {
    return this.peer ? 'online' : 'offline';
  }

  /** `/org/eclipse/bluechi/node/<escaped name>` (reference §2.2). */
  get path(): string {
    return nodeObjectPath(this.name);
  }

  /** The agent's TCP peer address; "" when offline or on the Unix socket. */
  get peerIp(): string {
    return this.peerIpValue;
  }

  /** Wall clock (ms since the epoch) of the last heartbeat or registration; 0 = never. */
  get lastSeenWall(): number {
    return this.lastSeenWallValue;
  }

  get connection(): AgentPeer | undefined {
    return this.peer;
  }

  get lastSeenMono(): number {
    return this.lastSeenMonoValue;
  }

  attach(peer: AgentPeer, peerIp: string, heartbeatInterval: number, wallNow: number, monoNow: number): void {
    this.peer = peer;
    this.peerIpValue = peerIp;
    this.agentHeartbeatInterval = heartbeatInterval;
    this.connectedSinceWall = wallNow;
    this.touch(wallNow, monoNow);
  }

  /** Detaches `peer` if it is the attached one; returns whether it was. */
  detach(peer: AgentPeer): boolean {
    if (this.peer !== peer) return false;
    this.peer = undefined;
    this.peerIpValue = '';
    this.connectedSinceWall = 0;
    this.agentHeartbeatInterval = 0;
    return true;
  }

  touch(wallNow: number, monoNow: number): void {
    this.lastSeenWallValue = wallNow;
    this.lastSeenMonoValue = monoNow;
  }

  info(): NodeInfo {
    return {
      name: this.name,
      status: this.status,
      peerIp: this.peerIpValue,
      lastSeen: this.lastSeenWallValue,
      connectedSince: this.connectedSinceWall,
    };
  }

  /** Sends a signal to the agent; dropped when none is attached. */
  notify<S extends keyof Signals & string>(signal: S, params: SignalParamsOf<Signals, S>): void {
    this.peer?.notify(signal, params);
  }

  /** Sends a request to the agent; fails with NODE_OFFLINE when none is attached. */
  call<M extends keyof Methods & string>(method: M, params: ParamsOf<Methods, M>, opts?: CallOptions): Promise<ResultOf<Methods, M>> {
    const peer = this.peer;
    if (!peer) return Promise.reject(new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline));
    return peer.call(method, params, opts);
  }
}
