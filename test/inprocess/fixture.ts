/**
 * In-process cluster: a real controller and real agents talking over loopback
 * WebSockets (TCP and Unix socket), each agent over a FakeSystemdManager.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_METHODS, parseIni, type ApiSignals, type SignalParamsOf, type UnitOp } from '@bluechi-ts/protocol';
import { connectApi, type ApiClient } from '@bluechi-ts/ctl';
import { createLogger, type Logger } from '@bluechi-ts/protocol/logging';
import { Controller, buildControllerConfig } from '@bluechi-ts/controller';
import { Agent, buildAgentConfig } from '@bluechi-ts/agent';
import { FakeSystemdManager, type FakeUnitOptions } from '../../packages/agent/src/systemd/fake-manager.js';
import { FakeBus } from '../../packages/controller/src/dbus/fake-bus.js';

export type LogSink = { lines: string[]; log: Logger };

export function memoryLogger(name: string): LogSink {
  const lines: string[] = [];
  const log = createLogger({ name, level: 'DEBUG', target: 'stderr', quiet: false, write: (l) => lines.push(l) });
  return { lines, log };
}

export type { ApiClient };

/** bluechictl's own client, on the test controller's API socket. */
export function apiClient(path: string): Promise<ApiClient> {
  return connectApi({ socketPath: path, requestTimeoutMs: 10_000 });
}

export type JobRemoved = SignalParamsOf<typeof ApiSignals, 'JobRemoved'>;

/** Queues a job and waits for its JobRemoved, as bluechictl does. */
export async function runJob(api: ApiClient, op: UnitOp, node: string, unit: string): Promise<JobRemoved> {
  const seen = new Map<number, JobRemoved>();
  let wake: ((r: JobRemoved) => void) | undefined;
  let want = 0;
  const off = api.on('JobRemoved', (r) => {
    seen.set(r.jobId, r);
    if (r.jobId === want) wake?.(r);
  });
  try {
    const { jobId } = await api.call(JOB_METHODS[op], { node, unit });
    return seen.get(jobId) ?? (await new Promise<JobRemoved>((resolve) => ((want = jobId), (wake = resolve))));
  } finally {
    off();
  }
}

export type TestController = {
  controller: Controller;
  port: number;
  dir: string;
  apiPath: string;
  agentSocket: string;
  logs: LogSink;
  /** The controller's system bus: an in-memory one, where its D-Bus API is served. */
  bus: FakeBus;
  api(): Promise<ApiClient>;
  stop(): Promise<void>;
};

export async function startController(extra = '', nodes = ['main', 'worker1', 'worker2'], dir = mkdtempSync(join(tmpdir(), 'bc-inproc-')), port = 0): Promise<TestController> {
  const apiPath = join(dir, 'api.sock');
  const agentSocket = join(dir, 'bluechi.sock');
  const text = `[bluechi-controller]\nControllerPort=${port}\nAllowedNodeNames=${nodes.join(',')}\nUnixSocketPath=${agentSocket}\nApiSocketPath=${apiPath}\n${extra}\n`;
  const config = buildControllerConfig(parseIni(text, 'inprocess.conf'), ['inprocess.conf']);
  const logs = memoryLogger('bluechi-controller');
  const bus = new FakeBus();
  const controller = new Controller({ config, log: logs.log, connectBus: async () => bus });
  await controller.start();
  const clients: ApiClient[] = [];
  return {
    controller,
    bus,
    port: controller.agentPort!,
    dir,
    apiPath,
    agentSocket,
    logs,
    async api() {
      const c = await apiClient(apiPath);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await controller.stop();
    },
  };
}

export type TestAgent = { name: string; agent: Agent; systemd: FakeSystemdManager; logs: LogSink; stop(): Promise<void> };

export type AgentOptions = { units?: Record<string, FakeUnitOptions>; extra?: string; systemd?: FakeSystemdManager };

