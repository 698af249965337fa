/**
 * In-process cluster: a real controller and real agents talking over loopback
 * WebSockets (TCP and Unix socket), each agent over a FakeSystemdManager.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiMethods,
  ApiSignals,
  RpcPeer,
  lineTransport,
  parseIni,
} from '@bluechi-ts/protocol';
import { createLogger, type Logger } from '@bluechi-ts/protocol/logging';
import { Controller, buildControllerConfig } from '@bluechi-ts/controller';
import { Agent, buildAgentConfig } from '@bluechi-ts/agent';
import { FakeSystemdManager, type FakeUnitOptions } from '../../packages/agent/src/systemd/fake-manager.js';

export type LogSink = { lines: string[]; log: Logger };

export function memoryLogger(name: string): LogSink {
  const lines: string[] = [];
  const log = createLogger({ name, level: 'DEBUG', target: 'stderr', quiet: false, write: (l) => lines.push(l) });
  return { lines, log };
}

export type ApiClient = RpcPeer<typeof ApiMethods, typeof ApiSignals, {}, {}>;

export async function apiClient(path: string): Promise<ApiClient> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return new RpcPeer(lineTransport(socket, 64 * 1024 * 1024), {
    outgoing: { methods: ApiMethods, signals: ApiSignals },
    incoming: { methods: {}, signals: {} },
    defaultTimeoutMs: 10_000,
  });
}

export type TestController = {
  controller: Controller;
  port: number;
  dir: string;
  apiPath: string;
  agentSocket: string;
  logs: LogSink;
  api(): Promise<ApiClient>;
  stop(): Promise<void>;
};

export async function startController(extra = '', nodes = ['main', 'worker1', 'worker2'], dir = mkdtempSync(join(tmpdir(), 'bc-inproc-')), port = 0): Promise<TestController> {
  const apiPath = join(dir, 'api.sock');
  const agentSocket = join(dir, 'bluechi.sock');
  const text = `[bluechi-controller]\nControllerPort=${port}\nAllowedNodeNames=${nodes.join(',')}\nUnixSocketPath=${agentSocket}\nApiSocketPath=${apiPath}\n${extra}\n`;
  const config = buildControllerConfig(parseIni(text, 'inprocess.conf'), ['inprocess.conf']);
  const logs = memoryLogger('bluechi-controller');
  const controller = new Controller({ config, log: logs.log });
  await controller.start();
  const clients: ApiClient[] = [];
  return {
    controller,
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

export type TestAgent = { agent: Agent; systemd: FakeSystemdManager; logs: LogSink; stop(): Promise<void> };

export function startAgent(
  name: string,
  address: string,
  opts: { units?: Record<string, FakeUnitOptions>; extra?: string; systemd?: FakeSystemdManager } = {},
): TestAgent {
  const text = `[bluechi-agent]\nNodeName=${name}\nControllerAddress=${address}\n${opts.extra ?? 'HeartbeatInterval=100'}\n`;
  const config = buildAgentConfig(parseIni(text, 'agent.conf'), ['agent.conf']);
  const systemd = opts.systemd ?? new FakeSystemdManager(opts.units ?? { 'bench.service': { runningSubState: 'exited' } });
  const logs = memoryLogger(`agent-${name}`);
  const agent = new Agent({ config, systemd, log: logs.log });
  void agent.start();
  return { agent, systemd, logs, stop: () => agent.stop() };
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

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
