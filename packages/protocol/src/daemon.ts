/** The life of a foreground daemon process, shared by bluechi-controller and bluechi-agent. */

/** Resolves with the signal's name at the first SIGTERM or SIGINT. */
export function untilTerminated(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => resolve(signal);
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * Runs `main` and exits with its status. Anything thrown is a bug: it is
 * reported with its stack on stderr and the process exits 1.
 */
export function runProgram(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${name}: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
