/**
 * TLS on the agent link between a real controller and real agents over
 * loopback, with a test PKI made by scripts/make-test-certs.sh: agents with a
 * certificate for their own name come online; a certificate for another
 * name, none, or one from another CA is refused with a clear reason on both
 * sides; plaintext is refused both ways; a certificate swapped and reloaded
 * is used by new connections while established ones stay.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, startController, waitFor, waitOnline, type ApiClient, type TestAgent, type TestController } from './fixture.js';

const SCRIPT = new URL('../../scripts/make-test-certs.sh', import.meta.url).pathname;
let pki: string;
let rogue: string;

beforeAll(() => {
  pki = mkdtempSync(join(tmpdir(), 'bc-pki-'));
  rogue = mkdtempSync(join(tmpdir(), 'bc-rogue-'));
  execFileSync(SCRIPT, [pki, 'main', 'worker1', 'worker2']);
  execFileSync(SCRIPT, [rogue, 'main', 'worker1']);
});
afterAll(() => {
  rmSync(pki, { recursive: true, force: true });
  rmSync(rogue, { recursive: true, force: true });
});

const controllerTls = (dir = pki) =>
  `TLSCertificateFile=${dir}/main.pem\nTLSPrivateKeyFile=${dir}/main.key\nTLSCAFile=${dir}/ca.pem\n`;
const agentTls = (name: string, dir = pki, ca = pki) =>
  `HeartbeatInterval=100\nTLSCAFile=${ca}/ca.pem\nTLSCertificateFile=${dir}/${name}.pem\nTLSPrivateKeyFile=${dir}/${name}.key\nTLSServerName=main\n`;

let ctl: TestController | undefined;
let api: ApiClient;
const agents: TestAgent[] = [];

async function controller(extra: string): Promise<void> {
  ctl = await startController(extra);
  api = await ctl.api();
}
function agent(name: string, extra: string): TestAgent {
  const a = startAgent(name, `tcp:host=127.0.0.1,port=${ctl!.port}`, { extra });
  agents.push(a);
  return a;
}
const logged = (lines: string[], text: string) => lines.some((l) => l.includes(text));

afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await ctl?.stop();
  ctl = undefined;
});

describe('TLS on the agent link', () => {
  it('brings agents with certificates for their own names online, and jobs work over it', async () => {
    await controller(controllerTls());
    agent('worker1', agentTls('worker1'));
    agent('worker2', agentTls('worker2'));
    await waitOnline(api, ['worker1', 'worker2']);
    const { nodes } = await api.call('ListUnits', { node: 'worker1' });
    expect(nodes[0]!.units.length).toBeGreaterThan(0);
  });

  it('refuses an agent whose certificate is for another node, saying so on both sides', async () => {
    await controller(controllerTls());
    const a = agent('worker1', agentTls('worker2'));
    const message = "Node name 'worker1' is not the identity of this connection's certificate ('worker2')";
    await waitFor('the refusal in both logs', () => logged(ctl!.logs.lines, message) && logged(a.logs.lines, message));
    const { nodes } = await api.call('ListNodes', {});
    expect(nodes.find((n) => n.name === 'worker1')!.status).toBe('offline');
  });

  it('refuses an agent without a client certificate', async () => {
    await controller(controllerTls());
    const a = agent('worker1', `HeartbeatInterval=100\nTLSCAFile=${pki}/ca.pem\nTLSServerName=main\n`);
    await waitFor('the missing certificate in both logs', () => logged(ctl!.logs.lines, 'it presented no client certificate') && logged(a.logs.lines, 'no client certificate; this controller requires one'));
    expect((await api.call('ListNodes', {})).nodes.find((n) => n.name === 'worker1')!.status).toBe('offline');
  });

  it('refuses an agent with a certificate from another CA', async () => {
    await controller(controllerTls());
    const a = agent('worker1', agentTls('worker1', rogue, pki));
    await waitFor('the refused certificate in both logs', () => logged(ctl!.logs.lines, 'its client certificate was not accepted') && logged(a.logs.lines, 'HTTP 403 Forbidden: client certificate not accepted'));
    expect((await api.call('ListNodes', {})).nodes.find((n) => n.name === 'worker1')!.status).toBe('offline');
  });

  it('refuses an agent that does not trust the controller (wrong CA)', async () => {
    await controller(controllerTls());
    const a = agent('worker1', agentTls('worker1', pki, rogue));
    await waitFor('the agent to log the untrusted controller', () => logged(a.logs.lines, 'Failed to connect to controller'));
    expect((await api.call('ListNodes', {})).nodes.find((n) => n.name === 'worker1')!.status).toBe('offline');
  });

  it('fails an agent that checks the controller against another name, with a hint on both sides', async () => {
    await controller(controllerTls());
    const a = agent('worker1', agentTls('worker1').replace('TLSServerName=main', 'TLSServerName=not-the-controller'));
    await waitFor('the agent hint', () => logged(a.logs.lines, "set TLSServerName= to a name the controller's certificate carries"));
    await waitFor('the controller to name the peer and the likely cause', () =>
      ctl!.logs.lines.some((l) => /Refused a connection from (::ffff:)?127\.0\.0\.1: /.test(l) && l.includes('check its TLSCAFile= and TLSServerName=')),
    );
  });

  it('refuses plaintext on a TLS port, and TLS on a plaintext port, with a hint', async () => {
    await controller(controllerTls());
    const plain = agent('worker1', 'HeartbeatInterval=100\n');
    await waitFor('the controller to log the plaintext agent', () => logged(ctl!.logs.lines, 'it does not speak TLS, and this port requires it'));
    await waitFor('the agent hint', () => logged(plain.logs.lines, 'if the controller requires TLS, set TLSCAFile='));
    await plain.stop();
    agents.splice(0);
    await ctl!.stop();
    await controller('');
    const tlsAgent = agent('worker2', agentTls('worker2'));
    await waitFor('both sides to name the mismatch', () => logged(tlsAgent.logs.lines, 'the controller does not speak TLS on this port') && logged(ctl!.logs.lines, 'it speaks TLS, and this port is plaintext'));
  });

  it('uses a certificate swapped on disk for new connections after a reload, keeping established ones', async () => {
    const live = mkdtempSync(join(tmpdir(), 'bc-live-'));
    try {
      for (const f of ['main.pem', 'main.key', 'ca.pem']) copyFileSync(join(pki, f), join(live, f));
      await controller(controllerTls(live));
      agent('worker1', agentTls('worker1'));
      await waitOnline(api, ['worker1']);
      // The controller now presents a certificate of the rogue CA, trusting the same client CA.
      copyFileSync(join(rogue, 'main.pem'), join(live, 'main.pem'));
      copyFileSync(join(rogue, 'main.key'), join(live, 'main.key'));
      ctl!.controller.reloadTls();
      expect(logged(ctl!.logs.lines, 'Reloaded the TLS certificate')).toBe(true);
      const fresh = agent('worker2', agentTls('worker2'));
      await waitFor('the new connection to fail on the new certificate', () => logged(fresh.logs.lines, 'Failed to connect to controller'));
      const { nodes } = await api.call('ListNodes', {});
      expect(nodes.find((n) => n.name === 'worker1')!.status).toBe('online');
      expect(nodes.find((n) => n.name === 'worker2')!.status).toBe('offline');
    } finally {
      rmSync(live, { recursive: true, force: true });
    }
  });
});
