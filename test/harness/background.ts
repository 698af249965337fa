/**
 * Long-running commands (`bluechictl monitor`, `metrics listen`, `status -w`,
 * a `start` to interrupt) run inside a container in the background, the way
 * a user leaves them running in a terminal. Their stdout, stderr and exit
 * status land in files under /tmp/bg on that container, which a test reads
 * while the command still runs.
 *
 *   const monitor = await startBackground(cluster.main, 'monitor', 'bluechictl monitor');
 *   await monitor.waitOut('header', (out) => out.includes('Subscribing'));
 *   await monitor.signal('INT');
 *   expect(await monitor.waitExit()).toBe(0);
 *
 * Every command runs under `timeout`, so nothing outlives a test for long
 * even when the test itself fails; `kill()` ends it at once.
 */
import { shq, type SystemdNode } from './systemd-container.js';
import { waitFor, type WaitOptions } from './wait.js';

const DIR = '/tmp/bg';

export type BackgroundOptions = {
  /** Seconds after which `timeout` ends the command with SIGTERM. Default 120. */
  timeoutS?: number;
  /** Extra environment variables for the command. */
  env?: Record<string, string>;
  /** Send stdout through a pipe (`| cat > file`) instead of straight into the file. */
  pipe?: boolean;
};

export class BackgroundCommand {
  constructor(
    readonly node: SystemdNode,
    /** Base name of the output files: /tmp/bg/NAME.out, .err, .rc. */
    readonly name: string,
    /** PID of the `timeout` process that runs the command. */
    readonly pid: number,
    readonly command: string,
  ) {}

  private async read(ext: string): Promise<string> {
    const { stdout } = await this.node.exec(`cat ${DIR}/${this.name}.${ext} 2>/dev/null || true`);
    return stdout;
  }

  /** Everything the command wrote to stdout so far. */
  out(): Promise<string> {
    return this.read('out');
  }

  /** Everything the command wrote to stderr so far. */
  err(): Promise<string> {
    return this.read('err');
  }

  /** The exit status, or undefined while the command still runs. */
  async exitCode(): Promise<number | undefined> {
    const rc = (await this.read('rc')).trim();
    return rc === '' ? undefined : Number(rc);
  }

  /** True while the command runs. */
  async running(): Promise<boolean> {
    return (await this.exitCode()) === undefined && (await this.node.exec(`kill -0 ${this.pid}`)).exitCode === 0;
  }

  /**
   * Sends one signal (e.g. INT, TERM) to the command itself, as Ctrl-C in a
   * terminal does. (Signalling `timeout` instead would deliver it twice: once
   * to the command and once more to its process group.)
   */
  async signal(sig: string): Promise<void> {
    await this.node.run(`pkill -${sig} -P ${this.pid}`);
  }

  /** Waits until the command has ended and returns its exit status. */
  async waitExit(opts: WaitOptions = {}): Promise<number> {
    return waitFor(`${this.command} to exit`, async () => this.exitCode(), opts);
  }

  /** Polls stdout until `accept` returns something; returns that. The last output is part of a timeout error. */
  async waitOut<T>(description: string, accept: (out: string) => T | false | undefined | null, opts: WaitOptions = {}): Promise<T> {
    return this.waitText('stdout', () => this.out(), description, accept, opts);
  }

  /** Polls stderr until `accept` returns something; returns that. */
  async waitErr<T>(description: string, accept: (err: string) => T | false | undefined | null, opts: WaitOptions = {}): Promise<T> {
    return this.waitText('stderr', () => this.err(), description, accept, opts);
  }

  private async waitText<T>(
    stream: string,
    read: () => Promise<string>,
    description: string,
    accept: (text: string) => T | false | undefined | null,
    opts: WaitOptions,
  ): Promise<T> {
    let last = '';
    try {
      return await waitFor(`${description} (${stream} of ${this.command})`, async () => {
        last = await read();
        return accept(last);
      }, opts);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${stream} so far ---\n${last}--- stderr ---\n${await this.err()}`);
    }
  }

  /** Ends the command at once if it still runs (for cleanup). */
  async kill(): Promise<void> {
    await this.node.exec(`pkill -KILL -P ${this.pid} 2>/dev/null; kill -KILL ${this.pid} 2>/dev/null; true`);
  }
}

/**
 * Starts `command` (a bash-quoted command line) in its own session on `node`
 * and returns once it runs. `name` must be unique per node and test file.
 */
export async function startBackground(
  node: SystemdNode,
  name: string,
  command: string,
  opts: BackgroundOptions = {},
): Promise<BackgroundCommand> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad background command name: ${name}`);
  const base = `${DIR}/${name}`;
  const env = Object.entries(opts.env ?? {})
    .map(([k, v]) => `${k}=${shq(v)} `)
    .join('');
  const run = `${env}timeout ${opts.timeoutS ?? 120} ${command}`;
  // `wait` gives the exit status of `timeout`, which is the command's own
  // unless the time ran out (124).
  // Through a pipe, the status file appears only once `cat` has written everything.
  const script = opts.pipe
    ? `{ ${run} 2> ${base}.err & echo $! > ${base}.pid; wait $!; echo $? > ${base}.rc.tmp; } | cat > ${base}.out; mv ${base}.rc.tmp ${base}.rc`
    : `${run} > ${base}.out 2> ${base}.err & echo $! > ${base}.pid; wait $!; echo $? > ${base}.rc`;
  await node.run(
    `mkdir -p ${DIR} && rm -f ${base}.out ${base}.err ${base}.pid ${base}.rc ${base}.rc.tmp && ` +
      `(setsid sh -c ${shq(script)} </dev/null >/dev/null 2>&1 &)`,
  );
  const pid = await waitFor(`${name} to start on ${node.name}`, async () => {
    const { stdout } = await node.exec(`cat ${base}.pid 2>/dev/null`);
    return /^\d+$/.test(stdout.trim()) ? Number(stdout.trim()) : undefined;
  }, { timeoutMs: 15_000, intervalMs: 50 });
  return new BackgroundCommand(node, name, pid, command);
}
