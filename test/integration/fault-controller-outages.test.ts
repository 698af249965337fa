/**
 * The controller going away, on real systemd: while it is stopped a client
 * gets a clear error at once, and when it is killed (SIGKILL) systemd starts
 * it again (Restart=on-abnormal) and every agent reconnects by itself; the
 * units on the nodes, a proxy and the target it needs included, stay as they
 * were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';
import { ALLOW_DEPS, depOf, expectStates, jobOk, proxyOf, sourceUnit, targetUnit, TestUnits, waitStates } from './support/proxy-units.js';

let cluster: Cluster;
let units: TestUnits;

const invocation = async (node: string, unit: string) =>
  (await cluster.node(node).run(`systemctl show -p InvocationID --value ${unit}`)).stdout.trim();

const controllerState = async () =>
  (await cluster.main.run('systemctl show -p ActiveState -p NRestarts bluechi-controller | sort')).stdout;

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'], controllerConf: ALLOW_DEPS });
  units = new TestUnits(cluster);
});

afterAll(async () => {
  await units?.cleanup().catch(() => undefined);
  await cluster?.stop();
});

describe('the controller goes away', () => {
  it('while it is stopped, bluechictl fails at once with a clear message, and works again once it is back', async () => {
    await cluster.main.run('systemctl stop bluechi-controller');
    try {
      // `timeout` turns a hang into exit 124, so a client that waited would fail here.
      for (const args of ['status', 'list-units worker1', 'start worker1 nothing.service']) {
        const r = await cluster.main.exec(`timeout 10 bluechictl ${args}`);
        expect({ args, ...r }).toEqual({
          args,
          exitCode: 1,
          stdout: '',
          stderr: 'Failed to connect to the controller at /run/bluechi/api.sock: No such file or directory (is bluechi-controller running?)\n',
        });
      }
    } finally {
      await cluster.main.run('systemctl start bluechi-controller');
    }
    await cluster.waitOnline(undefined, 20_000);
    expect((await cluster.ctl('status')).exitCode).toBe(0);
  });

  it('killed, it is started again and every agent reconnects; the proxy and its target stay up', async () => {
    const proxy = proxyOf('worker1', 'fc-target');
    await units.write('worker1', 'fc-target.service', targetUnit({ stopWhenUnneeded: true }));
    await units.write('main', 'fc-src.service', sourceUnit('Requires', proxy));
    await jobOk(cluster, 'start', 'main', 'fc-src.service');
    await waitStates(cluster, 'worker1', { 'fc-target.service': 'active/exited', [depOf('fc-target')]: 'active/exited' });
    const target = await invocation('worker1', 'fc-target.service');
    const source = await invocation('main', 'fc-src.service');
    const restartsBefore = (await cluster.main.run('systemctl show -p NRestarts --value bluechi-controller')).stdout;

    await cluster.main.run('systemctl kill -s KILL bluechi-controller');
    await waitFor('systemd to start the controller again', async () => {
      const state = await controllerState();
      return state === `ActiveState=active\nNRestarts=${Number(restartsBefore) + 1}\n` && state;
    }, { timeoutMs: 20_000 });
    await cluster.waitOnline(undefined, 20_000);

    for (const node of ['main', 'worker1']) {
      const agent = await cluster.node(node).run('systemctl show -p ActiveState -p NRestarts bluechi-agent | sort');
      expect(agent.stdout, node).toBe('ActiveState=active\nNRestarts=0\n');
    }
    await expectStates(cluster, 'main', { 'fc-src.service': 'active/exited', [proxy]: 'active/exited' });
    await waitStates(cluster, 'worker1', { 'fc-target.service': 'active/exited', [depOf('fc-target')]: 'active/exited' });
    expect(await invocation('worker1', 'fc-target.service')).toBe(target);
    expect(await invocation('main', 'fc-src.service')).toBe(source);

    // The new controller knows the proxy again: stopping the target stops the Requires= source.
    await jobOk(cluster, 'stop', 'worker1', 'fc-target.service');
    await waitStates(cluster, 'main', { 'fc-src.service': 'inactive/dead', [proxy]: 'inactive/dead' });
  });
});
