/**
 * Telling the service manager about the daemon (the sd_notify protocol):
 * READY=1, STATUS=..., STOPPING=1, WATCHDOG=1.
 *
 * Node has no AF_UNIX datagram sockets, so the message is handed to
 * `systemd-notify VAR=VALUE...`, spawned directly (no shell), rather than
 * shipping a native addon. systemd-notify sends on behalf of its parent
 * (sd_pid_notify(getppid())), which is the daemon's own PID, so with
 * CAP_SYS_ADMIN the message is credited to the main process and
 * NotifyAccess=main is enough; `--pid=` is not needed and would also send
 * MAINPID=. Without that capability the kernel refuses a foreign PID and
 * systemd-notify sends as itself, which needs NotifyAccess=all; it waits until
 * systemd has read the message, so the message is still attributed to the
 * service.
 *
 * Messages go out one at a time, in order: a STATUS= waiting behind another
 * child is replaced by a newer one, and a WATCHDOG=1 already waiting is not
 * queued twice. A failure never reaches the daemon: it is reported once
 * through `onError` and later messages are still tried.
 */
import { spawn } from 'node:child_process';

/** The sd_notify fields this project sends. */
export type NotifyFields = {
  READY?: '1';
  STOPPING?: '1';
  WATCHDOG?: '1';
  STATUS?: string;
};

export interface Notifier {
  /** Queues a message; returns at once. */
  send(fields: NotifyFields): void;
  /** Resolves once every queued message has been handed over (or failed). */
  flush(): Promise<void>;
}

/** Runs `systemd-notify` with these arguments; resolves when it exits, rejects when it fails. */
export type NotifyCommand = (args: string[]) => Promise<void>;

/** How long one `systemd-notify` may take before it is killed and counted as failed. */
const CHILD_TIMEOUT_MS = 5000;

/** The real command: `systemd-notify ARGS`, a direct child of this process. */
export const runSystemdNotify: NotifyCommand = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn('systemd-notify', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: CHILD_TIMEOUT_MS });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 1000) stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`systemd-notify ${signal ? `was killed by ${signal}` : `exited with status ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
  });

/** No service manager listening: every message is dropped. */
export const silentNotifier: Notifier = {
  send: () => {},
  flush: () => Promise.resolve(),
};

export type NotifierOptions = {
  /** The process environment; without NOTIFY_SOCKET the notifier is silent. */
  env?: NodeJS.ProcessEnv;
  /** Default: `systemd-notify`. */
  command?: NotifyCommand;
  /** Called for the first failure only. */
  onError?: (err: Error) => void;
};

/** A notifier for this process: silent unless systemd gave us NOTIFY_SOCKET. */
export function createNotifier(opts: NotifierOptions = {}): Notifier {
  const env = opts.env ?? process.env;
  if (!env.NOTIFY_SOCKET) return silentNotifier;
  return new QueuedNotifier(opts.command ?? runSystemdNotify, opts.onError ?? (() => {}));
}

/** The assignments systemd-notify takes, one per field, newlines flattened. */
export function notifyArgs(fields: NotifyFields): string[] {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value).replace(/\n/g, ' ')}`);
}

class QueuedNotifier implements Notifier {
  private readonly queue: NotifyFields[] = [];
  private running: Promise<void> | undefined;
  private failed = false;

  constructor(
    private readonly command: NotifyCommand,
    private readonly onError: (err: Error) => void,
  ) {}

  send(fields: NotifyFields): void {
    const last = this.queue[this.queue.length - 1];
    if (last && isOnly(fields, 'STATUS') && isOnly(last, 'STATUS')) last.STATUS = fields.STATUS;
    else if (!(isOnly(fields, 'WATCHDOG') && this.queue.some((q) => isOnly(q, 'WATCHDOG')))) this.queue.push({ ...fields });
    this.running ??= this.drain();
  }

  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        await this.command(notifyArgs(next));
      } catch (err) {
        if (!this.failed) {
          this.failed = true;
          this.onError(err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
    this.running = undefined;
  }
}

function isOnly(fields: NotifyFields, key: keyof NotifyFields): boolean {
  const keys = Object.keys(fields);
  return keys.length === 1 && keys[0] === key;
}
