/**
 * Node tokens on real systemd 252: worker1 binds to its name with a token in a
 * root-only file, the controller keeps only its SHA-256; a wrong token and a
 * missing one are refused, each logged in both journals, and the right one
 * brings the node back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenSha256 } from '@bluechi-ts/protocol';
import { clusterNow, journalSince, nodeState, restartAgentWith } from '../harness/agent-reconfigure.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

const TOKEN = 'worker1-token-for-the-integration-test';
const TOKEN_FILE = '/etc/bluechi/node.token';
let cluster: Cluster;

const journal = (node: string, unit: string, since: string) => journalSince(cluster, node, unit, since);
const state = (name: string) => nodeState(cluster, name);
const now = () => clusterNow(cluster);
const restartWorker1 = (lines: string | undefined) => restartAgentWith(cluster, 'worker1', lines);

beforeAll(async () => {
  cluster = await startCluster({
    agents: ['worker1'],
    start: false,
    controllerConf: `[node worker1]\nTokenSHA256=${tokenSha256(TOKEN)}`,
    agentConf: { worker1: `NodeTokenFile=${TOKEN_FILE}` },
  });
  await cluster.node('worker1').writeFile(TOKEN_FILE, `${TOKEN}\n`, 0o600);
  await cluster.node('worker1').writeFile('/etc/bluechi/wrong.token', 'a-token-that-is-not-the-right-one\n', 0o600);
  await cluster.startServices();
  await cluster.waitOnline();
});

afterAll(async () => {
  await cluster?.stop();
});

describe('node tokens', () => {
  it('bring worker1 online with its token, warning that it travels without TLS', async () => {
    expect(await state('worker1')).toBe('online');
    expect(await journal('worker1', 'bluechi-agent', '-10min')).toContain('NodeTokenFile is set but the link to the controller is not TLS');
  });

  it('refuse a wrong token at the upgrade and a missing one at Register, in both journals', async () => {
    const cases = [
      { lines: 'NodeTokenFile=/etc/bluechi/wrong.token', message: "the token for node 'worker1' is not accepted" },
      { lines: 'NodeTokenFile=', message: "Node 'worker1' must present its token (TokenSHA256= is set for it)" },
    ];
    try {
      for (const c of cases) {
        const since = await now();
        await restartWorker1(c.lines);
        await waitFor(`"${c.message}" in both journals`, async () => (await journal('main', 'bluechi-controller', since)).includes(c.message) && (await journal('worker1', 'bluechi-agent', since)).includes(c.message));
        expect(await state('worker1')).toBe('offline');
      }
    } finally {
      await restartWorker1(undefined);
    }
    await cluster.waitOnline();
    expect(await state('worker1')).toBe('online');
  });

  it('takes systemctl reload on the agent without dropping its connection', async () => {
    const since = await now();
    await cluster.node('worker1').run('systemctl reload bluechi-agent');
    await waitFor('the reload in the journal', async () => (await journal('worker1', 'bluechi-agent', since)).includes('Reload requested: the TLS files and the node token are read again at the next connection'));
    expect((await cluster.node('worker1').exec('systemctl is-active bluechi-agent')).stdout.trim()).toBe('active');
    expect(await state('worker1')).toBe('online');
    expect(await journal('worker1', 'bluechi-agent', since)).not.toContain('Disconnected from controller');
  });

  it('refuses to start an agent whose token file others may read', async () => {
    const w1 = cluster.node('worker1');
    try {
      await w1.run(`chmod 644 ${TOKEN_FILE}`);
      const since = await now();
      const r = await w1.exec('systemctl reset-failed bluechi-agent; systemctl restart bluechi-agent');
      expect(r.exitCode).not.toBe(0);
      await waitFor('the reason in the journal', async () => (await journal('worker1', 'bluechi-agent', since)).includes(`NodeTokenFile '${TOKEN_FILE}' may be read by others (mode 0644)`));
    } finally {
      await w1.run(`chmod 600 ${TOKEN_FILE}`);
      await w1.run('systemctl reset-failed bluechi-agent; systemctl restart bluechi-agent');
    }
    await cluster.waitOnline();
  });
});
