/**
 * bluechi-agent: connects the node's systemd to the controller and runs in the
 * foreground until SIGTERM or SIGINT.
 */
import { ConfigError, EXIT_CONFIG, VERSION, runDaemon, runProgram } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { Agent } from './agent.js';
import { parseAgentCommandLine, USAGE } from './command-line.js';
import { loadAgentConfig } from './config.js';
import { serveAgentBus } from './systemd/dbus-agent-service.js';
import { connectSystemd } from './systemd/dbus-next-port.js';

/** How often the controller link's state is turned into the STATUS= line. */
const STATUS_POLL_MS = 1000;

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
    return EXIT_CONFIG;
  }
  const log = createLogger({ name: 'bluechi-agent', level: config.logLevel, target: config.logTarget, quiet: config.logIsQuiet });
  for (const warning of config.warnings) log.warn(warning);
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
  // systemctl reload (ExecReload= sends SIGHUP): the TLS files and the node
  // token are read at each connection attempt, so the established connection
  // stays and the next one uses what is on disk.
  process.on('SIGHUP', () => log.info('Reload requested: the TLS files and the node token are read again at the next connection; the current connection stays'));
  // Ready once systemd is reachable and the agent's own bus API is up; the
  // controller link comes up in the background and never holds up boot.
  return runDaemon({
    log,
    start: () => agent.start(),
    stop: () => agent.stop(),
    status: () => agent.statusLine(),
    statusPollMs: STATUS_POLL_MS,
    // Alive means systemd still answers on our bus connection.
    healthy: async () => {
      await systemd.getDefaultTarget();
      return true;
    },
  });
}

runProgram('bluechi-agent', main);
