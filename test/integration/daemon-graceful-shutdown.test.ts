/**
 * `systemctl stop bluechi-controller` on real systemd while a client waits for
 * a slow job: the client gets the job's end ("cancelled due to shutdown"), the
 * agents are told (close code 1001) and keep the job running, and the stop
 * completes on SIGTERM alone, with no stop timeout and no SIGKILL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { waitFor, waitForJournalLine } from '../harness/wait.js';

const SLOW = 'gs-slow.service';

describe('graceful shutdown', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    await cluster.node('worker1').writeUnit(SLOW, '[Service]\nType=oneshot\nExecStart=/bin/sleep 600\n');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('a waiting bluechictl start gets the shutdown result and the stop completes on SIGTERM', async () => {
    const worker1 = cluster.node('worker1');
    const waiting = cluster.ctl(`start worker1 ${SLOW}`);
    await waitFor(`${SLOW} to be starting`, async () => (await worker1.exec(`systemctl is-active ${SLOW}`)).stdout === 'activating\n');
    const since = (await cluster.main.run('date +%s.%N')).stdout.trim();

    const stop = await cluster.main.exec('systemctl stop bluechi-controller');
    expect(stop.exitCode).toBe(0);
    expect(await waiting).toEqual({ exitCode: 0, stdout: `Unit ${SLOW} StartUnit operation result: cancelled due to shutdown\n`, stderr: '' });

    const show = await cluster.main.run('systemctl show -p ActiveState,Result bluechi-controller');
    expect(show.stdout).toBe('Result=success\nActiveState=inactive\n');
    const journal = (await cluster.main.run(`journalctl --no-pager -o cat -u bluechi-controller --since=@${since}`)).stdout;
    expect(journal).toContain('Received SIGTERM, shutting down');
    expect(journal).toContain('Controller stopped');
    expect(journal).toContain('bluechi-controller.service: Deactivated successfully.');
    expect(journal).not.toMatch(/SIGKILL|timed out|Killing process/);

    // The agents were told, and the job they run goes on without the controller.
    await waitForJournalLine(worker1, 'bluechi-agent', 'Disconnected from controller (controller shutting down)');
    expect((await worker1.exec(`systemctl is-active ${SLOW}`)).stdout).toBe('activating\n');
    expect((await worker1.exec('systemctl is-active bluechi-agent')).stdout).toBe('active\n');

    await cluster.main.run('systemctl start bluechi-controller');
    await cluster.waitOnline();
    await worker1.run(`systemctl stop ${SLOW}`);
  });
});
