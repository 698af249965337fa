/**
 * What every controller operation gets: the services it works with, and the
 * context of the request (the client session and an AbortSignal). The local
 * API (NDJSON) and, later, the D-Bus API are thin adapters that call these
 * operations; no behaviour lives in an adapter.
 */
import type { ApiMethods, ApiSignals, LogLevel, MethodHandler, SignalParamsOf } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { JobRegistry } from '../jobs.js';
import type { Metrics } from '../metrics.js';
import type { MonitorRegistry } from '../monitors.js';
import type { NodeRegistry } from '../node-registry.js';
import type { UnitSubscriptions } from '../unit-subscriptions.js';

type SignalName = keyof typeof ApiSignals & string;

/** One client of the controller: a connection on the local API socket, or a D-Bus client. */
export interface ApiSession {
  /** Unique while the controller runs. */
  readonly id: number;
  /** The client's name as its adapter's peers know it: a D-Bus unique name (`:1.42`), or `:api.<id>` on the socket. */
  readonly name: string;
  /** Sends a signal to this client only (dropped once it is gone). */
  signal<S extends SignalName>(name: S, params: SignalParamsOf<typeof ApiSignals, S>): void;
  /** Sends a signal to another client of the same adapter, by its name (dropped if there is none). */
  signalPeer<S extends SignalName>(peer: string, name: S, params: SignalParamsOf<typeof ApiSignals, S>): void;
  /** Runs `cleanup` when the client goes away (at once if it already has). */
  onClose(cleanup: () => void): void;
}

export type OperationContext = {
  session: ApiSession;
  /** Aborted when the client cancels the request or goes away. */
  signal: AbortSignal;
};

export type Services = {
  registry: NodeRegistry;
  jobs: JobRegistry;
  units: UnitSubscriptions;
  monitors: MonitorRegistry;
  metrics: Metrics;
  log: Logger;
  /** Changes the controller's own log level at runtime (already validated). */
  setLogLevel(level: LogLevel): void;
  /** The controller's current log level. */
  logLevel(): LogLevel;
  isShuttingDown(): boolean;
};

type Methods = typeof ApiMethods;

/** One operation for each of the given API methods. */
export type OperationsFor<K extends keyof Methods> = { [M in K]: MethodHandler<Methods, M, OperationContext> };

/** Every API method: a method added to the catalogue without an operation fails to compile. */
export type ApiOperations = OperationsFor<keyof Methods>;

/**
 * Per-session flags for the watch-style operations (WatchNodes, ...), so a
 * second call is a no-op, and they end with the session.
 */
const watching = new WeakMap<ApiSession, Set<string>>();

/** Runs `start` once per session and key; its returned stop function runs when the session closes. */
export function watchOnce(session: ApiSession, key: string, start: () => () => void): void {
  let keys = watching.get(session);
  if (!keys) watching.set(session, (keys = new Set()));
  if (keys.has(key)) return;
  keys.add(key);
  const stop = start();
  session.onClose(stop);
}
