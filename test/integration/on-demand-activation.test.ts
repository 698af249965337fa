/**
 * On-demand activation across nodes with the shipped templates: a client
 * connects to bluechi-ondemand@worker1_UNIT.socket on main, the forwarder
 * (systemd-socket-proxyd) needs bluechi-proxy@worker1_UNIT.service, so UNIT is
 * started on worker1 and the client gets its answer; once the forwarder has
 * been idle for EXIT_IDLE_TIME the chain stops, down to a StopWhenUnneeded
 * target. All nodes share 127.0.0.1 here, so "worker1's address" is
 * 127.0.0.1 with the port the target listens on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startCluster, type Cluster } from '../harness/cluster.js';
import { shq } from '../harness/systemd-container.js';
import { depOf, jobOk, journals, proxyOf, unitStates, waitExplained, waitStates } from './support/proxy-units.js';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ agents: ['worker1'], controllerConf: '[node main]\nAllowDependenciesOn=worker1\n' });
  await c.node('worker1').writeFile('/usr/local/lib/od-echo.js', ECHO_SERVER);
});
afterAll(async () => c?.stop());

/**
 * The target's program: answers every line with `pong LINE from pid PID`, and
 * on SIGTERM keeps running for DRAIN_MS (a server that drains its
 * connections) before it exits.
 */
const ECHO_SERVER = `
const net = require('node:net');
const [port, drainMs = '0'] = process.argv.slice(2);
const server = net.createServer((socket) => {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', (data) => {
    buf += data;
    for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
      socket.write('pong ' + buf.slice(0, i) + ' from pid ' + process.pid + '\\n');
      buf = buf.slice(i + 1);
    }
  });
});
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => setTimeout(() => process.exit(0), Number(drainMs)));
`;

type Chain = {
  /** `od-NAME`: the target unit's name without `.service`. */
  unit: string;
  socket: string;
  forwarder: string;
  proxy: string;
  dep: string;
  /** The port the socket on main listens on. */
  listenPort: number;
  /** The port the target listens on (on worker1). */
  targetPort: number;
};

const installed: Chain[] = [];

/**
 * Installs a target on worker1 (active once it accepts connections,
 * StopWhenUnneeded=yes) and the per-instance drop-ins of the shipped templates
 * on main, then starts the socket with bluechictl, as a user would.
 */
async function installChain(
  name: string,
  opts: { idle: string; drainMs?: number; exec?: string; targetAddress?: boolean; keepStartLimits?: boolean },
): Promise<Chain> {
  const unit = `od-${name}`;
  const instance = `worker1_${unit}`;
  const chain: Chain = {
    unit,
    socket: `bluechi-ondemand@${instance}.socket`,
    forwarder: `bluechi-ondemand@${instance}.service`,
    proxy: proxyOf('worker1', unit),
    dep: depOf(unit),
    listenPort: await freePort(),
    targetPort: await freePort(),
  };
  installed.push(chain);
  // The idle times here are seconds, not minutes, so the chain starts more often
  // than systemd's default start rate limit (5 starts in 10 s) allows; raise it,
  // as docs/on-demand-activation.md advises for short idle times.
  const raiseLimits = opts.keepStartLimits !== true;
  await c.node('worker1').writeUnit(
    `${unit}.service`,
    `[Unit]\nDescription=on-demand test target\nStopWhenUnneeded=yes\n${raiseLimits ? 'StartLimitBurst=50\n' : ''}\n` +
      '[Service]\n' +
      `ExecStart=${opts.exec ?? `/usr/bin/node /usr/local/lib/od-echo.js ${chain.targetPort} ${opts.drainMs ?? 0}`}\n` +
      // "active" must mean "accepts connections" (docs/on-demand-activation.md).
      `ExecStartPost=/bin/bash -c 'until (exec 3<>/dev/tcp/127.0.0.1/${chain.targetPort}) 2>/dev/null; do kill -0 $$MAINPID || exit 1; sleep 0.1; done'\n`,
  );
  await c.main.writeFile(`/etc/systemd/system/${chain.socket}.d/listen.conf`, `[Socket]\nListenStream=127.0.0.1:${chain.listenPort}\n`);
  await c.main.writeFile(
    `/etc/systemd/system/${chain.forwarder}.d/target.conf`,
    '[Service]\n' +
      (opts.targetAddress === false ? '' : `Environment=TARGET_ADDRESS=127.0.0.1:${chain.targetPort}\n`) +
      `Environment=EXIT_IDLE_TIME=${opts.idle}\n`,
  );
  if (raiseLimits) await c.main.writeFile(`/etc/systemd/system/${chain.proxy}.d/limit.conf`, '[Unit]\nStartLimitBurst=50\n');
  await c.main.run('systemctl daemon-reload');
  await jobOk(c, 'start', 'main', chain.socket);
  return chain;
}

