/** The first steps: see the nodes, then start a unit on one of them. */
import type { Scenario } from '../scenario.js';

export const DEMO_UNIT = 'demo-hello.service';
const UNIT = DEMO_UNIT;

export const nodeStatus: Scenario = {
  title: 'Every node is connected',
  agents: ['worker1', 'worker2'],
  async run({ ctl, say }) {
    say('The controller runs on "main" beside a local agent; worker1 and worker2 connect over TCP.');
    await ctl('status');
  },
};

export const startUnit: Scenario = {
  title: 'Start a unit on another node',
  agents: ['worker1'],
  async run({ cluster, ctl, say }) {
    say(`Installing ${UNIT} (a oneshot service) on worker1, then starting it from main.`);
    await cluster.node('worker1').writeUnit(
      UNIT,
      [
        '[Unit]',
        'Description=bluechi-ts demo: says hello once',
        '',
        '[Service]',
        'Type=oneshot',
        'RemainAfterExit=yes',
        'ExecStart=/bin/echo hello from worker1',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
    const started = await ctl(`start worker1 ${UNIT}`);
    if (started.exitCode !== 0) throw new Error(`bluechictl start failed with exit code ${started.exitCode}`);
    await ctl(`status worker1 ${UNIT}`);
  },
};
