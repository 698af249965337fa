/**
 * `bluechictl set-loglevel` changes the level of a running daemon: the agent's
 * debug line for a StartUnit request appears in its journal only while the
 * agent is at DEBUG, the controller's only while the controller is, and each
 * daemon's level is its own. Invalid levels are refused, with and without a
 * node (upstream exits 0 when a node is given; here bad input exits 1).
 *
 * Absence is proven by order, not by waiting: every level change writes a
 * "Log level set to X" line at INFO, so once a later such line is in the
 * journal, every line the daemon wrote before it is there too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { ExecResult, SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';

const ok: ExecResult = { exitCode: 0, stdout: '', stderr: '' };
const UNITS = ['phase0', 'phase1', 'phase2', 'phase3'].map((p) => `${p}.service`);

async function journal(node: SystemdNode, unit: string): Promise<string[]> {
  const { stdout } = await node.exec(`journalctl --no-pager -o cat -u ${unit}`);
  return stdout.split('\n');
}

/** The journal once it holds `count` lines equal to `marker`. */
function journalWith(node: SystemdNode, unit: string, marker: string, count: number): Promise<string[]> {
  return waitFor(`${count} "${marker}" line(s) in the journal of ${unit}`, async () => {
    const lines = await journal(node, unit);
    return lines.filter((l) => l === marker).length >= count && lines;
  });
}

/** Which of the units the lines mention in the form `${prefix}${unit} `. */
function mentioned(lines: string[], prefix: (unit: string) => string): string[] {
  return UNITS.filter((unit) => lines.some((l) => l.startsWith(prefix(unit))));
}

describe('set-loglevel changes the level at run time', () => {
  let cluster: Cluster;
  let worker1: SystemdNode;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    worker1 = cluster.node('worker1');
    for (const unit of UNITS) {
      await worker1.writeFile(`/etc/systemd/system/${unit}`, '[Service]\nType=oneshot\nExecStart=/bin/true\n');
    }
    await worker1.run('systemctl daemon-reload');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const start = async (unit: string) =>
    expect(await cluster.ctl(`start worker1 ${unit}`)).toEqual({ ...ok, stdout: `Unit ${unit} StartUnit operation result: done\n` });

  it("debug lines appear only while the daemon's own level is DEBUG; INFO stops them again", async () => {
    await start('phase0.service'); // both at INFO (the default)

    expect(await cluster.ctl('set-loglevel worker1 DEBUG')).toEqual(ok);
    await start('phase1.service'); // agent DEBUG, controller INFO

    expect(await cluster.ctl('set-loglevel worker1 INFO')).toEqual(ok);
    expect(await cluster.ctl('set-loglevel DEBUG')).toEqual(ok);
    await start('phase2.service'); // agent INFO, controller DEBUG

    expect(await cluster.ctl('set-loglevel INFO')).toEqual(ok);
    await start('phase3.service'); // both at INFO again

    // Closing markers: one more INFO line from each daemon.
    expect(await cluster.ctl('set-loglevel worker1 INFO')).toEqual(ok);
    expect(await cluster.ctl('set-loglevel INFO')).toEqual(ok);

    const agent = await journalWith(worker1, 'bluechi-agent', 'Log level set to INFO', 2);
    const controller = await journalWith(cluster.main, 'bluechi-controller', 'Log level set to INFO', 2);

    expect(mentioned(agent, (u) => `Request to StartUnit unit ${u} `)).toEqual(['phase1.service']);
    expect(mentioned(controller, (u) => `Requesting StartUnit (node=worker1 unit=${u} `)).toEqual(['phase2.service']);

    // And in the order the levels changed.
    const at = (lines: string[], prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at(agent, 'Log level set to DEBUG')).toBeLessThan(at(agent, 'Request to StartUnit unit phase1.service '));
    expect(at(agent, 'Request to StartUnit unit phase1.service ')).toBeLessThan(at(agent, 'Log level set to INFO'));
    expect(at(controller, 'Log level set to DEBUG')).toBeLessThan(at(controller, 'Requesting StartUnit (node=worker1 unit=phase2.service '));
    expect(at(controller, 'Requesting StartUnit (node=worker1 unit=phase2.service ')).toBeLessThan(at(controller, 'Log level set to INFO'));
  });

  it('the other levels are accepted for the controller and for an agent', async () => {
    for (const level of ['WARN', 'ERROR', 'INFO']) {
      expect(await cluster.ctl(`set-loglevel ${level}`), level).toEqual(ok);
      expect(await cluster.ctl(`set-loglevel worker1 ${level}`), level).toEqual(ok);
    }
  });

  it('refuses an invalid level for the controller and for an agent, exit 1, and the level stays', async () => {
    const refused: ExecResult = { exitCode: 1, stdout: '', stderr: 'Failed to issue method call: Invalid input for log level\n' };
    for (const level of ['FOO', 'debug', 'Info', 'TRACE']) {
      expect(await cluster.ctl(`set-loglevel ${level}`), level).toEqual(refused);
      expect(await cluster.ctl(`set-loglevel worker1 ${level}`), `worker1 ${level}`).toEqual(refused);
    }
    expect(await cluster.ctl(`set-loglevel ''`)).toEqual(refused);
    expect(await cluster.ctl(`set-loglevel worker1 ''`)).toEqual(refused);

    // Still at INFO: a start leaves no debug line before the next INFO lines
    // (enable on the agent, metrics on the controller).
    await worker1.writeUnit('after-refusal.service', '[Service]\nType=oneshot\nExecStart=/bin/true\n');
    await start('after-refusal.service');
    expect((await cluster.ctl('enable worker1 after-refusal.service')).exitCode).toBe(0);
    expect(await cluster.ctl('metrics enable')).toEqual({ ...ok, stdout: 'Done\n' });
    const agent = await waitFor('the agent to log the enable', async () => {
      const lines = await journal(worker1, 'bluechi-agent');
      return lines.some((l) => l.startsWith('Enabling unit files after-refusal.service')) && lines;
    });
    const controller = await journalWith(cluster.main, 'bluechi-controller', 'Metrics enabled', 1);
    expect(agent.filter((l) => l.startsWith('Request to StartUnit unit after-refusal.service '))).toEqual([]);
    expect(controller.filter((l) => l.includes('unit=after-refusal.service'))).toEqual([]);
    expect(await cluster.ctl('metrics disable')).toEqual({ ...ok, stdout: 'Done\n' });
  });
});
