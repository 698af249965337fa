/**
 * bluechi-controller: loads its configuration, serves agents and the local API
 * in the foreground until SIGTERM or SIGINT.
 */
import { ConfigError, GetoptError, VERSION, getopt, runProgram, untilTerminated } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { loadControllerConfig } from './config.js';
import { Controller } from './controller.js';

const USAGE = `Usage: bluechi-controller [options]

Runs the bluechi-ts controller: accepts agent connections and serves the local
API that bluechictl uses.

Options:
  -h, --help          show this help and exit
  -v, --version       show the version and exit
  -p, --port PORT     listen for agents on PORT (overrides ControllerPort)
  -c, --config FILE   read FILE after the standard configuration files
`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = getopt(argv, [
      { long: 'help', short: 'h', arg: 'none' },
      { long: 'version', short: 'v', arg: 'none' },
      { long: 'port', short: 'p', arg: 'required' },
      { long: 'config', short: 'c', arg: 'required' },
    ]);
  } catch (err) {
    if (!(err instanceof GetoptError)) throw err;
    process.stderr.write(`bluechi-controller: ${err.message}\n${USAGE}`);
    return 1;
  }
  if (args.options.has('help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.options.has('version')) {
    process.stdout.write(`bluechi-controller version ${VERSION}\n`);
    return 0;
  }
  if (args.positionals.length > 0) {
    process.stderr.write(`bluechi-controller: unexpected argument '${args.positionals[0]}'\n${USAGE}`);
    return 1;
  }
  let config;
  try {
    config = loadControllerConfig({
      port: args.options.get('port') as string | undefined,
      configFile: args.options.get('config') as string | undefined,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`bluechi-controller: ${err.message}\n`);
    return 1;
  }
  const log = createLogger({ name: 'bluechi-controller', level: config.logLevel, target: config.logTarget, quiet: config.logIsQuiet });
  const controller = new Controller({ config, log });
  try {
    await controller.start();
  } catch (err) {
    log.error(`Failed to start: ${(err as Error).message}`);
    return 1;
  }
  const signal = await untilTerminated();
  log.info(`Received ${signal}, shutting down`);
  await controller.stop();
  return 0;
}

runProgram('bluechi-controller', main);
