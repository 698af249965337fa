/**
 * One container that boots a real systemd (PID 1) with the staged build
 * (dist/root) installed, for integration tests and the demo.
 *
 * How the container is run (the only recipe that boots systemd on our machines):
 * host cgroup namespace with /sys/fs/cgroup bound read-write, CAP_SYS_ADMIN,
 * seccomp off, tmpfs on /run, /run/lock and /tmp, host networking. Privileged
 * mode is never used. The host's own `node` binary is bound read-only at
 * /usr/bin/node, so the bundled programs run with the same Node as the tests.
 *
 * With host networking every container shares the host's 127.0.0.1 and host
 * name: nodes are told apart by their bluechi configuration, never by hostname.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostConfig } from 'dockerode';
import {
  GenericContainer,
  ImageName,
  Wait,
  getContainerRuntimeClient,
  type StartedTestContainer,
} from 'testcontainers';

/** The base image built by containers/ensure-testbed.sh; it is never pulled. */
export const BASE_IMAGE = process.env.BLUECHI_TS_BASE_IMAGE ?? 'bluechi-ts/systemd-base:bookworm-r3';

/** Every container we start carries this label (besides testcontainers' own). */
export const PROJECT_LABEL = 'org.bluechi-ts.harness';
/** The logical node name of a container, for humans reading `docker ps`. */
export const NODE_LABEL = 'org.bluechi-ts.node';
/** Tells apart the containers of this process from those of other runs; starts with the owner's pid. */
export const SESSION_LABEL = 'org.bluechi-ts.session';
export const SESSION_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

const BOOT_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;

/** The repository root: the nearest folder upwards whose package.json is ours. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'bluechi-ts') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the bluechi-ts repository root');
    dir = parent;
  }
}

/** The staged install tree produced by `npm run build` (BLUECHI_TS_DIST when set, as for the build). */
export function distRoot(): string {
  return process.env.BLUECHI_TS_DIST ? resolve(process.env.BLUECHI_TS_DIST) : join(repoRoot(), 'dist', 'root');
}

/** Quote one word for bash. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Succeeds once systemd has finished booting. Until the container's system bus
 * exists, `systemctl` fails at once; the wait strategy keeps retrying.
 * `degraded` (some unit failed) still counts as booted.
 */
const BOOTED_CHECK =
  'state=$(timeout 30 systemctl is-system-running --wait 2>/dev/null); ' +
  '[ "$state" = running ] || [ "$state" = degraded ]';

type HostConfigWithCgroupns = HostConfig & { CgroupnsMode?: 'host' | 'private' };

export type SystemdContainerOptions = {
  /** Logical node name, only used for the label. */
  name: string;
  /** Add CAP_NET_ADMIN for tests that change networking inside the container. */
  netAdmin?: boolean;
  image?: string;
  /**
   * A bare Debian 12: neither the staged build (dist/root) nor the host's
   * node is put in, for tests that install packages the way a user would.
   */
  bare?: boolean;
  /** Host folders bound read-only, e.g. a folder of .deb files. */
  readOnlyBinds?: { source: string; target: string }[];
};

export class SystemdContainer extends GenericContainer {
  constructor(opts: SystemdContainerOptions) {
    super(opts.image ?? BASE_IMAGE);
    // No builder method sets the cgroup namespace; set it on the host config
    // directly, as testcontainers' own K3s module does.
    (this.hostConfig as HostConfigWithCgroupns).CgroupnsMode = 'host';
    this.withAddedCapabilities('SYS_ADMIN', ...(opts.netAdmin ? ['NET_ADMIN'] : []))
      .withSecurityOpt('seccomp=unconfined')
      .withTmpFs({ '/run': '', '/run/lock': '', '/tmp': 'exec,mode=1777' })
      .withBindMounts([
        { source: '/sys/fs/cgroup', target: '/sys/fs/cgroup', mode: 'rw' },
        ...(opts.bare ? [] : [{ source: realpathSync(process.execPath), target: '/usr/bin/node', mode: 'ro' as const }]),
        ...(opts.readOnlyBinds ?? []).map((b) => ({ ...b, mode: 'ro' as const })),
      ])
      .withNetworkMode('host')
      .withLabels({ [PROJECT_LABEL]: 'true', [NODE_LABEL]: opts.name, [SESSION_LABEL]: SESSION_ID })
      .withWaitStrategy(Wait.forSuccessfulCommand(BOOTED_CHECK))
      .withStartupTimeout(BOOT_TIMEOUT_MS);
    // Installed before the container starts, so systemd sees the units and
    // the tmpfiles rule on its first boot.
    if (!opts.bare) this.withCopyDirectoriesToContainer([{ source: distRoot(), target: '/' }]);
  }
}

/**
 * Force-removes every container that carries all the given labels
 * (`key=value` or just `key`); returns how many were removed.
 */
export async function removeContainers(labels: string[], keep: (labels: Record<string, string>) => boolean = () => false): Promise<number> {
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const found = (await docker.listContainers({ all: true, filters: { label: labels } })).filter((c) => !keep(c.Labels ?? {}));
  await Promise.all(
    found.map(async (info) => {
      try {
        await docker.getContainer(info.Id).remove({ force: true, v: true });
      } catch (err) {
        // Already gone, or already being removed by someone else.
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) throw err;
      }
    }),
  );
  return found.length;
}

