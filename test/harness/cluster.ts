/**
 * A whole BlueChi cluster on real systemd: the controller's node ("main") and
 * one container per agent, all on the host network, talking over 127.0.0.1 on
 * a port picked for this cluster alone.
 *
 *   const cluster = await startCluster({ agents: ['worker1', 'worker2'] });
 *   const { stdout } = await cluster.ctl('status');
 *   await cluster.stop();
 *
 * Configuration goes in drop-ins, so the shipped defaults stay in force:
 *   main:    /etc/bluechi/controller.conf.d/1.conf
 *   agents:  /etc/bluechi/agent.conf.d/1.conf
 * The local agent on main (named by `localAgent`, "main" unless null) reaches
 * the controller over its Unix socket, the others over TCP.
 */
import { createConnection, createServer } from 'node:net';
import { SystemdNode, shq, type ExecResult } from './systemd-container.js';

/** The logical name of the controller's container. */
export const MAIN = 'main';
const CONTROLLER_SOCKET = '/run/bluechi/bluechi.sock';

export type ClusterOptions = {
  /** Agent nodes, each in its own container. */
  agents: string[];
  /** Name of an agent that runs beside the controller on main; null for none. Default "main". */
  localAgent?: string | null;
  /** Extra lines appended to main's controller drop-in (after the [bluechi-controller] keys). */
  controllerConf?: string;
  /** Extra lines appended to an agent's drop-in, by node name (the local agent included). */
  agentConf?: Record<string, string>;
  /** Start the daemons and wait until every node is online. Default true. */
  start?: boolean;
  /** How long to wait for every node to come online. Default 60 s. */
  onlineTimeoutMs?: number;
  /** Give the containers CAP_NET_ADMIN. */
  netAdmin?: boolean;
};

export type NodeStatus = { node: string; state: string; ip: string; lastSeen: string };

/** Parses the table of `bluechictl status` (header, rule, then one row per node). */
export function parseNodeStatus(stdout: string): NodeStatus[] {
  return stdout
    .split('\n')
    .slice(2)
    .filter((line) => line.includes('|'))
    .map((line) => {
      const [node = '', state = '', ip = '', lastSeen = ''] = line.split('|').map((field) => field.trim());
      return { node, state, ip, lastSeen };
    });
}

/** A TCP port that nothing on the host listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Matches a controller drop-in that switches the TCP listener off. */
const TCP_OFF = /^\s*UseTCP\s*=\s*(?!(true|t|yes|y|on)\s*$)/im;

export class Cluster {
  private stopped = false;

  constructor(
    /** The controller's TCP port on 127.0.0.1. */
    readonly port: number,
    /** The controller's node. */
    readonly main: SystemdNode,
    /** Agent containers by node name (the local agent is not among them). */
    readonly agents: ReadonlyMap<string, SystemdNode>,
    /** The agent on main, if any. */
    readonly localAgent: string | null,
    private readonly options: ClusterOptions,
  ) {}

  /** Every node name the controller knows, in AllowedNodeNames order. */
  get nodeNames(): string[] {
    return [...(this.localAgent ? [this.localAgent] : []), ...this.agents.keys()];
  }

  /** The container of a node; "main" and the local agent's name both give main. */
  node(name: string): SystemdNode {
    if (name === MAIN || name === this.localAgent) return this.main;
    const node = this.agents.get(name);
    if (!node) throw new Error(`no node ${name} in this cluster (have ${[MAIN, ...this.agents.keys()].join(', ')})`);
    return node;
  }

  /** Runs `bluechictl ARGS` on main. `args` goes to bash as is: quote it yourself. */
  ctl(args: string): Promise<ExecResult> {
    return this.main.exec(`bluechictl ${args}`);
  }

  /** Starts the controller, waits for its listener, then starts every agent. */
  async startServices(): Promise<void> {
    await this.main.run('systemctl start bluechi-controller');
    if (!TCP_OFF.test(this.options.controllerConf ?? '')) await this.waitForListener(30_000);
    await Promise.all(
      [...(this.localAgent ? [this.main] : []), ...this.agents.values()].map((node) =>
        node.run('systemctl start bluechi-agent'),
      ),
    );
  }

