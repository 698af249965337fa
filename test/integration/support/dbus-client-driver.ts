/**
 * Drives dbus-client.ts inside a container: bundles it with esbuild (once per
 * test process), copies it in, starts one client per bus connection in the
 * background and talks to it through its command FIFO.
 *
 *   const a = await DbusClient.start(cluster.main, 'a');
 *   await a.addMatch("type='signal',sender='org.eclipse.bluechi'");
 *   const [job] = await a.ok(nodePath('worker1'), NODE, 'StartUnit', 'ss', 'x.service', 'replace');
 *   const seen = await a.waitSignals('JobRemoved', (s) => s.some((x) => x.member === 'JobRemoved') && s);
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import { startBackground, type BackgroundCommand } from '../../harness/background.js';
import { startCluster, type Cluster } from '../../harness/cluster.js';
import { shq, type SystemdNode } from '../../harness/systemd-container.js';
import { waitFor, type WaitOptions } from '../../harness/wait.js';

export const CONTROLLER_PATH = '/org/eclipse/bluechi';
export const CONTROLLER = 'org.eclipse.bluechi.Controller';
export const NODE = 'org.eclipse.bluechi.Node';
export const JOB = 'org.eclipse.bluechi.Job';
export const MONITOR = 'org.eclipse.bluechi.Monitor';
export const METRICS = 'org.eclipse.bluechi.Metrics';
export const PROPERTIES = 'org.freedesktop.DBus.Properties';
export const INTROSPECTABLE = 'org.freedesktop.DBus.Introspectable';
export const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';

/** Node names in these tests are plain words, so their object path is the name itself. */
export const nodePath = (node: string): string => `/org/eclipse/bluechi/node/${node}`;
/** Every signal the controller sends (broadcast or to us). */
export const FROM_BLUECHI = "type='signal',sender='org.eclipse.bluechi'";

/** A signal as the client printed it: 64-bit numbers as strings, variants as {signature, value}. */
export type Signal = { event: 'signal'; member: string; path: string; interface: string; args: unknown[]; destination: string | null };
type Reply = { event: 'reply'; tag: string; args: unknown[] };
type Failure = { event: 'error'; tag: string; name: string; message: string };
type Line = { event: 'hello'; name: string } | Reply | Failure | Signal;

const INSTALLED = '/usr/local/lib/bluechi-tests/dbus-client.cjs';
const FIFO_DIR = '/tmp/dbus-client';

let bundled: Promise<string> | undefined;

