/**
 * One agent connection, from upgrade to close. It starts anonymous, may
 * register exactly once, and is closed if it does not register in time, keeps
 * sending bad registrations, or breaks the protocol too often.
 */
import {
  BluechiError,
  ErrorCodes,
  RpcPeer,
  VERSION,
  type AgentSignals,
  type JobState,
  type SignalParamsOf,
  type Transport,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import { AGENT_LINK_TABLES, type AgentPeer } from './agent-peer.js';
import type { AgentAuth } from './agent-server.js';
import type { ControllerNode } from './node.js';
import type { UnitEvent } from './unit-subscriptions.js';

type AgentJobMetrics = SignalParamsOf<typeof AgentSignals, 'AgentJobMetrics'>;

/** What a session needs from the rest of the controller. */
export interface SessionHost {
  readonly log: Logger;
  readonly requestTimeout: number;
  readonly registerTimeout: number;
  /** Requests one agent may have in flight to the controller (MaxPendingRequestsPerNode=). */
  readonly maxPendingRequests: number;
  /** Decides and performs the registration; throws a BluechiError when refused. */
  register(session: AgentSession, name: string, heartbeatInterval: number): ControllerNode;
  heartbeat(node: ControllerNode): void;
  jobDone(node: ControllerNode, jobId: number, result: string): void;
  jobStateChanged(node: ControllerNode, jobId: number, state: JobState): void;
  proxyNew(node: ControllerNode, proxyId: number, target: string, unit: string): void;
  proxyRemoved(node: ControllerNode, proxyId: number): void;
  /** UnitNew, UnitRemoved, UnitStateChanged or UnitPropertiesChanged of a subscribed unit. */
  unitEvent(e: UnitEvent): void;
  agentJobMetrics(node: ControllerNode, m: AgentJobMetrics): void;
  disconnected(session: AgentSession): void;
}

const MAX_REGISTER_ATTEMPTS = 3;
export const CLOSE_POLICY = 1008;

export class AgentSession {
  readonly peer: AgentPeer;
  node: ControllerNode | undefined;
  private registerAttempts = 0;
  private readonly registerTimer: NodeJS.Timeout;

  constructor(
    transport: Transport,
    readonly peerIp: string,
    private readonly host: SessionHost,
    /** What the connection's upgrade proved (certificate names, token); checked again at Register. */
    readonly auth: AgentAuth = { local: false },
  ) {
    const log = host.log;
    this.peer = new RpcPeer(transport, {
      ...AGENT_LINK_TABLES,
      defaultTimeoutMs: host.requestTimeout,
      maxInFlightIncoming: host.maxPendingRequests,
      onProtocolError: (err) =>
        log.warn({ node: this.node?.name, peerIp, code: err.code }, `Refused a message from agent: ${err.message}`),
    });
    this.peer.handlers = {
      Register: ({ name, heartbeatInterval }) => this.onRegister(name, heartbeatInterval ?? 0),
      ProxyNew: ({ proxyId, node, unit }) => {
        host.proxyNew(this.registered(), proxyId, node, unit);
        return {};
      },
    };
    this.peer.signalHandlers = {
      Heartbeat: () => {
        if (this.node) host.heartbeat(this.node);
      },
      JobDone: ({ jobId, result }) => {
        if (this.node) host.jobDone(this.node, jobId, result);
      },
      JobStateChanged: ({ jobId, state }) => {
        if (this.node) host.jobStateChanged(this.node, jobId, state);
      },
      UnitNew: (p) => {
        if (this.node) host.unitEvent({ kind: 'UnitNew', node: this.node.name, ...p });
      },
      UnitRemoved: (p) => {
        if (this.node) host.unitEvent({ kind: 'UnitRemoved', node: this.node.name, ...p });
      },
      UnitStateChanged: (p) => {
        if (this.node) host.unitEvent({ kind: 'UnitStateChanged', node: this.node.name, ...p });
      },
      UnitPropertiesChanged: (p) => {
        if (this.node) host.unitEvent({ kind: 'UnitPropertiesChanged', node: this.node.name, ...p });
      },
      AgentJobMetrics: (m) => {
        if (this.node) host.agentJobMetrics(this.node, m);
      },
      ProxyRemoved: ({ proxyId }) => {
        if (this.node) host.proxyRemoved(this.node, proxyId);
      },
    };
    this.registerTimer = setTimeout(() => {
      if (!this.node) {
        log.warn({ peerIp }, 'Closing connection that did not register in time');
        this.peer.close(CLOSE_POLICY, 'registration timeout');
      }
    }, host.registerTimeout);
    this.registerTimer.unref();
    this.peer.onClose(() => {
      clearTimeout(this.registerTimer);
      host.disconnected(this);
    });
  }

  private registered(): ControllerNode {
    if (!this.node) throw new BluechiError(ErrorCodes.UNEXPECTED_NODE_NAME, 'Register first');
    return this.node;
  }

  private onRegister(name: string, heartbeatInterval: number): { controllerVersion: string } {
    if (this.node) throw new BluechiError(ErrorCodes.ALREADY_REGISTERED, "Can't register twice");
    this.registerAttempts++;
    try {
      this.node = this.host.register(this, name, heartbeatInterval);
      clearTimeout(this.registerTimer);
      return { controllerVersion: VERSION };
    } catch (err) {
      if (this.registerAttempts >= MAX_REGISTER_ATTEMPTS) {
        // Let the refusal reach the agent first, then drop the connection.
        setTimeout(() => this.peer.close(CLOSE_POLICY, 'too many refused registrations'), 20).unref();
      }
      throw err;
    }
  }

  close(code: number, reason: string): void {
    this.peer.close(code, reason);
  }
}
