/**
 * Long-running verbs (monitor, metrics listen, status -w) keep going when the
 * controller restarts: `followController` runs the verb's setup on a
 * connection, and when the connection is lost it says so on stderr,
 * reconnects (after 100 ms, doubling up to 2 s) and runs the setup again,
 * until SIGINT or SIGTERM, which end it with status 0.
 */
import { unlessStopped, type CtlClient, type Deps } from '../deps.js';
import { EXIT_FAILURE, failedCall, isConnectionLost } from '../exit-codes.js';

export const RECONNECT_FIRST_MS = 100;
export const RECONNECT_MAX_MS = 2_000;

/** `again` is false on the first connection, true after every reconnect. */
export type FollowSetup = (client: CtlClient, again: boolean) => Promise<void>;

/** A setup failure that carries its own stderr text (the verb's wording of a failed call). */
export class SetupFailure extends Error {
  constructor(readonly text: string) {
    super(text.trimEnd());
    this.name = 'SetupFailure';
  }
}

export type FollowHooks = {
  /** Runs once each time the connection is lost while the verb still runs, before reconnecting. */
  lost?: () => void;
};

export async function followController(deps: Deps, setup: FollowSetup, hooks: FollowHooks = {}): Promise<number> {
  const stop = deps.stopSignal();
  let client = deps.client;
  let again = false;
  try {
    for (;;) {
      const closed = new Promise<void>((resolve) => client.onClose(resolve));
      try {
        await setup(client, again);
      } catch (err) {
        if (!isConnectionLost(err)) {
          if (!(err instanceof SetupFailure)) return failedCall(deps, err);
          deps.err(err.text);
          return EXIT_FAILURE;
        }
      }
      const ended = await unlessStopped(closed.then(() => 'closed' as const), stop);
      if (ended === undefined) return 0;
      hooks.lost?.();
      deps.err('Lost the connection to the controller, reconnecting...\n');
      const next = await reconnect(deps, stop);
      if (!next) return 0;
      if (client !== deps.client) client.close();
      client = next;
      again = true;
      deps.err('Connected to the controller again\n');
    }
  } finally {
    if (client !== deps.client) client.close();
  }
}

/** Retries until connected (the client) or stopped (undefined). */
async function reconnect(deps: Deps, stop: AbortSignal): Promise<CtlClient | undefined> {
  let delay = RECONNECT_FIRST_MS;
  for (;;) {
    await deps.clock.sleep(delay, stop);
    if (stop.aborted) return undefined;
    try {
      return await deps.connect();
    } catch {
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    }
  }
}

/**
 * Wraps a redraw so that calls arriving while one runs are folded into one
 * more run afterwards: a burst of events gives at most two redraws. A run
 * that fails rejects the calls waiting on it; the next call runs again.
 */
export function coalesce(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const loop = async (): Promise<void> => {
    try {
      do {
        again = false;
        await run();
      } while (again);
    } finally {
      running = undefined;
    }
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = loop();
    return running;
  };
}