afterEach(async () => {
  for (const chain of installed.splice(0)) {
    const mainUnits = [chain.socket, chain.forwarder, chain.proxy].map(shq);
    await c.main.exec(
      `systemctl stop ${mainUnits.join(' ')}; systemctl reset-failed; ` +
        `rm -rf ${mainUnits.map((u) => `/etc/systemd/system/${u}.d`).join(' ')}; systemctl daemon-reload`,
    );
    const target = shq(`${chain.unit}.service`);
    await c
      .node('worker1')
      .exec(`systemctl stop ${target} ${shq(chain.dep)}; systemctl reset-failed; rm -f /etc/systemd/system/${target}; systemctl daemon-reload`);
  }
});

/** One client on main: connects to the socket, sends `line`, prints the one line it gets back. */
function clientScript(port: number, line: string): string {
  return (
    `exec 3<>/dev/tcp/127.0.0.1/${port} || exit 2; printf '%s\\n' ${shq(line)} >&3; ` +
    `IFS= read -r -t 60 answer <&3 || { echo "no answer" >&2; exit 3; }; printf '%s\\n' "$answer"`
  );
}

/** Connects from main and returns the target's pid from its answer, asserting the answer. */
async function ask(chain: Chain, line: string): Promise<number> {
  const r = await c.main.exec(`timeout 90 bash -c ${shq(clientScript(chain.listenPort, line))}`);
  expect(r).toMatchObject({ exitCode: 0, stderr: '' });
  expect(r.stdout).toMatch(new RegExp(`^pong ${line} from pid \\d+\\n$`));
  return Number(/pid (\d+)/.exec(r.stdout)![1]);
}

/** The whole chain at rest: only the socket is up, on main; nothing runs on worker1. */
async function waitChainIdle(chain: Chain): Promise<void> {
  await waitStates(c, 'main', { [chain.socket]: 'active/listening', [chain.forwarder]: 'inactive/dead', [chain.proxy]: 'inactive/dead' }, 30_000);
  await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'inactive/dead', [chain.dep]: 'inactive/dead' }, 30_000);
}

