/**
 * The limits on what a peer controls, set as options (docs/security.md):
 * unregistered connections per address, new connections per second, monitors
 * per client and subscriptions per monitor. Each refusal is clear and leaves
 * the controller serving.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_SUBPROTOCOL } from '@bluechi-ts/protocol';
import { startController, type TestController } from './fixture.js';

let ctl: TestController | undefined;
const open: WebSocket[] = [];
afterEach(async () => {
  for (const ws of open.splice(0)) ws.terminate();
  await ctl?.stop();
  ctl = undefined;
});

/** Opens an agent-link connection that never registers: 'open', or the refusal's status line. */
function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, AGENT_SUBPROTOCOL);
    open.push(ws);
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => {
      resolve(`${res.statusCode} ${res.statusMessage}`);
      ws.terminate();
    });
    ws.once('error', (err) => resolve(`error ${err.message}`));
  });
}

describe('limits as options', () => {
  it('MaxAnonymousConnectionsPerAddress refuses a further unregistered connection from the same address, with a retry hint', async () => {
    ctl = await startController('MaxAnonymousConnectionsPerAddress=2');
    expect(await connect(ctl.port)).toBe('open');
    expect(await connect(ctl.port)).toBe('open');
    expect(await connect(ctl.port)).toBe('503 Service Unavailable: too many unregistered connections from this address');
    expect(ctl.logs.lines.some((l) => l.includes('Refused connection: too many unregistered connections from this address'))).toBe(true);
    const api = await ctl.api();
    expect((await api.call('ListNodes', {})).nodes.length).toBe(3);
  });

  it('MaxRegistrationsPerSecond refuses connections beyond the rate', async () => {
    ctl = await startController('MaxRegistrationsPerSecond=2');
    const results = [await connect(ctl.port), await connect(ctl.port), await connect(ctl.port)];
    expect(results.slice(0, 2)).toEqual(['open', 'open']);
    expect(results[2]).toBe('503 Service Unavailable: too many new connections this second');
  });

  it('MaxMonitorsPerClient and MaxSubscriptionsPerMonitor refuse with TOO_MANY_REQUESTS naming the option', async () => {
    ctl = await startController('MaxMonitorsPerClient=2\nMaxSubscriptionsPerMonitor=3');
    const api = await ctl.api();
    const { monitorId } = await api.call('CreateMonitor', {});
    await api.call('CreateMonitor', {});
    await expect(api.call('CreateMonitor', {})).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', message: 'too many monitors for one client (2, MaxMonitorsPerClient=)' });
    await expect(api.call('SubscribeList', { monitorId, node: 'worker1', units: ['a.service', 'b.service', 'c.service', 'd.service'] })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: 'too many subscriptions for one monitor (3 units, MaxSubscriptionsPerMonitor=)',
    });
    await api.call('SubscribeList', { monitorId, node: 'worker1', units: ['a.service', 'b.service', 'c.service'] });
  });
});