/** Removes every container this process started (for Ctrl-C and crash paths). */
export function removeSessionContainers(): Promise<number> {
  return removeContainers([`${SESSION_LABEL}=${SESSION_ID}`]);
}

export type ExecResult = { exitCode: number; stdout: string; stderr: string };

let preflightDone: Promise<void> | undefined;

/** Fails early, with the fix in the message, when the image or the build is missing. */
function preflight(image: string): Promise<void> {
  preflightDone ??= (async () => {
    // Checked for bare containers too: a package test packs the staged tree.
    if (!existsSync(join(distRoot(), 'usr', 'libexec', 'bluechi-controller'))) {
      throw new Error(`${distRoot()} is not staged; run \`npm run build\` first`);
    }
    const client = await getContainerRuntimeClient();
    if (!(await client.image.exists(ImageName.fromString(image)))) {
      // testcontainers would try to pull it; the image is only ever built locally.
      throw new Error(`image ${image} is missing; run \`bash containers/ensure-testbed.sh\` first`);
    }
  })();
  const done = preflightDone;
  done.catch(() => {
    if (preflightDone === done) preflightDone = undefined;
  });
  return done;
}

/** Splits Docker's multiplexed exec stream (8-byte frame headers) into stdout and stderr. */
function demultiplex(raw: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const kind = raw[offset];
    const size = raw.readUInt32BE(offset + 4);
    const payload = raw.subarray(offset + 8, offset + 8 + size);
    if (kind === 2) err.push(payload);
    else out.push(payload);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** A booted systemd container. */
export class SystemdNode {
  private constructor(
    /** Logical node name (not the container's hostname, which is the host's). */
    readonly name: string,
    readonly container: StartedTestContainer,
  ) {}

  static async start(opts: SystemdContainerOptions): Promise<SystemdNode> {
    await preflight(opts.image ?? BASE_IMAGE);
    const container = await new SystemdContainer(opts).start();
    return new SystemdNode(opts.name, container);
  }

  get id(): string {
    return this.container.getId();
  }

  /**
   * Runs `bash -c cmd` as root. stdout and stderr are kept apart and returned
   * byte for byte (decoded as UTF-8 once, at the end; never trimmed).
   */
  async exec(cmd: string, opts: { env?: Record<string, string> } = {}): Promise<ExecResult> {
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(this.id);
    const exec = await container.exec({
      Cmd: ['bash', '-c', cmd],
      AttachStdout: true,
      AttachStderr: true,
      ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}),
    });
    const stream = await exec.start({ Detach: false, Tty: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    // The exit code can trail the end of the output stream by a moment.
    for (let attempt = 0; ; attempt++) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null) {
        return { exitCode: info.ExitCode, ...demultiplex(Buffer.concat(chunks)) };
      }
      if (attempt >= 100) throw new Error(`exec did not finish on ${this.name}: ${cmd}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Like exec, but throws (with the output) unless the command exits 0. */
  async run(cmd: string): Promise<ExecResult> {
    const result = await this.exec(cmd);
    if (result.exitCode !== 0) {
      throw new Error(
        `command failed on ${this.name} (exit ${result.exitCode}): ${cmd}\n` +
          `--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`,
      );
    }
    return result;
  }

  /** Writes a file (parent folders are created as needed). */
  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await this.container.copyContentToContainer([{ content, target: path, mode }]);
  }

  /** Installs a unit under /etc/systemd/system and reloads systemd. */
  async writeUnit(name: string, content: string): Promise<void> {
    await this.writeFile(`/etc/systemd/system/${name}`, content);
    await this.run('systemctl daemon-reload');
  }

  /** `systemctl ARGS...`, each argument quoted for the shell. */
  systemctl(...args: string[]): Promise<ExecResult> {
    return this.exec(`systemctl ${args.map(shq).join(' ')}`);
  }

  /** The journal of one unit (the last `lines` lines, or all of it). */
  async journal(unit: string, lines?: number): Promise<string> {
    const tail = lines === undefined ? '' : ` -n ${lines}`;
    const { stdout, stderr } = await this.exec(`journalctl --no-pager -o short-precise -u ${shq(unit)}${tail}`);
    return stdout + stderr;
  }

  /**
   * Shuts the node down (`docker stop`: systemd stops every unit, as on a
   * power-off) and keeps the container, so `boot()` can start it again.
   */
  async halt(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.dockerode.getContainer(this.id).stop({ t: STOP_TIMEOUT_MS / 1000 });
  }

  /**
   * Starts a halted node again and waits until systemd has booted. What was
   * written to its file system stays; /run and /tmp start empty, and only
   * enabled units start.
   */
  async boot(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.dockerode.getContainer(this.id).start();
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      const r = await this.exec(BOOTED_CHECK).catch(() => undefined);
      if (r?.exitCode === 0) return;
      if (Date.now() > deadline) throw new Error(`${this.name} did not boot again within ${BOOT_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Stops and removes the container. */
  async stop(): Promise<void> {
    await this.container.stop({ timeout: STOP_TIMEOUT_MS });
  }
}