  /** Polls `bluechictl status` until every given node (default: all) is online. */
  async waitOnline(names: string[] = this.nodeNames, timeoutMs = this.options.onlineTimeoutMs ?? 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: ExecResult | undefined;
    for (;;) {
      last = await this.ctl('status');
      if (last.exitCode === 0) {
        const online = new Set(parseNodeStatus(last.stdout).filter((n) => n.state === 'online').map((n) => n.node));
        if (names.every((name) => online.has(name))) return;
      }
      if (Date.now() > deadline) break;
      await sleep(250);
    }
    throw new Error(
      `nodes ${names.join(', ')} not all online after ${timeoutMs} ms\n` +
        `--- bluechictl status (exit ${last.exitCode}) ---\n${last.stdout}${last.stderr}\n` +
        (await this.journals()),
    );
  }

  /** The daemons' journals, for failure messages. */
  async journals(lines = 60): Promise<string> {
    const parts: string[] = [];
    const collect = async (label: string, node: SystemdNode, unit: string) => {
      try {
        parts.push(`--- ${label}: journal of ${unit} ---\n${await node.journal(unit, lines)}`);
      } catch (err) {
        parts.push(`--- ${label}: journal of ${unit} unavailable: ${String(err)} ---\n`);
      }
    };
    await collect(MAIN, this.main, 'bluechi-controller');
    if (this.localAgent) await collect(`${MAIN} (${this.localAgent})`, this.main, 'bluechi-agent');
    for (const [name, node] of this.agents) await collect(name, node, 'bluechi-agent');
    return parts.join('');
  }

  /** Stops and removes every container; safe to call more than once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const results = await Promise.allSettled([this.main, ...this.agents.values()].map((node) => node.stop()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(`could not stop ${failed.length} container(s): ${String(failed[0]!.reason)}`);
  }

  private async waitForListener(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(this.port))) {
      if (Date.now() > deadline) {
        throw new Error(
          `controller does not listen on 127.0.0.1:${this.port} after ${timeoutMs} ms\n` +
            `--- journal of bluechi-controller ---\n${await this.main.journal('bluechi-controller', 60)}`,
        );
      }
      await sleep(100);
    }
  }
}

function dropIn(section: string, keys: Record<string, string>, extra = ''): string {
  const lines = [`[${section}]`, ...Object.entries(keys).map(([k, v]) => `${k}=${v}`)];
  if (extra.trim() !== '') lines.push(extra.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** Boots the containers (in parallel), configures them and, unless told not to, starts the cluster. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const localAgent = options.localAgent === undefined ? MAIN : options.localAgent;
  const names = [...(localAgent ? [localAgent] : []), ...options.agents];
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`node name ${duplicate} is used twice`);
  if (options.agents.includes(MAIN)) throw new Error(`"${MAIN}" is the controller's container; use localAgent for it`);

  const port = await freePort();
  const booting = [MAIN, ...options.agents].map((name) =>
    SystemdNode.start({ name, ...(options.netAdmin ? { netAdmin: true } : {}) }),
  );
  const booted = await Promise.allSettled(booting);
  const nodes = booted.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = booted.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    throw failure.reason;
  }
  const [main, ...agentNodes] = nodes as [SystemdNode, ...SystemdNode[]];
  const agents = new Map(options.agents.map((name, i) => [name, agentNodes[i]!] as const));
  const cluster = new Cluster(port, main, agents, localAgent, options);

  try {
    const writes: Promise<void>[] = [
      main.writeFile(
        '/etc/bluechi/controller.conf.d/1.conf',
        dropIn(
          'bluechi-controller',
          { ControllerPort: String(port), AllowedNodeNames: names.join(',') },
          options.controllerConf,
        ),
      ),
    ];
    if (localAgent) {
      writes.push(
        main.writeFile(
          '/etc/bluechi/agent.conf.d/1.conf',
          dropIn(
            'bluechi-agent',
            { NodeName: localAgent, ControllerAddress: `unix:path=${CONTROLLER_SOCKET}` },
            options.agentConf?.[localAgent],
          ),
        ),
      );
    }
    for (const [name, node] of agents) {
      writes.push(
        node.writeFile(
          '/etc/bluechi/agent.conf.d/1.conf',
          dropIn(
            'bluechi-agent',
            { NodeName: name, ControllerHost: '127.0.0.1', ControllerPort: String(port) },
            options.agentConf?.[name],
          ),
        ),
      );
    }
    await Promise.all(writes);
    if (options.start !== false) {
      await cluster.startServices();
      await cluster.waitOnline();
    }
  } catch (err) {
    await cluster.stop().catch(() => undefined);
    throw err;
  }
  return cluster;
}

export { shq };
