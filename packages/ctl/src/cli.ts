/**
 * From argv to exit code: option parsing, verb lookup, --help, argument counts
 * and option checks in upstream bluechictl's order, the verb's own argument
 * check, then the connection (only for verbs that need the controller) and the
 * verb's handler.
 */
import { ConnectError } from './api-client.js';
import type { Clock, CtlClient, Deps } from './deps.js';
import { errorMessage, EXIT_FAILURE, EXIT_SUCCESS, exitCodeFor } from './exit-codes.js';
import { GetoptError, parseCommandLine, type ParsedCommandLine } from './options.js';
import { COMPLETE_VERB, runComplete } from './verbs/complete.js';
import { renderVerbHelp } from './verbs/help.js';
import { findVerb, globalUsage, OPTIONS } from './verbs.js';

/** The program name getopt errors start with. */
export const PROGRAM = 'bluechictl';

export type Env = {
  out(text: string): void;
  err(text: string): void;
  connect(): Promise<CtlClient>;
  clock: Clock;
  stopSignal(): AbortSignal;
  /** Colour stdout (see format/colour.ts). Default false. */
  colour?: boolean;
};

/** The one line printed when the controller cannot be reached. */
export function describeConnectError(err: ConnectError): string {
  const hint =
    err.errno === 'EACCES' || err.errno === 'EPERM'
      ? ' (the API socket is for root only)'
      : ' (is bluechi-controller running?)';
  return `${err.message}${hint}\n`;
}

/** Stands in for the client of verbs that never talk to the controller. */
const notConnected: CtlClient = {
  call: () => Promise.reject(new Error('not connected to the controller')),
  on: () => () => {},
  onClose: () => {},
  close: () => {},
};

export async function run(argv: readonly string[], env: Env): Promise<number> {
  // Shell completion passes the words being typed, options included: never parse them.
  if (argv[0] === COMPLETE_VERB) return runComplete(argv.slice(1), env);
  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(argv, OPTIONS);
  } catch (err) {
    if (!(err instanceof GetoptError)) throw err;
    env.err(`${PROGRAM}: ${err.message}\n`);
    env.out(globalUsage());
    return EXIT_FAILURE;
  }

  const wantsHelp = parsed.options.has('help');
  const [command, ...positionals] = parsed.positionals;
  if (command === undefined) {
    env.out(globalUsage());
    if (wantsHelp) return EXIT_SUCCESS;
    env.err('No command given\n');
    return EXIT_FAILURE;
  }

  const verb = findVerb(command);
  if (!verb) {
    env.err(`Method ${command} not found\n`);
    env.out(globalUsage());
    return EXIT_FAILURE;
  }
  if (wantsHelp) {
    env.out(verb.help ? renderVerbHelp(verb.help) : globalUsage());
    return EXIT_SUCCESS;
  }
  if (positionals.length < verb.minArgs) {
    env.err(`Too few arguments for method ${verb.name}\n`);
    return EXIT_FAILURE;
  }
  if (positionals.length > verb.maxArgs) {
    env.err(`Too many arguments for method ${verb.name}\n`);
    return EXIT_FAILURE;
  }
  const unsupported = parsed.order.find((o) => o !== 'help' && !verb.options.includes(o));
  if (unsupported !== undefined) {
    env.err(`Unsupported option '${unsupported}' for method '${verb.name}'\n`);
    return EXIT_FAILURE;
  }
  const args = { positionals, options: parsed.options };
  const invalid = verb.check?.(args);
  if (invalid !== undefined) {
    env.err(invalid);
    return EXIT_FAILURE;
  }

  let connection: CtlClient | undefined;
  if (verb.needsController) {
    try {
      connection = await env.connect();
    } catch (err) {
      env.err(err instanceof ConnectError ? describeConnectError(err) : `${errorMessage(err)}\n`);
      return EXIT_FAILURE;
    }
  }
  const deps: Deps = {
    client: connection ?? notConnected,
    connect: env.connect,
    out: env.out,
    err: env.err,
    clock: env.clock,
    stopSignal: env.stopSignal,
    colour: env.colour ?? false,
  };
  try {
    return await verb.run(args, deps);
  } catch (err) {
    env.err(`${PROGRAM}: ${errorMessage(err)}\n`);
    return exitCodeFor(err);
  } finally {
    deps.client.close();
  }
}
