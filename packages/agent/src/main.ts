/**
 * bluechi-agent: connects the node's systemd to the controller and runs in the
 * foreground until SIGTERM or SIGINT.
 */
import { ConfigError, GetoptError, VERSION, getopt, runProgram, untilTerminated } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { Agent } from './agent.js';
import { loadAgentConfig } from './config.js';
import { serveAgentBus } from './systemd/dbus-agent-service.js';
import { connectSystemd } from './systemd/dbus-next-port.js';

const USAGE = `Usage: bluechi-agent [options]

Runs the bluechi-ts agent for this node: it connects to the controller and
carries out unit operations with the local systemd.

Options:
  -h, --help              show this help and exit
  -v, --version           show the version and exit
  -H, --host HOST         controller host (overrides ControllerHost)
  -p, --port PORT         controller port (overrides ControllerPort)
  -a, --address ADDRESS   controller address, e.g. tcp:host=10.0.0.1,port=842
                          or unix:path=/run/bluechi/bluechi.sock
  -n, --name NAME         node name to register as (overrides NodeName)
  -i, --interval MS       heartbeat interval in milliseconds
  -c, --config FILE       read FILE after the standard configuration files
`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = getopt(argv, [
      { long: 'help', short: 'h', arg: 'none' },
      { long: 'version', short: 'v', arg: 'none' },
      { long: 'host', short: 'H', arg: 'required' },
      { long: 'port', short: 'p', arg: 'required' },
      { long: 'address', short: 'a', arg: 'required' },
      { long: 'name', short: 'n', arg: 'required' },
      { long: 'interval', short: 'i', arg: 'required' },
      { long: 'config', short: 'c', arg: 'required' },
      { long: 'user', short: 'u', arg: 'none' },
    ]);
  } catch (err) {
    if (!(err instanceof GetoptError)) throw err;
    process.stderr.write(`bluechi-agent: ${err.message}\n${USAGE}`);
    return 1;
  }
  const opt = (k: string) => args.options.get(k) as string | undefined;
  if (args.options.has('help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.options.has('version')) {
    process.stdout.write(`bluechi-agent version ${VERSION}\n`);
    return 0;
  }
  if (args.options.has('user')) {
    process.stderr.write('bluechi-agent: --user (user-session mode) is not supported yet\n');
    return 1;
  }
  if (args.positionals.length > 0) {
    process.stderr.write(`bluechi-agent: unexpected argument '${args.positionals[0]}'\n${USAGE}`);
    return 1;
  }
  let config;
  try {
    config = loadAgentConfig({
      host: opt('host'),
      port: opt('port'),
      address: opt('address'),
      name: opt('name'),
      interval: opt('interval'),
      configFile: opt('config'),
    });
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
