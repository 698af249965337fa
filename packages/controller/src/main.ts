/**
 * bluechi-controller: loads its configuration, serves agents and the local API
 * in the foreground until SIGTERM or SIGINT.
 */
import { ConfigError, EXIT_CONFIG, VERSION, runDaemon, runProgram } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { parseControllerCommandLine, USAGE } from './command-line.js';
import { loadControllerConfig } from './config.js';
import { Controller } from './controller.js';

async function main(argv: string[]): Promise<number> {
  const args = parseControllerCommandLine(argv);
  switch (args.action) {
    case 'refuse':
      process.stderr.write(`bluechi-controller: ${args.message}\n${USAGE}`);
      return 1;
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
      process.stdout.write(`bluechi-controller version ${VERSION}\n`);
      return 0;
  }
  let config;
  try {
    config = loadControllerConfig({ port: args.port, configFile: args.configFile });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`bluechi-controller: ${err.message}\n`);
    return EXIT_CONFIG;
  }
  const log = createLogger({ name: 'bluechi-controller', level: config.logLevel, target: config.logTarget, quiet: config.logIsQuiet });
  for (const warning of config.warnings) log.warn(warning);
  const controller = new Controller({ config, log });
  // systemctl reload (ExecReload= sends SIGHUP): new TLS material for new connections.
  process.on('SIGHUP', () => controller.reloadTls());
  return runDaemon({
    log,
    start: () => controller.start(),
    stop: () => controller.stop(),
    status: () => controller.statusLine(),
    onStatusChange: (listener) => {
      controller.registry.on('status', listener);
      return () => controller.registry.off('status', listener);
    },
  });
}

runProgram('bluechi-controller', main);
