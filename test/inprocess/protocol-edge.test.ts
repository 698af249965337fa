/**
 * Bad input at the agent socket edge: each gets a clear refusal and the
 * controller keeps serving everyone else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AGENT_SUBPROTOCOL } from '@bluechi-ts/protocol';
import { startAgent, startController, waitFor, waitOnline, type TestAgent, type TestController } from './fixture.js';

let ctl: TestController;
let agents: TestAgent[] = [];
const raw: WebSocket[] = [];

afterEach(async () => {
  for (const ws of raw.splice(0)) ws.terminate();
  for (const a of agents) await a.stop();
  agents = [];
  await ctl?.stop();
});

function open(port: number, protocol: string | null = AGENT_SUBPROTOCOL): Promise<{ ws: WebSocket; frames: unknown[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, protocol ? [protocol] : [], { maxPayload: 64 * 1024 * 1024 });
  raw.push(ws);
  const frames: unknown[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('error', reject);
  });
}

/** The controller still registers a real agent and answers the API. */
async function stillServes(): Promise<void> {
  const a = startAgent('worker2', `tcp:host=127.0.0.1,port=${ctl.port}`);
  agents.push(a);
  await waitOnline(await ctl.api(), ['worker2']);
}

describe('agent socket edge', () => {
  it('answers malformed JSON with MALFORMED_FRAME and keeps the connection', async () => {
    ctl = await startController();
    const c = await open(ctl.port);
    c.ws.send('{"type": "request", "id": 1,');
    await waitFor('error frame', () => c.frames.length === 1);
    expect(c.frames[0]).toMatchObject({ type: 'error', id: null, error: { code: 'MALFORMED_FRAME' } });
    expect((c.frames[0] as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    c.ws.send(JSON.stringify({ type: 'request', id: 2, method: 'Register', params: { name: 'worker1' } }));
    await waitFor('register reply', () => c.frames.length === 2);
    expect(c.frames[1]).toMatchObject({ type: 'response', id: 2 });
    await stillServes();
  });

  it('answers an unknown frame type and an unknown method with clear errors', async () => {
    ctl = await startController();
    const c = await open(ctl.port);
    c.ws.send(JSON.stringify({ type: 'teleport', id: 1 }));
    c.ws.send(JSON.stringify({ type: 'request', id: 2, method: 'FormatDisk', params: {} }));
    c.ws.send(JSON.stringify({ type: 'request', id: 3, method: 'Register', params: { name: 42 } }));
    await waitFor('three errors', () => c.frames.length === 3);
    expect(c.frames).toMatchObject([
      { type: 'error', id: null, error: { code: 'MALFORMED_FRAME', message: 'unknown frame type "teleport"' } },
      { type: 'error', id: 2, error: { code: 'UNKNOWN_METHOD', message: 'unknown method FormatDisk' } },
      { type: 'error', id: 3, error: { code: 'INVALID_PARAMS', message: 'invalid params for Register: name: expected a string' } },
    ]);
    expect(ctl.logs.lines.some((l) => l.includes('Refused a message from agent: unknown method FormatDisk'))).toBe(true);
    await stillServes();
  });

  it('closes a connection that sends an oversized frame (1009) and serves others', async () => {
    ctl = await startController('MaxFrameBytes=65536');
    const c = await open(ctl.port);
    c.ws.send('x'.repeat(70_000));
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
    await stillServes();
  });

  it('refuses an upgrade without the agent subprotocol with 426', async () => {
    ctl = await startController();
    await expect(open(ctl.port, null)).rejects.toThrow(/426/);
    await stillServes();
  });

  it('survives a register flood: refusals, closed connections, capped anonymous sockets', async () => {
    ctl = await startController('MaxAnonymousConnections=8');
    const conns = await Promise.all(Array.from({ length: 8 }, () => open(ctl.port)));
    // The ninth unregistered connection is refused at upgrade time.
    await expect(open(ctl.port)).rejects.toThrow(/503/);
    for (const c of conns) for (let i = 1; i <= 50; i++) c.ws.send(JSON.stringify({ type: 'request', id: i, method: 'Register', params: { name: `bogus${i}` } }));
    const results = await Promise.all(conns.map((c) => c.closed));
    for (const r of results) expect(r).toEqual({ code: 1008, reason: 'too many refused registrations' });
    for (const c of conns) expect(c.frames[0]).toMatchObject({ type: 'error', error: { code: 'UNEXPECTED_NODE_NAME', message: 'Unexpected node name' } });
    await stillServes();
  });

  it('tells a refused agent when to retry, and the agent comes back at that hint, not at its next tick', async () => {
    ctl = await startController('MaxAnonymousConnections=1');
    const holder = await open(ctl.port);
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${ctl.port}/`, [AGENT_SUBPROTOCOL]);
      raw.push(ws);
      ws.on('error', () => {}); // terminate() below ends the attempt with one
      ws.on('unexpected-response', (_req, res) => {
        expect(res.statusCode).toBe(503);
        resolve(res.headers);
        ws.terminate();
      });
      ws.once('open', () => reject(new Error('the second unregistered connection was accepted')));
    });
    expect(headers['retry-after-ms']).toBe('250');
    expect(headers['retry-after']).toBe('1');
    // A tick of 5 s: an attempt left hanging after the refusal would wait that long.
    const a = startAgent('worker2', `tcp:host=127.0.0.1,port=${ctl.port}`, { extra: 'HeartbeatInterval=5000' });
    agents.push(a);
    await waitFor('a refusal of worker2', () => a.logs.lines.some((l) => /refused the connection: HTTP 503/.test(l)));
    const freed = performance.now();
    holder.ws.terminate();
    await waitOnline(await ctl.api(), ['worker2']);
    expect(performance.now() - freed).toBeLessThan(2000);
  });

  it('closes a connection that never registers', async () => {
    ctl = await startController('RegisterTimeout=200');
    const c = await open(ctl.port);
    expect(await c.closed).toEqual({ code: 1008, reason: 'registration timeout' });
  });

  it('refuses a second Register on a registered connection', async () => {
    ctl = await startController();
    const c = await open(ctl.port);
    c.ws.send(JSON.stringify({ type: 'request', id: 1, method: 'Register', params: { name: 'worker1' } }));
    c.ws.send(JSON.stringify({ type: 'request', id: 2, method: 'Register', params: { name: 'worker2' } }));
    await waitFor('two replies', () => c.frames.length === 2);
    expect(c.frames[1]).toMatchObject({ id: 2, error: { code: 'ALREADY_REGISTERED', message: "Can't register twice" } });
  });
});
