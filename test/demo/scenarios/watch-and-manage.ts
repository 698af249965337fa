/**
 * The day-to-day verbs on the unit started before: watch it with monitor,
 * look at it with -o wide, measure a restart with metrics, and enable it.
 */
import { startBackground } from '../../harness/background.js';
import type { Scenario } from '../scenario.js';
import { DEMO_UNIT } from './basics.js';

export const watchAndManage: Scenario = {
  title: 'Watch, measure and manage a unit',
  agents: ['worker1'],
  async run({ cluster, ctl, say }) {
    say(`A monitor on main follows ${DEMO_UNIT} on worker1; metrics time the jobs.`);
    const monitor = await startBackground(cluster.main, 'demo-monitor', `bluechictl monitor worker1 ${DEMO_UNIT}`);
    const metrics = await startBackground(cluster.main, 'demo-metrics', 'bluechictl metrics listen');
    try {
      await monitor.waitOut('the subscription', (out) => out.includes('Subscribing to node'));
      await metrics.waitOut('the listener', (out) => out.includes('Waiting for metrics signals'));
      await ctl('metrics enable');
      await ctl(`stop worker1 ${DEMO_UNIT}`);
      await ctl(`start worker1 ${DEMO_UNIT}`);
      await ctl(`status worker1 ${DEMO_UNIT} -o wide`);
      await ctl('metrics disable');
      await monitor.waitOut('the start', (out) => out.includes('Active: active (exited)') && out.includes('Active: inactive (dead)'));
      await metrics.waitOut('the start job', (out) => out.includes('Unit net start time'));
      say('What the monitor printed meanwhile:');
      process.stdout.write(await monitor.out());
      say('What metrics listen printed meanwhile:');
      process.stdout.write(await metrics.out());
    } finally {
      await monitor.kill();
      await metrics.kill();
    }
    say('Unit files: enable it on worker1, check, and disable it again.');
    await ctl(`enable worker1 ${DEMO_UNIT}`);
    await ctl(`is-enabled worker1 ${DEMO_UNIT}`);
    await ctl(`list-unit-files worker1 --filter='*demo*'`);
    await ctl(`disable worker1 ${DEMO_UNIT}`);
  },
};
