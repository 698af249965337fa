/**
 * bluechi-agent: connects the node's systemd to the controller and runs in the
 * foreground until SIGTERM or SIGINT.
 */
import { ConfigError, VERSION, runProgram, untilTerminated } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { Agent } from './agent.js';
import { parseAgentCommandLine, USAGE } from './command-line.js';
import { loadAgentConfig } from './config.js';
import { serveAgentBus } from './systemd/dbus-agent-service.js';
import { connectSystemd } from './systemd/dbus-next-port.js';

async function main(argv: string[]): Promise<number> {
  const args = parseAgentCommandLine(argv);
  switch (args.action) {
    case 'refuse':
      process.stderr.write(`bluechi-agent: ${args.message}\n${USAGE}`);
      return 1;
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
      process.stdout.write(`bluechi-agent version ${VERSION}\n`);
      return 0;
    case 'user':
      process.stderr.write('bluechi-agent: --user (user-session mode) is not supported yet\n');
      return 1;
  }
  let config;
  try {
    config = loadAgentConfig(args.overrides);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`bluechi-agent: ${err.message}\n`);
    return 1;
  }
  const log = createLogger({ name: 'bluechi-agent', level: config.logLevel, target: config.logTarget, quiet: config.logIsQuiet });
  let systemd;
  try {
    systemd = await connectSystemd();
  } catch (err) {
    log.error(`Failed to connect to systemd: ${(err as Error).message}`);
    return 1;
  }
  // Losing systemd is fatal but temporary: exit 75 so systemd restarts the agent
  // (the unit sets RestartForceExitStatus=75).
  systemd.onDisconnect((reason) => {
    log.error(`Lost the connection to systemd: ${reason.message}; exiting to be restarted`);
    process.exit(75);
  });
  const agent = new Agent({ config, systemd, log, serveBus: serveAgentBus });
  try {
    await agent.start();
  } catch (err) {
    log.error(`Failed to start: ${(err as Error).message}`);
    return 1;
  }
  const signal = await untilTerminated();
  log.info(`Received ${signal}, shutting down`);
  await agent.stop();
  return 0;
}

runProgram('bluechi-agent', main);