describe('on-demand activation through bluechi-ondemand@ and a proxy service', () => {
  it('the first connection on main starts the target on worker1 and the client gets its answer', async () => {
    const chain = await installChain('first', { idle: '1h' });
    // Before anyone connects only the socket runs.
    await waitChainIdle(chain);

    const pid = await ask(chain, 'hello');

    expect(await unitStates(c, 'main', [chain.socket, chain.forwarder, chain.proxy])).toEqual({
      [chain.socket]: 'active/running',
      [chain.forwarder]: 'active/running',
      [chain.proxy]: 'active/exited',
    });
    expect(await unitStates(c, 'worker1', [`${chain.unit}.service`, chain.dep])).toEqual({
      [`${chain.unit}.service`]: 'active/running',
      [chain.dep]: 'active/exited',
    });
    expect((await c.node('worker1').exec(`systemctl show -P MainPID ${chain.unit}.service`)).stdout).toBe(`${pid}\n`);
    // A second client is served by the same target.
    expect(await ask(chain, 'again')).toBe(pid);
    // The instance can be enabled like any socket (docs/on-demand-activation.md).
    expect(await c.main.exec(`systemctl enable ${chain.socket} && systemctl is-enabled ${chain.socket}`)).toMatchObject({
      exitCode: 0,
      stdout: 'enabled\n',
    });
    await c.main.run(`systemctl disable ${chain.socket}`);

    // Stopping the socket takes the whole chain down (the forwarder Requires= it).
    await jobOk(c, 'stop', 'main', chain.socket);
    await waitStates(c, 'main', { [chain.socket]: 'inactive/dead', [chain.forwarder]: 'inactive/dead', [chain.proxy]: 'inactive/dead' });
    await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'inactive/dead', [chain.dep]: 'inactive/dead' });
  });

  it('after the idle time the forwarder, the proxy and the StopWhenUnneeded target stop; the next connection starts them again', async () => {
    const chain = await installChain('idle', { idle: '2s' });
    const first = await ask(chain, 'one');

    await waitChainIdle(chain);
    // The forwarder ended by itself, cleanly.
    expect((await c.main.exec(`systemctl show -P Result ${chain.forwarder}`)).stdout).toBe('success\n');

    const second = await ask(chain, 'two');
    expect(second).not.toBe(first);
    await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'active/running' });
    await waitChainIdle(chain);
  });

  it('a connection that arrives while the target is stopping gets an answer from the restarted target', async () => {
    // The target drains for 3 s on SIGTERM, so "stopping" lasts long enough to connect into it.
    const chain = await installChain('draining', { idle: '1s', drainMs: 3000 });
    const first = await ask(chain, 'before');
    await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'deactivating' });

    const second = await ask(chain, 'while-stopping');

    expect(second).not.toBe(first);
    await waitChainIdle(chain);
  });

  it('connections that arrive the moment the forwarder has exited, while the proxy lets go, get an answer', async () => {
    const chain = await installChain('release', { idle: '2s' });
    await ask(chain, 'start');
    for (let round = 1; round <= 5; round++) {
      // Watches from inside main, so the client connects within moments of the forwarder's exit.
      const r = await c.main.exec(
        `timeout 90 bash -c ${shq(
          `while systemctl is-active -q ${chain.forwarder}; do sleep 0.02; done; ${clientScript(chain.listenPort, `round${round}`)}`,
        )}`,
      );
      expect(r, await journals(c, 250)).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^pong round${round} from pid \\d+\\n$`));
    }
    await waitChainIdle(chain);
  });
});

describe('the same chain written by hand', () => {
  it('a .socket whose service runs systemd-socket-proxyd with Requires=/After= on the proxy wakes the target and lets it stop', async () => {
    // The pair from "Writing the units by hand" in docs/on-demand-activation.md.
    // installChain provides the target; the template's socket hands its port over.
    const chain = await installChain('hand', { idle: '2s' });
    await c.main.run(`systemctl stop ${shq(chain.socket)}`);
    const proxy = chain.proxy;
    await c.main.writeFile(
      '/etc/systemd/system/od-hand-ondemand.socket',
      `[Socket]\nListenStream=127.0.0.1:${chain.listenPort}\n\n[Install]\nWantedBy=sockets.target\n`,
    );
    await c.main.writeFile(
      '/etc/systemd/system/od-hand-ondemand.service',
      `[Unit]\nRequires=${proxy} od-hand-ondemand.socket\nAfter=${proxy} od-hand-ondemand.socket\n\n` +
        `[Service]\nExecStart=/usr/lib/systemd/systemd-socket-proxyd --exit-idle-time=2s 127.0.0.1:${chain.targetPort}\n`,
    );
    try {
      await c.main.run('systemctl daemon-reload && systemctl enable --now od-hand-ondemand.socket');

      await ask(chain, 'by-hand');
      await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'active/running' });

      await waitStates(c, 'main', {
        'od-hand-ondemand.socket': 'active/listening',
        'od-hand-ondemand.service': 'inactive/dead',
        [proxy]: 'inactive/dead',
      });
      await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'inactive/dead', [chain.dep]: 'inactive/dead' });
    } finally {
      await c.main.exec(
        'systemctl disable --now od-hand-ondemand.socket; systemctl stop od-hand-ondemand.service; ' +
          'rm -f /etc/systemd/system/od-hand-ondemand.socket /etc/systemd/system/od-hand-ondemand.service; systemctl daemon-reload',
      );
    }
  });
});

describe('when the chain cannot be started', () => {
  /** Connects and expects the connection to be closed without an answer. */
  async function askUnanswered(chain: Chain): Promise<void> {
    const r = await c.main.exec(`timeout 90 bash -c ${shq(clientScript(chain.listenPort, 'hello'))}`);
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(3);
  }

  it('a target that fails: the client is disconnected, the proxy says why, the socket gives up', async () => {
    const chain = await installChain('broken', { idle: '1h', exec: '/bin/false', keepStartLimits: true });

    await askUnanswered(chain);

    // The client got no answer. The socket then ends one of two ways, a race
    // inside systemd: it hits its trigger limit and fails (the usual case),
    // or it stays `active/running` with its forwarder dead and retriggers no
    // more (seen twice in many runs). Either way it serves nobody until it is
    // reset and restarted, as docs/on-demand-activation.md says.
    await waitExplained(
      'the socket failed on its trigger limit, or stuck running without a forwarder',
      async () => {
        const s = await unitStates(c, 'main', [chain.socket, chain.forwarder]);
        const failed = s[chain.socket]?.startsWith('failed/') && (await c.main.exec(`systemctl show -P Result ${chain.socket}`)).stdout === 'trigger-limit-hit\n';
        const stuck = s[chain.socket] === 'active/running';
        return (failed || stuck) && s[chain.forwarder]?.startsWith('inactive/');
      },
      { timeoutMs: 15_000, describe: async () => JSON.stringify(await unitStates(c, 'main', [chain.socket, chain.forwarder])) },
    );
    const journal = await c.main.exec(`journalctl --no-pager -o cat -u ${shq(chain.proxy)}`);
    expect(journal.stdout).toContain(
      `Failed to activate ${chain.proxy} (on worker1): ${chain.unit}.service on node 'worker1': target failed (failed)`,
    );
    await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'failed', [chain.dep]: 'inactive' });
  });

  it('a forwarder without TARGET_ADDRESS=: the client is disconnected and the journal names the setting', async () => {
    const chain = await installChain('noaddr', { idle: '1h', targetAddress: false, keepStartLimits: true });

    await askUnanswered(chain);

    await waitStates(c, 'main', { [chain.socket]: 'failed', [chain.forwarder]: 'failed', [chain.proxy]: 'inactive' });
    const journal = await c.main.exec(`journalctl --no-pager -o cat -u ${shq(chain.forwarder)}`);
    expect(journal.stdout).toContain(
      `TARGET_ADDRESS= is not set for ${chain.forwarder}: add it in a drop-in (systemctl edit ${chain.forwarder})`,
    );
    await waitStates(c, 'worker1', { [`${chain.unit}.service`]: 'inactive', [chain.dep]: 'inactive' });
  });
});
