/**
 * Node tokens on real systemd 252: worker1 binds to its name with a token in a
 * root-only file, the controller keeps only its SHA-256; a wrong token and a
 * missing one are refused, each logged in both journals, and the right one
 * brings the node back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenSha256 } from '@bluechi-ts/protocol';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

const TOKEN = 'worker1-token-for-the-integration-test';
const TOKEN_FILE = '/etc/bluechi/node.token';
const OVERRIDE = '/etc/bluechi/agent.conf.d/2-test.conf';
let cluster: Cluster;

async function journal(node: 'main' | 'worker1', unit: string, since: string): Promise<string> {
  return (await cluster.node(node).exec(`journalctl --no-pager -o cat -u ${unit} --since '${since}'`)).stdout;
}
async function now(): Promise<string> {
  return (await cluster.main.exec("date '+%Y-%m-%d %H:%M:%S'")).stdout.trim();
}
async function state(name: string): Promise<string> {
  const { stdout } = await cluster.ctl('status');
  return stdout.split('\n').find((l) => l.trim().startsWith(`${name} `))?.split('|')[1]?.trim() ?? '';
}
async function restartWorker1(lines: string | undefined): Promise<void> {
  const w1 = cluster.node('worker1');
  if (lines === undefined) await w1.run(`rm -f ${OVERRIDE}`);
  else await w1.writeFile(OVERRIDE, `[bluechi-agent]\n${lines}\n`);
  await w1.run('systemctl reset-failed bluechi-agent; systemctl restart bluechi-agent');
}

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