export function startAgent(name: string, address: string, opts: AgentOptions = {}): TestAgent {
  const text = `[bluechi-agent]\nNodeName=${name}\nControllerAddress=${address}\n${opts.extra ?? 'HeartbeatInterval=100'}\n`;
  const config = buildAgentConfig(parseIni(text, 'agent.conf'), ['agent.conf']);
  const systemd = opts.systemd ?? new FakeSystemdManager(opts.units ?? { 'bench.service': { runningSubState: 'exited' } });
  const logs = memoryLogger(`agent-${name}`);
  const agent = new Agent({ config, systemd, log: logs.log });
  void agent.start();
  return { name, agent, systemd, logs, stop: () => agent.stop() };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function waitOnline(api: ApiClient, names: string[], status: 'online' | 'offline' = 'online'): Promise<void> {
  await waitFor(`${names.join(',')} ${status}`, async () => {
    const { nodes } = await api.call('ListNodes', {});
    return names.every((n) => nodes.find((x) => x.name === n)?.status === status);
  });
}

export type SignalName = keyof typeof ApiSignals & string;
export type SignalRecord = { [S in SignalName]: { name: S; params: SignalParamsOf<typeof ApiSignals, S> } }[SignalName];

/** Records the given signals a client receives, in arrival order (listening starts at once). */
export function recordSignals(api: ApiClient, names: readonly SignalName[]): { seen: SignalRecord[]; stop(): void } {
  const seen: SignalRecord[] = [];
  const offs = names.map((name) => api.on(name, (params) => seen.push({ name, params } as SignalRecord)));
  return { seen, stop: () => offs.forEach((off) => off()) };
}

/**
 * Waits until every signal the controller sent this client before now has
 * arrived: a request's reply travels behind them on the same connection.
 */
export async function drain(api: ApiClient): Promise<void> {
  await api.call('Version', {});
}

/** The controller drops a node's connection, as on a network failure; the agent then reconnects by itself. */
export function dropNode(ctl: TestController, name: string): void {
  const connection = ctl.controller.registry.find(name)?.connection;
  if (!connection) throw new Error(`node ${name} is not connected`);
  connection.close(1001, 'connection dropped');
}

/**
 * Waits until both ends agree the agents are connected: the controller lists
 * them online and each agent has its Register reply (the controller marks a
 * node online before the agent has heard back).
 */
export async function waitConnected(api: ApiClient, agents: readonly TestAgent[]): Promise<void> {
  await waitFor(`${agents.map((a) => a.name).join(',')} connected`, async () => {
    if (!agents.every((a) => a.agent.link.status === 'connected')) return false;
    const { nodes } = await api.call('ListNodes', {});
    return agents.every((a) => nodes.find((n) => n.name === a.name)?.status === 'online');
  });
}

/** An agent of a test cluster: startAgent's options, and the controller socket it connects to. */
export type ClusterAgent = AgentOptions & {
  /** Connects over the controller's Unix socket instead of TCP. */
  unix?: boolean;
};

export type TestCluster = {
  ctl: TestController;
  /** The agents, in the order they were given; `stop` stops those in this list then, so a test may put its own in it. */
  agents: TestAgent[];
  /** An API client on the controller. */
  api: ApiClient;
  /** Stops the agents, then the controller. */
  stop(): Promise<void>;
};

/**
 * Starts a controller with its default nodes and an agent for each entry of
 * `agents` (by node name), and waits until they are connected.
 */
export async function startCluster(agents: Record<string, ClusterAgent>): Promise<TestCluster> {
  const ctl = await startController();
  const started = Object.entries(agents).map(([name, { unix, ...opts }]) =>
    startAgent(name, unix ? `unix:path=${ctl.agentSocket}` : `tcp:host=127.0.0.1,port=${ctl.port}`, opts),
  );
  const stop = async () => {
    for (const a of started) await a.stop();
    await ctl.stop();
  };
  try {
    const api = await ctl.api();
    await waitConnected(api, started);
    return { ctl, agents: started, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
