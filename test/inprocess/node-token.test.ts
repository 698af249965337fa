/**
 * Node tokens (the alternative to client certificates): an agent with its
 * node's token comes online; a wrong token is refused at the upgrade, a
 * missing one at Register, and a token of one node cannot register another;
 * each refusal is logged on both sides. The local agent on the Unix socket
 * needs none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tokenSha256 } from '@bluechi-ts/protocol';
import { startAgent, startController, waitFor, waitOnline, type ApiClient, type TestAgent, type TestController } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'bc-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKENS = { worker1: 'w1-secret-token-0123456789', worker2: 'w2-secret-token-9876543210', main: 'main-secret-token-000000' };
function tokenFile(name: string, token: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return path;
}
const nodeSections = Object.entries(TOKENS)
  .map(([node, token]) => `[node ${node}]\nTokenSHA256=${tokenSha256(token)}`)
  .join('\n');

let ctl: TestController | undefined;
let api: ApiClient;
const agents: TestAgent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await ctl?.stop();
  ctl = undefined;
});
async function controller(): Promise<void> {
  ctl = await startController(nodeSections);
  api = await ctl.api();
}
function agent(name: string, extra: string, unix = false): TestAgent {
  const address = unix ? `unix:path=${ctl!.agentSocket}` : `tcp:host=127.0.0.1,port=${ctl!.port}`;
  const a = startAgent(name, address, { extra: `HeartbeatInterval=100\n${extra}` });
  agents.push(a);
  return a;
}
const logged = (lines: string[], text: string) => lines.some((l) => l.includes(text));
const status = async (name: string) => (await api.call('ListNodes', {})).nodes.find((n) => n.name === name)!.status;

describe('node tokens', () => {
  it('bring an agent with its own token online, and the local agent needs none', async () => {
    await controller();
    agent('worker1', `NodeTokenFile=${tokenFile('w1', TOKENS.worker1)}`);
    agent('main', '', true);
    await waitOnline(api, ['worker1', 'main']);
  });

  it('refuse a wrong token at the upgrade, saying so on both sides', async () => {
    await controller();
    const a = agent('worker1', `NodeTokenFile=${tokenFile('w1-wrong', 'not-the-right-token-at-all')}`);
    const message = "the token for node 'worker1' is not accepted";
    await waitFor('the refusal in both logs', () => logged(ctl!.logs.lines, message) && logged(a.logs.lines, `HTTP 403 Forbidden: ${message}`));
    expect(await status('worker1')).toBe('offline');
  });

  it('refuse an agent without its token at Register', async () => {
    await controller();
    const a = agent('worker1', '');
    const message = "Node 'worker1' must present its token (TokenSHA256= is set for it)";
    await waitFor('the refusal in both logs', () => logged(ctl!.logs.lines, message) && logged(a.logs.lines, message));
    expect(await status('worker1')).toBe('offline');
  });

  it("refuse one node's token for another node", async () => {
    await controller();
    // worker2's agent presents worker1's token under worker1's name in the header, but registers as worker2.
    const a = startAgent('worker2', `tcp:host=127.0.0.1,port=${ctl!.port}`, { extra: `HeartbeatInterval=100\nNodeTokenFile=${tokenFile('w1-again', TOKENS.worker1)}` });
    agents.push(a);
    const message = "the token for node 'worker2' is not accepted";
    await waitFor('the refusal in both logs', () => logged(ctl!.logs.lines, message) && logged(a.logs.lines, message));
    expect(await status('worker2')).toBe('offline');
  });

  it('warn when a token travels without TLS, and refuse a token file others may read', async () => {
    await controller();
    const a = agent('worker1', `NodeTokenFile=${tokenFile('w1-b', TOKENS.worker1)}`);
    await waitOnline(api, ['worker1']);
    expect(logged(a.logs.lines, 'NodeTokenFile is set but the link to the controller is not TLS')).toBe(true);
    const open = join(dir, 'open');
    writeFileSync(open, TOKENS.worker2, { mode: 0o644 });
    expect(() => agent('worker2', `NodeTokenFile=${open}`)).toThrow(`NodeTokenFile '${open}' may be read by others (mode 0644): make it readable by root only (chmod 600)`);
  });
});
