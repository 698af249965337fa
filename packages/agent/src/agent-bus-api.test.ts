import { afterEach, describe, expect, it, vi } from 'vitest';
import { Messages, parseIni } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { Agent } from './agent.js';
import { buildAgentConfig } from './config.js';
import { FakeController } from './fake-controller.js';
import { changedProperties, type AgentBusHandlers, type AgentProperties } from './systemd/dbus-agent-service.js';
import { FakeSystemdManager } from './systemd/fake-manager.js';

/** Stands in for the D-Bus service: keeps the handlers, and what PropertiesChanged would carry. */
class RecordingBus {
  handlers!: AgentBusHandlers;
  readonly emitted: Array<Partial<AgentProperties>> = [];
  private last: Partial<AgentProperties> = {};
  serve = async (h: AgentBusHandlers) => {
    this.handlers = h;
    this.last = h.properties();
    return {
      propertiesChanged: () => {
        const changed = changedProperties(this.last, this.handlers.properties());
        if (Object.keys(changed).length === 0) return;
        this.last = { ...this.last, ...changed };
        this.emitted.push(changed);
      },
      close: async () => {},
    };
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function controller(port = 0): Promise<FakeController> {
  const c = await FakeController.start(port);
  cleanups.push(() => c.stop());
  return c;
}

async function startAgent(address: string, extra = '') {
  const text = `[bluechi-agent]\nNodeName=worker1\nControllerAddress=${address}\nHeartbeatInterval=100\nLogTarget=stderr\n${extra}`;
  const config = buildAgentConfig(parseIni(text, 'agent.conf'), ['agent.conf']);
  const systemd = new FakeSystemdManager({ 'hang.service': { hang: true } });
  const log = createLogger({ name: 'test', level: 'INFO', target: 'stderr', quiet: true, write: () => {} });
  const bus = new RecordingBus();
  const agent = new Agent({ config, systemd, log, serveBus: bus.serve });
  await agent.start();
  cleanups.push(() => agent.stop());
  return { agent, bus, systemd, props: () => bus.handlers.properties() };
}

const monotonicUs = () => process.hrtime.bigint() / 1000n;

describe('the agent D-Bus API: Status and timestamps', () => {
  it('announces every Status transition and keeps the timestamps of contact and loss', async () => {
    const a = await controller();
    const port = a.port;
    const t0 = { real: BigInt(Date.now()) * 1000n, mono: monotonicUs() };
    const { bus, props } = await startAgent(a.address);
    await vi.waitFor(() => expect(props().Status).toBe('online'));
    expect(bus.emitted).toEqual([{ Status: 'online' }]);
    const online = props();
    expect(online.DisconnectTimestamp).toBe(0n);
    expect(online.DisconnectTimestampMonotonic).toBe(0n);
    expect(online.LastSeenTimestamp).toBeGreaterThanOrEqual(t0.real);
    expect(online.LastSeenTimestampMonotonic).toBeGreaterThanOrEqual(t0.mono);
    expect(online.LastSeenTimestampMonotonic).toBeLessThanOrEqual(monotonicUs());

    // A controller heartbeat moves LastSeen on.
    await new Promise((r) => setTimeout(r, 5));
    a.heartbeat();
    await vi.waitFor(() => expect(props().LastSeenTimestampMonotonic).toBeGreaterThan(online.LastSeenTimestampMonotonic));
    expect(props().LastSeenTimestamp).toBeGreaterThan(online.LastSeenTimestamp);

    const beforeLoss = monotonicUs();
    await a.stop();
    await vi.waitFor(() => expect(props().Status).toBe('offline'));
    expect(bus.emitted).toEqual([{ Status: 'online' }, { Status: 'offline' }]);
    const offline = props();
    expect(offline.DisconnectTimestampMonotonic).toBeGreaterThanOrEqual(beforeLoss);
    expect(offline.DisconnectTimestamp).toBeGreaterThan(online.LastSeenTimestamp);
    expect(offline.LastSeenTimestamp).toBe(props().LastSeenTimestamp);

    // Back on the same port: online again, and the loss is forgotten.
    await controller(port);
    await vi.waitFor(() => expect(props().Status).toBe('online'), { timeout: 5000 });
    expect(bus.emitted).toEqual([{ Status: 'online' }, { Status: 'offline' }, { Status: 'online' }]);
    expect(props().DisconnectTimestamp).toBe(0n);
  });

  it('shows the configured log target and the log level the controller sets', async () => {
    const a = await controller();
    const { props } = await startAgent(a.address);
    expect(props()).toMatchObject({ LogLevel: 'INFO', LogTarget: 'stderr', ControllerAddress: a.address });
    await vi.waitFor(() => expect(a.connected).toBe(1));
    await a.agent().call('SetLogLevel', { level: 'DEBUG' });
    expect(props().LogLevel).toBe('DEBUG');
  });
});

describe('the agent D-Bus API: SwitchController', () => {
  it('switches at once, announces the address, and registers with the new controller', async () => {
    const a = await controller();
    const b = await controller();
    const { agent, bus, props } = await startAgent(a.address);
    await vi.waitFor(() => expect(props().Status).toBe('online'));

    bus.handlers.switchController(`tcp:host=127.0.0.1,port=${b.port}`);
    // Answered before any new connection exists.
    expect(props().ControllerAddress).toBe(b.address);
    expect(bus.emitted).toEqual([{ Status: 'online' }, { ControllerAddress: b.address }, { Status: 'offline' }]);
    await vi.waitFor(() => expect(props().Status).toBe('online'));
    expect(b.registrations).toEqual(['worker1']);
    await vi.waitFor(() => expect(a.connected).toBe(0));
    expect(agent.link.status).toBe('connected');

    // The new address survives a later reconnect.
    const port = b.port;
    await b.stop();
    await vi.waitFor(() => expect(props().Status).toBe('offline'));
    const b2 = await controller(port);
    await vi.waitFor(() => expect(props().Status).toBe('online'), { timeout: 5000 });
    expect(b2.registrations).toEqual(['worker1']);
    expect(a.registrations).toEqual(['worker1']);
  });

  it('answers while the new controller cannot be reached, and can switch back', async () => {
    const a = await controller();
    const gone = await FakeController.start();
    const unreachable = gone.address;
    await gone.stop();
    const { bus, props } = await startAgent(a.address);
    await vi.waitFor(() => expect(props().Status).toBe('online'));

    bus.handlers.switchController(unreachable);
    expect(props()).toMatchObject({ ControllerAddress: unreachable, Status: 'offline' });
    expect(props().DisconnectTimestamp).toBeGreaterThan(0n);
    await new Promise((r) => setTimeout(r, 300));
    expect(props().Status).toBe('offline');

    bus.handlers.switchController(a.address);
    await vi.waitFor(() => expect(props().Status).toBe('online'));
    expect(a.registrations).toEqual(['worker1', 'worker1']);
  });

  it('refuses the current address, also written differently', async () => {
    const a = await controller();
    const { bus, props } = await startAgent(a.address);
    await vi.waitFor(() => expect(props().Status).toBe('online'));
    for (const same of [a.address, ` tcp:port=${a.port},host=127.0.0.1`]) {
      expect(() => bus.handlers.switchController(same)).toThrow(
        expect.objectContaining({ code: 'INVALID_STATE', message: Messages.alreadyConnectedToController, dbusName: 'org.freedesktop.DBus.Error.Failed' }),
      );
    }
    expect(bus.emitted).toEqual([{ Status: 'online' }]);
    expect(a.registrations).toEqual(['worker1']);
  });

  it.each([
    ['', "expected tcp:host=H,port=P, unix:path=P or a ws:// URL"],
    ['tcp:host=127.0.0.1', 'tcp addresses need host= and port='],
    ['tcp:host=127.0.0.1,port=99999', "Invalid port format '99999'"],
    ['unix:', 'unix addresses need path='],
    ['ws://', "'ws://' is not a usable WebSocket address"],
    ['tcp:host=a b,port=1', "'ws://a b:1/' is not a usable WebSocket address"],
    ['bogus', 'expected tcp:host=H,port=P'],
  ])("refuses the address '%s' with INVALID_ARGS", async (address, message) => {
    const a = await controller();
    const { bus, props } = await startAgent(a.address);
    let err: unknown;
    try {
      bus.handlers.switchController(address);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_ARGS', dbusName: 'org.freedesktop.DBus.Error.InvalidArgs' });
    expect((err as Error).message).toContain(message);
    expect(props().ControllerAddress).toBe(a.address);
  });
});

describe('the agent D-Bus API: JobCancel', () => {
  it("cancels the systemd job behind a controller job id; the controller sees it end 'canceled'", async () => {
    const a = await controller();
    const { bus, props, systemd } = await startAgent(a.address);
    await vi.waitFor(() => expect(props().Status).toBe('online'));
    await a.agent().call('StartUnit', { unit: 'hang.service', mode: 'replace', jobId: 7 });
    expect(systemd.pendingJobs).toBe(1);
    await bus.handlers.jobCancel(7);
    await vi.waitFor(() => expect(a.signals).toContain('JobDone {"jobId":7,"result":"canceled"}'));
    expect(systemd.pendingJobs).toBe(0);
  });

  it('refuses an unknown id with upstream\'s text', async () => {
    const a = await controller();
    const { bus } = await startAgent(a.address);
    await expect(bus.handlers.jobCancel(999999)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: "No job with ID '999999' found",
      dbusName: 'org.freedesktop.DBus.Error.Failed',
    });
  });
});
