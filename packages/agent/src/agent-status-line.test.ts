import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseIni } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { Agent } from './agent.js';
import { buildAgentConfig } from './config.js';
import { FakeController } from './fake-controller.js';
import { FakeSystemdManager } from './systemd/fake-manager.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startAgent(port: number): Promise<Agent> {
  const text = `[bluechi-agent]\nNodeName=worker1\nControllerHost=127.0.0.1\nControllerPort=${port}\nHeartbeatInterval=100\nLogTarget=stderr\n`;
  const config = buildAgentConfig(parseIni(text, 'agent.conf'), ['agent.conf']);
  const log = createLogger({ name: 'test', level: 'INFO', target: 'stderr', quiet: true, write: () => {} });
  const agent = new Agent({ config, systemd: new FakeSystemdManager({}), log });
  await agent.start();
  cleanups.push(() => agent.stop());
  return agent;
}

describe('the agent status line', () => {
  it('says it is connecting, then registered, then retrying once the controller is gone', async () => {
    const controller = await FakeController.start();
    cleanups.push(() => controller.stop());
    const address = `tcp:host=127.0.0.1,port=${controller.port}`;
    const agent = await startAgent(controller.port);
    expect(agent.statusLine()).toBe(`connecting to ${address}`);
    await vi.waitFor(() => expect(agent.statusLine()).toBe('registered as worker1'));
    await controller.stop();
    await vi.waitFor(() => expect(agent.statusLine()).toBe(`controller unreachable, retrying (${address})`));
  });

  it('says it is retrying when the controller never answers, and registered once it does', async () => {
    const gone = await FakeController.start();
    const port = gone.port;
    await gone.stop();
    const agent = await startAgent(port);
    await vi.waitFor(() => expect(agent.statusLine()).toBe(`controller unreachable, retrying (tcp:host=127.0.0.1,port=${port})`));
    const controller = await FakeController.start(port);
    cleanups.push(() => controller.stop());
    await vi.waitFor(() => expect(agent.statusLine()).toBe('registered as worker1'), { timeout: 3000 });
  });
});