function bundle(): Promise<string> {
  bundled ??= esbuild
    .build({
      entryPoints: [fileURLToPath(new URL('./dbus-client.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // dbus-next loads these only for abstract sockets and X11 session buses.
      external: ['usocket', 'x11'],
      logLevel: 'warning',
      write: false,
    })
    .then((r) => r.outputFiles[0]!.text);
  return bundled;
}

export class DbusClient {
  private nextTag = 1;

  private constructor(
    readonly node: SystemdNode,
    private readonly bg: BackgroundCommand,
    private readonly fifo: string,
    /** The connection's unique bus name, e.g. `:1.42`. */
    readonly uniqueName: string,
  ) {}

  /** Starts a client named `name` (unique per container and test file) on `node`. */
  static async start(node: SystemdNode, name: string): Promise<DbusClient> {
    await node.writeFile(INSTALLED, await bundle());
    const fifo = `${FIFO_DIR}/${name}.in`;
    await node.run(`mkdir -p ${FIFO_DIR} && rm -f ${fifo} && mkfifo ${fifo}`);
    const bg = await startBackground(node, `dbus-${name}`, `node ${INSTALLED} ${fifo}`, { timeoutS: 900 });
    const hello = await bg.waitOut(`${name} on the bus`, (out) => {
      const first = out.split('\n')[0];
      return first ? (JSON.parse(first) as { name?: string }).name : undefined;
    });
    return new DbusClient(node, bg, fifo, hello);
  }

  private async send(command: Record<string, unknown>): Promise<void> {
    await this.node.run(`timeout 10 sh -c ${shq(`printf '%s\\n' ${shq(JSON.stringify(command))} > ${this.fifo}`)}`);
  }

  /** Sends a command and waits (inside the container) for the line that answers it. */
  private async request(command: Record<string, unknown>): Promise<Reply | Failure> {
    const tag = `t${this.nextTag++}`;
    const needle = shq(`"tag":"${tag}",`);
    const out = `/tmp/bg/${this.bg.name}.out`;
    await this.send({ tag, ...command });
    // A reader can catch a long line half written: it does not parse yet, so read it again.
    return waitFor(`the answer to ${JSON.stringify(command)}`, async () => {
      const found = await this.node.exec(
        `timeout 30 sh -c ${shq(`until grep -qF ${needle} ${out}; do sleep 0.02; done`)} && grep -F ${needle} ${out}`,
      );
      if (found.exitCode !== 0) throw new Error(`no answer\n--- stderr ---\n${await this.bg.err()}`);
      return JSON.parse(found.stdout) as Reply | Failure;
    }, { timeoutMs: 35_000, intervalMs: 20 });
  }

  /** Calls a method of org.eclipse.bluechi; resolves with the reply or the D-Bus error. */
  call(path: string, iface: string, member: string, signature: string, ...args: unknown[]): Promise<Reply | Failure> {
    return this.request({ call: [path, iface, member, signature, ...args] });
  }

  /** Like call, but the method must succeed; resolves with its out arguments. */
  async ok(path: string, iface: string, member: string, signature: string, ...args: unknown[]): Promise<unknown[]> {
    const r = await this.call(path, iface, member, signature, ...args);
    if (r.event === 'error') throw new Error(`${iface}.${member} on ${path} failed: ${r.name}: ${r.message}`);
    return r.args;
  }

  /** Like call, but the method must fail; resolves with the error's name and message. */
  async fails(path: string, iface: string, member: string, signature: string, ...args: unknown[]): Promise<{ name: string; message: string }> {
    const r = await this.call(path, iface, member, signature, ...args);
    if (r.event === 'reply') throw new Error(`${iface}.${member} on ${path} succeeded: ${JSON.stringify(r.args)}`);
    return { name: r.name, message: r.message };
  }

  async addMatch(rule: string): Promise<void> {
    const r = await this.request({ match: rule });
    if (r.event === 'error') throw new Error(`AddMatch ${rule} failed: ${r.name}: ${r.message}`);
  }

  /** Everything the client printed so far, in order (complete lines only). */
  async lines(): Promise<Line[]> {
    const out = await this.bg.out();
    return out
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Line);
  }

  /** The signals received so far, in order. */
  async signals(): Promise<Signal[]> {
    return (await this.lines()).filter((l): l is Signal => l.event === 'signal');
  }

  /** Polls the signals received until `accept` returns something; the signals are part of a timeout error. */
  async waitSignals<T>(description: string, accept: (s: Signal[]) => T | false | undefined | null, opts: WaitOptions = {}): Promise<T> {
    let last: Signal[] = [];
    try {
      return await waitFor(description, async () => accept((last = await this.signals())), opts);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- signals of ${this.uniqueName} ---\n${last.map((s) => JSON.stringify(s)).join('\n')}`);
    }
  }

  /** Leaves the bus and ends the process. */
  async exit(): Promise<void> {
    await this.send({ exit: true });
    await this.bg.waitExit();
  }

  /** Kills the process (SIGKILL): the bus sees the connection go without a goodbye. */
  async kill(): Promise<void> {
    await this.bg.kill();
  }
}

/** `member` of signals from `path`, for order checks. */
export const members = (signals: Signal[], path?: string): string[] =>
  signals.filter((s) => path === undefined || s.path === path).map((s) => s.member);

/**
 * Boots main + worker1 once for the calling test file, installs `units` (name
 * -> unit file text) on worker1, and starts a DbusClient named `name` on main
 * that receives every signal org.eclipse.bluechi sends; both are removed after
 * the file. The returned object is filled in before the first test runs.
 */
export function useWorker1WithClient(name: string, units: Record<string, string>): { cluster: Cluster; client: DbusClient } {
  const ctx = {} as { cluster: Cluster; client: DbusClient };
  beforeAll(async () => {
    ctx.cluster = await startCluster({ agents: ['worker1'] });
    const worker1 = ctx.cluster.node('worker1');
    for (const [unit, text] of Object.entries(units)) await worker1.writeFile(`/etc/systemd/system/${unit}`, text);
    await worker1.run('systemctl daemon-reload');
    ctx.client = await DbusClient.start(ctx.cluster.main, name);
    await ctx.client.addMatch(FROM_BLUECHI);
  });
  afterAll(async () => {
    await ctx.client?.kill();
    await ctx.cluster?.stop();
  });
  return ctx;
}
