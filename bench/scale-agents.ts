/**
 * One worker process of `npm run bench -- scale` (bench/scale.ts forks a few):
 * real `Agent`s from @bluechi-ts/agent, each over its own FakeSystemdManager
 * with SCALE_UNITS units, all connecting to the controller over TCP loopback
 * with the shipped agent defaults (HeartbeatInterval 2000 ms).
 *
 * Talks to its parent over the fork IPC channel: it builds every agent, says
 * `prepared`, starts them all at `go` (the registration storm), and stops them
 * at `stop`. Agents log only errors, to stderr.
 */
import { parseIni } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { Agent, buildAgentConfig } from '@bluechi-ts/agent';
import { FakeSystemdManager, type FakeUnitOptions } from '../packages/agent/src/systemd/fake-manager.js';
import { unitNames, type FromWorker, type ToWorker, type WorkerSetup } from './scale-messages.js';

function send(msg: FromWorker): void {
  process.send!(msg);
}

function main(): void {
  const setup = JSON.parse(process.env.SCALE_WORKER_SETUP ?? '') as WorkerSetup;
  const log = createLogger({ name: 'scale-agent', level: 'ERROR', target: 'stderr', quiet: false });
  const units: Record<string, FakeUnitOptions> = {};
  for (const name of unitNames(setup.units)) units[name] = { runningSubState: 'exited' };
  const agents = setup.names.map((name) => {
    const text = `[bluechi-agent]\nNodeName=${name}\nControllerAddress=tcp:host=127.0.0.1,port=${setup.port}\n`;
    const config = buildAgentConfig(parseIni(text, `${name}.conf`), [`${name}.conf`]);
    return new Agent({ config, systemd: new FakeSystemdManager(units), log: log.child({ node: name }) });
  });
  process.on('message', (msg: ToWorker) => {
    if (msg.kind === 'go') for (const agent of agents) void agent.start();
    if (msg.kind === 'stop') {
      void Promise.allSettled(agents.map((a) => a.stop())).then(() => {
        send({ kind: 'stopped' });
        process.exit(0);
      });
    }
  });
  // The parent going away (it failed or was interrupted) ends the worker too.
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'prepared' });
}

main();
