/**
 * Seed scenario (c): main's source.service Upholds= worker2's target.service,
 * a `sleep 5` that keeps exiting. Each exit stops the proxy, Upholds= starts it
 * again, and that starts the target again: a cross-node restart loop.
 */
import type { Scenario } from '../scenario.js';
import { settle, sleep, sourceUnit } from './proxy-common.js';

const PROXY = 'bluechi-proxy@worker2_target.service';
const WATCH_MS = 12_000;

export const proxyUpholdsRestart: Scenario = {
  title: 'Cross-node Upholds= restarts a target that keeps exiting',
  agents: ['worker2'],
  async run({ cluster, ctl, say }) {
    say(`main:source.service Upholds=${PROXY}; worker2:target.service is "sleep 5".`);
    await cluster.node('main').writeUnit('source.service', sourceUnit('Upholds', PROXY));
    await cluster.node('worker2').writeUnit(
      'target.service',
      '[Unit]\nStopWhenUnneeded=yes\n\n[Service]\nType=simple\nExecStart=/bin/sleep 5\n',
    );
    const worker2 = cluster.node('worker2');
    const since = (await worker2.run('date +%s')).stdout.trim();
    await ctl('start main source.service');
    await ctl('status main source.service');
    await ctl('status worker2 target.service');

    say(`Watching target.service's main PID on worker2 for ${WATCH_MS / 1000} s...`);
    const pids: string[] = [];
    for (const end = Date.now() + WATCH_MS; Date.now() < end; await sleep(500)) {
      const pid = (await worker2.exec('systemctl show -p ExecMainPID --value target.service')).stdout.trim();
      if (pid !== '0' && pids.at(-1) !== pid) pids.push(pid);
    }
    const started = (await worker2.exec(`journalctl --no-pager --since=@${since} -u target.service | grep -c 'Started target.service'`)).stdout.trim();
    say(`target.service was started ${started} times; main PIDs seen: ${pids.join(', ')}.`);

    say('Stopping the source ends the loop: proxy, bluechi-dep@ and (StopWhenUnneeded=yes) the target stop.');
    await ctl('stop main source.service');
    await settle(cluster, 'worker2', { 'target.service': 'inactive', 'bluechi-dep@target.service': 'inactive' });
    await ctl(`status main source.service ${PROXY}`);
    await ctl('status worker2 target.service bluechi-dep@target.service');
  },
};
