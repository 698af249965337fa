/**
 * TLS on the agent link on real systemd 252, with a test PKI made by
 * scripts/make-test-certs.sh as a user would: the cluster comes up over TLS
 * with client certificates, jobs and a cross-node proxy work over it; an agent
 * with another node's certificate, without a certificate, with one from
 * another CA, or in plaintext is refused, and both journals say why; a
 * certificate swapped on disk is used after `systemctl reload` for new
 * connections while established ones stay.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterNow, journalSince, nodeState, restartAgentWith } from '../harness/agent-reconfigure.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { agentTlsConf, controllerTlsConf, installPki, makePki, TLS_DIR } from '../harness/tls.js';
import { waitFor } from '../harness/wait.js';

let pki: string;
let rogue: string;
let cluster: Cluster;

const file = (dir: string, name: string) => readFileSync(join(dir, name));

const journal = (node: string, unit: string, since: string) => journalSince(cluster, node, unit, since);
const state = (name: string) => nodeState(cluster, name);
const now = () => clusterNow(cluster);
const reconfigureWorker2 = (lines: string | undefined) => restartAgentWith(cluster, 'worker2', lines);

beforeAll(async () => {
  pki = makePki('main', ['worker1', 'worker2']);
  rogue = makePki('main', ['worker2'], 'bc-rogue-');
  cluster = await startCluster({
    agents: ['worker1', 'worker2'],
    start: false,
    controllerConf: `${controllerTlsConf()}\n[node main]\nAllowDependenciesOn=worker1`,
    agentConf: { worker1: agentTlsConf('worker1'), worker2: agentTlsConf('worker2') },
  });
  await installPki(cluster, pki);
  // What worker2 needs to misbehave: worker1's name in its own certificate's stead, and a rogue CA's.
  await cluster.node('worker2').writeFile(`${TLS_DIR}/rogue-worker2.pem`, file(rogue, 'worker2.pem'));
  await cluster.node('worker2').writeFile(`${TLS_DIR}/rogue-worker2.key`, file(rogue, 'worker2.key'), 0o600);
  await cluster.startServices();
  await cluster.waitOnline();
});

afterAll(async () => {
  await cluster?.stop();
  for (const dir of [pki, rogue]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS on the agent link', () => {
  it('brings the cluster up over TLS: the agents dial wss:// and are online', async () => {
    expect(await state('worker1')).toBe('online');
    expect(await state('worker2')).toBe('online');
    const log = await journal('worker1', 'bluechi-agent', '-10min');
    expect(log).toContain('Connecting to controller on wss://127.0.0.1:');
    expect(log).toContain("Connected to controller as 'worker1'");
  });

  it('runs jobs and a cross-node proxy over TLS', async () => {
    await cluster.node('worker1').writeUnit('tgt.service', '[Unit]\nStopWhenUnneeded=yes\n[Service]\nType=simple\nExecStart=/bin/sleep infinity\n');
    await cluster.main.writeUnit('src.service', '[Unit]\nRequires=bluechi-proxy@worker1_tgt.service\nAfter=bluechi-proxy@worker1_tgt.service\n[Service]\nType=simple\nExecStart=/bin/sleep infinity\n');
    const started = await cluster.ctl('start main src.service');
    expect(started.stdout).toContain('Unit src.service StartUnit operation result: done');
    expect((await cluster.node('worker1').exec('systemctl is-active tgt.service')).stdout.trim()).toBe('active');
    expect((await cluster.ctl('stop main src.service')).stdout).toContain('Unit src.service StopUnit operation result: done');
    await waitFor('tgt.service to stop when unneeded', async () => (await cluster.node('worker1').exec('systemctl is-active tgt.service')).stdout.trim() === 'inactive');
  });

  it("refuses an agent whose certificate is another node's, saying so in both journals", async () => {
    const since = await now();
    await cluster.node('worker1').run('systemctl stop bluechi-agent');
    try {
      await reconfigureWorker2('NodeName=worker1');
      const message = "Node name 'worker1' is not the identity of this connection's certificate ('worker2')";
      await waitFor('the refusal on both sides', async () => (await journal('main', 'bluechi-controller', since)).includes(message) && (await journal('worker2', 'bluechi-agent', since)).includes(message));
      expect(await state('worker1')).toBe('offline');
    } finally {
      await reconfigureWorker2(undefined);
      await cluster.node('worker1').run('systemctl start bluechi-agent');
      await cluster.waitOnline();
    }
  });

  it('refuses an agent without a client certificate, one from another CA, and one in plaintext', async () => {
    const cases: Array<{ lines: string; controller: string; agent: string }> = [
      {
        lines: 'TLSCertificateFile=\nTLSPrivateKeyFile=',
        controller: 'it presented no client certificate, and TLSCAFile= requires one',
        agent: 'HTTP 403 Forbidden: no client certificate; this controller requires one',
      },
      {
        lines: `TLSCertificateFile=${TLS_DIR}/rogue-worker2.pem\nTLSPrivateKeyFile=${TLS_DIR}/rogue-worker2.key`,
        controller: 'its client certificate was not accepted',
        agent: 'HTTP 403 Forbidden: client certificate not accepted',
      },
      {
        lines: 'TLSCAFile=\nTLSCertificateFile=\nTLSPrivateKeyFile=',
        controller: 'it does not speak TLS, and this port requires it',
        agent: "if the controller requires TLS, set TLSCAFile= in this agent's configuration",
      },
    ];
    try {
      for (const c of cases) {
        const since = await now();
        await reconfigureWorker2(c.lines);
        await waitFor(`"${c.controller}" on both sides`, async () => (await journal('main', 'bluechi-controller', since)).includes(c.controller) && (await journal('worker2', 'bluechi-agent', since)).includes(c.agent));
        expect(await state('worker2')).toBe('offline');
      }
    } finally {
      await reconfigureWorker2(undefined);
      await cluster.waitOnline();
    }
  });

  it('uses a certificate swapped on disk after systemctl reload for new connections; established ones stay', async () => {
    const main = cluster.main;
    try {
      await main.writeFile(`${TLS_DIR}/main.pem`, file(rogue, 'main.pem'));
      await main.writeFile(`${TLS_DIR}/main.key`, file(rogue, 'main.key'), 0o600);
      const since = await now();
      await main.run('systemctl reload bluechi-controller');
      await waitFor('the reload in the journal', async () => (await journal('main', 'bluechi-controller', since)).includes('Reloaded the TLS certificate, key and CA for new agent connections'));
      expect((await main.exec('systemctl is-active bluechi-controller')).stdout.trim()).toBe('active');
      // A new connection meets the new certificate, which worker2 does not trust.
      await reconfigureWorker2(undefined);
      await waitFor('worker2 to reject the new certificate', async () => (await journal('worker2', 'bluechi-agent', since)).includes('Failed to connect to controller'));
      expect(await state('worker2')).toBe('offline');
      expect(await state('worker1')).toBe('online');
    } finally {
      await main.writeFile(`${TLS_DIR}/main.pem`, file(pki, 'main.pem'));
      await main.writeFile(`${TLS_DIR}/main.key`, file(pki, 'main.key'), 0o600);
      await main.run('systemctl reload bluechi-controller');
    }
    await cluster.waitOnline();
    expect(await state('worker2')).toBe('online');
  });
});
