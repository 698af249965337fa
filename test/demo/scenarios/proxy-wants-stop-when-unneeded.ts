/**
 * Seed scenario (b): worker1's source.service Wants= worker2's target.service,
 * which has StopWhenUnneeded=yes: it runs exactly as long as something needs it,
 * counted across nodes by the controller.
 */
import type { Scenario } from '../scenario.js';
import { settle, sourceUnit } from './proxy-common.js';

const PROXY = 'bluechi-proxy@worker2_target.service';

export const proxyWantsStopWhenUnneeded: Scenario = {
  title: 'Cross-node Wants= on a StopWhenUnneeded=yes target',
  agents: ['worker1', 'worker2'],
  async run({ cluster, ctl, say }) {
    say(`worker1:source.service Wants=${PROXY}; worker2:target.service has StopWhenUnneeded=yes.`);
    await cluster.node('worker1').writeUnit('source.service', sourceUnit('Wants', PROXY));
    await cluster.node('worker2').writeUnit(
      'target.service',
      '[Unit]\nStopWhenUnneeded=yes\n\n[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n',
    );
    await ctl('start worker1 source.service');
    await ctl(`status worker1 source.service ${PROXY}`);
    await ctl('status worker2 target.service bluechi-dep@target.service');

    say('Stopping the source: the proxy is unneeded, the controller stops bluechi-dep@, and the target goes too.');
    await ctl('stop worker1 source.service');
    await settle(cluster, 'worker2', { 'target.service': 'inactive', 'bluechi-dep@target.service': 'inactive' });
    await ctl(`status worker1 source.service ${PROXY}`);
    await ctl('status worker2 target.service bluechi-dep@target.service');

    say('Two sources on two nodes (worker1:source.service, main:source2.service): the target stops after the last.');
    await cluster.node('main').writeUnit('source2.service', sourceUnit('Wants', PROXY));
    await ctl('start worker1 source.service');
    await ctl('start main source2.service');
    await ctl('stop worker1 source.service');
    await settle(cluster, 'worker1', { [PROXY]: 'inactive' });
    await ctl('status worker2 target.service bluechi-dep@target.service');
    await ctl('stop main source2.service');
    await settle(cluster, 'worker2', { 'target.service': 'inactive' });
    await ctl('status worker2 target.service bluechi-dep@target.service');
  },
};
