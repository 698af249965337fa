/**
 * `npm run demo`: brings up a three-node cluster in containers (main with the
 * controller and a local agent, worker1, worker2), walks through the scenarios
 * and tears everything down again, also on failure or Ctrl-C.
 *
 * The agent link uses TLS with client certificates bound to the node names
 * (a test PKI made by scripts/make-test-certs.sh); `npm run demo -- --no-tls`
 * runs it in plaintext instead.
 *
 * To add a scenario, write it under scenarios/ and list it in SCENARIOS.
 */
import { rmSync } from 'node:fs';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { agentTlsConf, controllerTlsConf, installPki, makePki } from '../harness/tls.js';
import { removeSessionContainers, type ExecResult } from '../harness/systemd-container.js';
import type { DemoContext, Scenario } from './scenario.js';
import { nodeStatus, startUnit } from './scenarios/basics.js';
import { PROXY_CONTROLLER_CONF } from './scenarios/proxy-common.js';
import { proxyRequiresFailingTarget } from './scenarios/proxy-requires-failing-target.js';
import { proxyUpholdsRestart } from './scenarios/proxy-upholds-restart.js';
import { proxyWantsStopWhenUnneeded } from './scenarios/proxy-wants-stop-when-unneeded.js';
import { dbusApi } from './scenarios/dbus-api.js';
import { watchAndManage } from './scenarios/watch-and-manage.js';

const SCENARIOS: Scenario[] = [
  nodeStatus,
  startUnit,
  watchAndManage,
  dbusApi,
  proxyRequiresFailingTarget,
  proxyWantsStopWhenUnneeded,
  proxyUpholdsRestart,
];

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

/** Set on Ctrl-C: the running scenario stops at its next step. */
let interrupted: NodeJS.Signals | undefined;

function checkInterrupted(): void {
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
}

function context(cluster: Cluster): DemoContext {
  /** Prints the command line, runs it, prints its output and a non-zero exit code. */
  const show = async (line: string, run: () => Promise<ExecResult>): Promise<ExecResult> => {
    checkInterrupted();
    console.log(bold(`main# ${line}`));
    const result = await run();
    checkInterrupted();
    process.stdout.write(result.stdout);
    process.stdout.write(result.stderr);
    if (result.exitCode !== 0) console.log(dim(`(exit code ${result.exitCode})`));
    return result;
  };
  return {
    cluster,
    say: (text) => console.log(dim(text)),
    ctl: (args) => show(`bluechictl ${args}`, () => cluster.ctl(args)),
    sh: (command) => show(command, () => cluster.main.exec(command)),
  };
}

let tearingDown: Promise<void> | undefined;
function tearDown(cluster: Cluster | undefined): Promise<void> {
  tearingDown ??= (async () => {
    console.log(dim('\nRemoving the containers...'));
    await cluster?.stop().catch(() => undefined);
    // Also catches containers of a cluster that was still booting.
    await removeSessionContainers().catch(() => undefined);
  })();
  return tearingDown;
}

async function main(): Promise<void> {
  let cluster: Cluster | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = signal;
      console.log(dim(`\n${signal}: stopping the demo`));
      void tearDown(cluster).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }

  const agents = [...new Set(SCENARIOS.flatMap((s) => s.agents))];
  console.log(bold(`Starting a cluster: main (controller + local agent), ${agents.join(', ')}`));
  const started = Date.now();
  try {
    const tls = !process.argv.includes('--no-tls');
    if (!tls) {
      cluster = await startCluster({ agents, localAgent: 'main', controllerConf: PROXY_CONTROLLER_CONF });
    } else {
      const pki = makePki('main', agents);
      try {
        cluster = await startCluster({
          agents,
          localAgent: 'main',
          start: false,
          controllerConf: `${controllerTlsConf()}\n${PROXY_CONTROLLER_CONF}`,
          agentConf: Object.fromEntries(agents.map((a) => [a, agentTlsConf(a)])),
        });
        await installPki(cluster, pki);
        await cluster.startServices();
        await cluster.waitOnline();
      } finally {
        rmSync(pki, { recursive: true, force: true });
      }
    }
    console.log(dim(`Cluster online in ${((Date.now() - started) / 1000).toFixed(1)} s (controller port ${cluster.port}).`));
    console.log(
      dim(
        tls
          ? 'Agent link: TLS, each worker with a client certificate for its own name (scripts/make-test-certs.sh; npm run demo -- --no-tls for plaintext).'
          : 'Agent link: plaintext (--no-tls).',
      ),
    );
    const ctx = context(cluster);
    for (const [i, scenario] of SCENARIOS.entries()) {
      checkInterrupted();
      console.log(bold(`\n== ${i + 1}. ${scenario.title} ==`));
      await scenario.run(ctx);
    }
  } finally {
    await tearDown(cluster);
  }
  console.log(bold('\nDemo finished.'));
}

main().catch((err: unknown) => {
  if (interrupted) return; // the signal handler exits once the containers are gone
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
