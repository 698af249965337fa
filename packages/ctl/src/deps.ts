/**
 * What a verb handler gets: the controller client, the two output streams, a
 * clock, and a way to learn that the user wants to stop a long-running verb.
 * Tests pass fakes for all of them.
 */
import type { NodeInfo, UnitInfo, UnitOp, UnitProperties } from '@bluechi-ts/protocol';

export type NodeUnits = { node: string; units: UnitInfo[] };
export type JobOutcome = { jobId: number; result: string };

/** The controller API as the verbs see it (implemented over the socket by ApiClient). */
export interface CtlClient {
  listNodes(): Promise<NodeInfo[]>;
  /** Runs one lifecycle job and resolves with systemd's result once the job finished. */
  unitJob(node: string, unit: string, op: UnitOp): Promise<JobOutcome>;
  /** Units of `node`, or of every online node (in controller config order) when absent. */
  listUnits(node?: string): Promise<NodeUnits[]>;
  getUnitProperties(node: string, unit: string): Promise<UnitProperties>;
}

export interface Clock {
  now(): number;
  /** Local UTC offset in minutes (east positive) at the instant `ms`. */
  offsetMinutes(ms: number): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface Deps {
  client: CtlClient;
  /** Writes text to stdout exactly as given (handlers add their own newlines). */
  out(text: string): void;
  /** Writes text to stderr exactly as given. */
  err(text: string): void;
  clock: Clock;
  /** Called by verbs that run until interrupted (--watch); aborts on SIGINT/SIGTERM. */
  stopSignal(): AbortSignal;
  /** How often --watch polls the controller. */
  watchIntervalMs: number;
}

export type VerbArgs = {
  positionals: readonly string[];
  options: ReadonlyMap<string, string | true>;
};

export type Handler = (args: VerbArgs, deps: Deps) => Promise<number> | number;

/** Resolves with `promise`'s value, or with undefined as soon as `signal` aborts. */
export function unlessStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
