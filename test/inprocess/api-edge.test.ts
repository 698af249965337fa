/** Bad input on the local API socket: clear errors, nothing crashes. */
import { connect } from 'node:net';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startController, waitFor, type TestController } from './fixture.js';

let ctl: TestController;
afterEach(async () => ctl?.stop());

function rawApi(path: string) {
  const socket = connect(path);
  const lines: unknown[] = [];
  let buf = '';
  socket.on('data', (d) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  });
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  socket.on('error', () => {});
  return { socket, lines, closed };
}

describe('local API edge', () => {
  it('creates the API socket with mode 0600', async () => {
    ctl = await startController();
    expect(statSync(ctl.apiPath).mode & 0o777).toBe(0o600);
  });

  it('answers malformed JSON, unknown methods and bad params, then keeps serving', async () => {
    ctl = await startController();
    const c = rawApi(ctl.apiPath);
    c.socket.write('this is not json\n');
    c.socket.write(JSON.stringify({ type: 'request', id: 1, method: 'Shutdown', params: {} }) + '\n');
    c.socket.write(JSON.stringify({ type: 'request', id: 2, method: 'StartUnit', params: { node: 'worker1', unit: 'a.service', mode: 'explode' } }) + '\n');
    c.socket.write(JSON.stringify({ type: 'request', id: 3, method: 'ListNodes', params: {} }) + '\n');
    await waitFor('four replies', () => c.lines.length === 4);
    expect(c.lines[0]).toMatchObject({ id: null, error: { code: 'MALFORMED_FRAME' } });
    expect(c.lines[1]).toMatchObject({ id: 1, error: { code: 'UNKNOWN_METHOD' } });
    expect(c.lines[2]).toMatchObject({ id: 2, error: { code: 'INVALID_PARAMS', message: 'invalid params for StartUnit: mode: expected one of replace, fail, isolate, ignore-dependencies, ignore-requirements, replace-irreversibly, flush' } });
    expect(c.lines[3]).toMatchObject({ id: 3, type: 'response' });
    c.socket.destroy();
  });

  it('drops a client that sends an oversized line', async () => {
    ctl = await startController();
    const c = rawApi(ctl.apiPath);
    c.socket.write('x'.repeat(2 * 1024 * 1024));
    await c.closed;
    const api = await ctl.api();
    expect((await api.call('ListNodes', {})).nodes).toHaveLength(3);
  });
});
