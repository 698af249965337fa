/**
 * What a verb handler gets: the controller client, a way to open another
 * connection, the two output streams, a clock, whether to use colour, and a
 * way to learn that the user wants to stop a long-running verb. Tests pass
 * fakes for all of them.
 */
import type { ApiMethods, ApiSignals, CallOptions, ParamsOf, ResultOf, SignalParamsOf } from '@bluechi-ts/protocol';

export type ApiMethod = keyof typeof ApiMethods & string;
export type ApiSignal = keyof typeof ApiSignals & string;

/** The controller API as the verbs see it: one typed call per catalogue method, and its signals. */
export interface CtlClient {
  call<M extends ApiMethod>(method: M, params: ParamsOf<typeof ApiMethods, M>, options?: CallOptions): Promise<ResultOf<typeof ApiMethods, M>>;
  /** Adds a listener for a signal; returns a function that removes it. */
  on<S extends ApiSignal>(signal: S, listener: (params: SignalParamsOf<typeof ApiSignals, S>) => void): () => void;
  /** Called once when the connection is gone. */
  onClose(listener: () => void): void;
  close(): void;
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
  /** Opens another connection to the controller (after losing one). Rejects with ConnectError. */
  connect(): Promise<CtlClient>;
  /** Writes text to stdout exactly as given (handlers add their own newlines). */
  out(text: string): void;
  /** Writes text to stderr exactly as given. */
  err(text: string): void;
  clock: Clock;
  /** Aborts on SIGINT/SIGTERM; verbs that wait call it before they start waiting. */
  stopSignal(): AbortSignal;
  /** Colour the output: stdout is a terminal, NO_COLOR is unset and TERM is not dumb. */
  colour: boolean;
}

export type OptionValues = ReadonlyMap<string, string | true>;

export type VerbArgs = {
  positionals: readonly string[];
  options: OptionValues;
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

/** The string value of an option, if given with one. */
export function optionValue(args: VerbArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}
