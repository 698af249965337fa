/**
 * The controller's Services for operation tests: a real NodeRegistry,
 * JobRegistry, UnitSubscriptions, MonitorRegistry and Metrics over fake agent
 * peers that record every request and answer through a test's function, and
 * API sessions that record the signals they are sent.
 */
import type { LogLevel } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import type { AgentPeer } from '../agent-peer.js';
import { JobRegistry } from '../jobs.js';
import { Metrics } from '../metrics.js';
import { MonitorRegistry } from '../monitors.js';
import { NodeRegistry } from '../node-registry.js';
import { UnitSubscriptions } from '../unit-subscriptions.js';
import type { ApiOperations, ApiSession, OperationContext, Services } from './context.js';
import { apiOperations } from './index.js';

/** One request a node's agent received. */
export type AgentCall = { node: string; method: string; params: Record<string, unknown>; signal?: AbortSignal };

/** What a node's agent replies to a request: the result, or a throw for an error reply. */
export type AgentAnswer = (node: string, method: string, params: Record<string, unknown>) => unknown;

export type FakeServicesOptions = {
  /** The configured nodes, in configuration order (default: n1). */
  nodes?: readonly string[];
  /** The nodes whose agent is connected from the start, attached in this order (default: every node). */
  attached?: readonly string[];
  /** The agents' replies (default: `{}` to everything). */
  answer?: AgentAnswer;
};

export type FakeServices = {
  services: Services;
  ops: ApiOperations;
  /** Every request the agents received, in order. */
  calls: AgentCall[];
  /** Every level passed to the controller's setLogLevel, in order. */
  levels: string[];
  /** Set `shuttingDown` to have the controller report that it is shutting down. */
  state: { shuttingDown: boolean };
  /** Connects the node's agent and announces the node online. */
  online(node: string): void;
  /** Disconnects the node's agent and announces the node offline. */
  offline(node: string): void;
};

/** The address, heartbeat period and clock readings every fake agent connects with. */
const PEER = { ip: '10.0.0.1', heartbeatInterval: 0, wallNow: 1_000, monoNow: 1 } as const;

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });

export function fakeServices(opts: FakeServicesOptions = {}): FakeServices {
  const nodes = opts.nodes ?? ['n1'];
  const answer = opts.answer ?? (() => ({}));
  const registry = new NodeRegistry(nodes.map((name) => ({ name, allowDependenciesOn: [] })));
  const calls: AgentCall[] = [];
  const peers = new Map<string, AgentPeer>();
  const peer = (node: string) => {
    let p = peers.get(node);
    if (!p) {
      p = {
        call: async (method: string, params: Record<string, unknown>, callOpts?: { signal?: AbortSignal }) => {
          calls.push({ node, method, params, signal: callOpts?.signal });
          return answer(node, method, params);
        },
      } as unknown as AgentPeer;
      peers.set(node, p);
    }
    return p;
  };
  const attach = (node: string) => registry.require(node).attach(peer(node), PEER.ip, PEER.heartbeatInterval, PEER.wallNow, PEER.monoNow);
  for (const node of opts.attached ?? nodes) attach(node);

  const jobs = new JobRegistry();
  const units = new UnitSubscriptions(registry, log);
  const levels: string[] = [];
  const state = { shuttingDown: false };
  const services: Services = {
    registry,
    jobs,
    units,
    monitors: new MonitorRegistry(units, log),
    metrics: new Metrics(registry, jobs, log),
    log,
    setLogLevel: (level) => levels.push(level),
    logLevel: () => (levels.at(-1) as LogLevel | undefined) ?? 'INFO',
    isShuttingDown: () => state.shuttingDown,
  };
  return {
    services,
    ops: apiOperations(services),
    calls,
    levels,
    state,
    online(node) {
      attach(node);
      registry.statusChanged(registry.require(node));
    },
    offline(node) {
      registry.require(node).detach(peer(node));
      registry.statusChanged(registry.require(node));
    },
  };
}

export type RecordingSession = {
  /** A request context on this session, with a signal nobody aborts. */
  ctx: OperationContext;
  /** Every signal sent to the session, as `Name {params as JSON}`. */
  signals: string[];
  /** Ends the session, as when its client goes away. */
  close(): void;
};

let nextSessionId = 1;

/** A new API session (each with its own id) that records the signals it is sent, and those for its peers as `peer> Name {...}`. */
export function recordingSession(): RecordingSession {
  const signals: string[] = [];
  const closers: Array<() => void> = [];
  const id = nextSessionId++;
  const session: ApiSession = {
    id,
    name: `:test.${id}`,
    signal: (name, params) => signals.push(`${name} ${JSON.stringify(params)}`),
    signalPeer: (peer, name, params) => signals.push(`${peer}> ${name} ${JSON.stringify(params)}`),
    onClose: (cleanup) => closers.push(cleanup),
  };
  return { ctx: { session, signal: new AbortController().signal }, signals, close: () => closers.splice(0).forEach((c) => c()) };
}

/** Runs an operation as the API edge does, so a synchronous throw is a rejection. */
export const attempt = <T>(op: () => T) => Promise.resolve().then(op);
