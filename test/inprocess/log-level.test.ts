/** SetLogLevel at runtime, for the controller and for a node's agent. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runJob, startCluster, type ApiClient, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let w1: TestAgent;
let api: ApiClient;
let stop: () => Promise<void>;

beforeEach(async () => {
  ({ ctl, api, stop, agents: [w1] } = await startCluster({ worker1: {} }));
});

afterEach(() => stop());

/** The lines logged at DEBUG from `from` on. */
const debugLines = (lines: string[], from: number) => lines.slice(from).filter((l) => / DEBUG\t: /.test(l));

describe('log level', () => {
  it("changes the controller's level: debug lines only at DEBUG", async () => {
    await api.call('SetLogLevel', { level: 'INFO' });
    let mark = ctl.logs.lines.length;
    await api.call('CreateMonitor', {});
    expect(debugLines(ctl.logs.lines, mark)).toEqual([]);
    await api.call('SetLogLevel', { level: 'DEBUG' });
    mark = ctl.logs.lines.length;
    const { path } = await api.call('CreateMonitor', {});
    expect(debugLines(ctl.logs.lines, mark).some((l) => l.includes(`Created monitor ${path}`))).toBe(true);
    expect(w1.logs.lines.some((l) => l.includes('Log level set to'))).toBe(false);
  });

  it("changes a node agent's level: debug lines only at DEBUG", async () => {
    await api.call('SetLogLevel', { node: 'worker1', level: 'INFO' });
    let mark = w1.logs.lines.length;
    await runJob(api, 'start', 'worker1', 'bench.service');
    expect(debugLines(w1.logs.lines, mark)).toEqual([]);
    await api.call('SetLogLevel', { node: 'worker1', level: 'DEBUG' });
    mark = w1.logs.lines.length;
    await runJob(api, 'stop', 'worker1', 'bench.service');
    expect(debugLines(w1.logs.lines, mark).some((l) => l.includes('Request to StopUnit unit bench.service'))).toBe(true);
    expect(ctl.logs.lines.some((l) => l.includes('Log level set to INFO'))).toBe(false);
  });

  it('refuses an unknown level for the controller and for a node, changing nothing', async () => {
    await api.call('SetLogLevel', { level: 'WARN' });
    for (const params of [{ level: 'VERBOSE' }, { node: 'worker1', level: 'debug' }]) {
      await expect(api.call('SetLogLevel', params)).rejects.toMatchObject({ code: 'INVALID_ARGS', message: 'Invalid input for log level' });
    }
    expect(ctl.controller.log.level).toBe('warn');
    expect(w1.logs.log.level).toBe('debug');
    await expect(api.call('SetLogLevel', { node: 'worker2', level: 'INFO' })).rejects.toMatchObject({ code: 'NODE_OFFLINE' });
  });
});
