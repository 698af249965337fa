/**
 * The service manager's watchdog and restart policy on real systemd. With a
 * short WatchdogSec= (a drop-in; the shipped units use 30 s) a healthy daemon
 * keeps pinging and is left alone, and a hung one (SIGSTOP) is aborted by the
 * watchdog and started again. A crash loop (kill -9 over and over) is stopped
 * by the start limit (the unit stays failed, the journal says "Start request
 * repeated too quickly"), and `systemctl reset-failed` lets it start again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

const WATCHDOG_SEC = 3;
const UNITS = ['bluechi-controller', 'bluechi-agent'] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchdog and start limit', () => {
  let cluster: Cluster;

  /** systemctl show's values of these properties, by name. */
  async function show(unit: string, ...props: string[]): Promise<Record<string, string>> {
    const out = (await cluster.main.run(`systemctl show -p ${props.join(',')} ${unit}`)).stdout;
    return Object.fromEntries(out.trimEnd().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
  }

  beforeAll(async () => {
    cluster = await startCluster({ agents: [], start: false });
    for (const unit of UNITS) {
      // No core files from the watchdog's SIGABRT in the test container.
      await cluster.main.writeFile(`/etc/systemd/system/${unit}.service.d/50-watchdog.conf`, `[Service]\nWatchdogSec=${WATCHDOG_SEC}\nLimitCORE=0\n`);
    }
    await cluster.main.run('systemctl daemon-reload');
    await cluster.startServices();
    await cluster.waitOnline();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('leaves healthy daemons running: they ping the watchdog', async () => {
    const before = await Promise.all(UNITS.map((unit) => show(unit, 'MainPID', 'WatchdogUSec')));
    for (const b of before) expect(b.WatchdogUSec).toBe(`${WATCHDOG_SEC}s`);
    await sleep(3 * WATCHDOG_SEC * 1000);
    for (const [i, unit] of UNITS.entries()) {
      expect(await show(unit, 'MainPID', 'NRestarts', 'ActiveState'), unit).toEqual({ MainPID: before[i]!.MainPID, NRestarts: '0', ActiveState: 'active' });
    }
  });

  for (const unit of UNITS) {
    it(`${unit}: a hung daemon is aborted by the watchdog and started again`, async () => {
      const { MainPID: hung, NRestarts: restarts } = await show(unit, 'MainPID', 'NRestarts');
      const since = (await cluster.main.run('date +%s.%N')).stdout.trim();
      await cluster.main.run(`kill -STOP ${hung}`);
      const after = await waitFor(`${unit} to be restarted`, async () => {
        const now = await show(unit, 'MainPID', 'NRestarts', 'ActiveState', 'SubState');
        return now.ActiveState === 'active' && now.SubState === 'running' && now.MainPID !== hung && now.MainPID !== '0' && now;
      }, { timeoutMs: 30_000 });
      expect(Number(after.NRestarts)).toBe(Number(restarts) + 1);
      const journal = (await cluster.main.run(`journalctl --no-pager -o cat -u ${unit} --since=@${since}`)).stdout;
      expect(journal).toContain(`${unit}.service: Watchdog timeout (limit ${WATCHDOG_SEC}s)!`);
      await cluster.waitOnline();
    });
  }

  it('a crash loop is stopped by the start limit, and reset-failed lets the controller start again', async () => {
    const unit = 'bluechi-controller';
    // A fresh start-rate count for this test.
    await cluster.main.run(`systemctl reset-failed ${unit}`);
    let kills = 0;
    for (;;) {
      const { MainPID: pid } = await show(unit, 'MainPID');
      await cluster.main.run(`kill -9 ${pid}`);
      kills++;
      const state = await waitFor(`${unit} to come back or give up`, async () => {
        const now = await show(unit, 'MainPID', 'ActiveState', 'SubState', 'Result');
        if (now.ActiveState === 'failed') return now;
        return now.ActiveState === 'active' && now.SubState === 'running' && now.MainPID !== pid && now;
      }, { timeoutMs: 20_000 });
      if (state.ActiveState === 'failed') break;
      expect(kills, 'restarts allowed before the start limit').toBeLessThan(6);
    }
    // StartLimitBurst=5: five restarts are allowed, the sixth start is refused.
    expect(kills).toBe(6);
    // systemd keeps the first failure as the unit's Result (the kill) and says
    // why it gave up in the journal.
    expect(await show(unit, 'ActiveState', 'Result')).toEqual({ ActiveState: 'failed', Result: 'signal' });
    const journal = (await cluster.main.run(`journalctl --no-pager -o cat -u ${unit} -n 5`)).stdout;
    expect(journal).toContain(`${unit}.service: Start request repeated too quickly.`);
    // Starting by hand is refused as well until reset-failed.
    expect((await cluster.main.exec(`systemctl start ${unit}`)).exitCode).not.toBe(0);
    expect(await show(unit, 'ActiveState')).toEqual({ ActiveState: 'failed' });

    await cluster.main.run(`systemctl reset-failed ${unit}`);
    await cluster.main.run(`systemctl start ${unit}`);
    expect(await show(unit, 'ActiveState', 'SubState')).toEqual({ ActiveState: 'active', SubState: 'running' });
    await cluster.waitOnline();
  });
});
