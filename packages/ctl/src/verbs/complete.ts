/**
 * `bluechictl __complete INDEX WORDS...`: the shell completion scripts'
 * helper (hidden; packaging/completion). Prints the candidates for
 * WORDS[INDEX] one per line (WORDS[0] is the program's name). It never fails:
 * when the controller cannot be reached it prints what it knows without it,
 * and it always exits 0 without a word on stderr.
 */
import { complete, COMPLETION_TIMEOUT_MS } from '../completion.js';
import type { CtlClient } from '../deps.js';

/** The hidden verb's name; run() hands it the raw argv before any option parsing. */
export const COMPLETE_VERB = '__complete';

export type CompleteIo = {
  out(text: string): void;
  connect(): Promise<CtlClient>;
};

/** Gives up on a connection that takes too long; one that arrives later is closed at once. */
function connectWithin(connect: () => Promise<CtlClient>, ms: number): Promise<CtlClient> {
  const pending = connect();
  return new Promise<CtlClient>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('timed out'));
      pending.then((client) => client.close(), () => undefined);
    }, ms);
    timer.unref?.();
    pending.then(
      (client) => {
        clearTimeout(timer);
        resolve(client);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export async function runComplete(argv: readonly string[], io: CompleteIo): Promise<number> {
  const [index = '', ...words] = argv;
  let candidates: string[] = [];
  try {
    candidates = await complete(words, Number(index), () => connectWithin(io.connect, COMPLETION_TIMEOUT_MS));
  } catch {
    // Completion never gets in the way: no candidates, no message.
  }
  if (candidates.length > 0) io.out(`${candidates.join('\n')}\n`);
  return 0;
}
