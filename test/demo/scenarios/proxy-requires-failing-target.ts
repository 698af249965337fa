/**
 * Seed scenario (a): main's source.service Requires= worker1's target.service,
 * which fails at once. The proxy succeeds (a Type=simple target is active as
 * soon as it forks), then the failure arrives and takes source.service down.
 */
import type { Scenario } from '../scenario.js';
import { settle, sourceUnit } from './proxy-common.js';

const PROXY = 'bluechi-proxy@worker1_target.service';

export const proxyRequiresFailingTarget: Scenario = {
  title: 'Cross-node Requires= on a target that fails',
  agents: ['worker1'],
  async run({ cluster, ctl, say }) {
    say(`main:source.service Requires=${PROXY}; worker1:target.service runs /bin/false.`);
    await cluster.node('main').writeUnit('source.service', sourceUnit('Requires', PROXY));
    await cluster.node('worker1').writeUnit(
      'target.service',
      '[Unit]\nDescription=Target service\n\n[Service]\nType=simple\nExecStart=/bin/false\nRemainAfterExit=yes\n',
    );
    await ctl('start main source.service');
    say('The target fails a moment later; the proxy on main stops, and Requires= stops source.service.');
    await settle(cluster, 'main', { 'source.service': 'inactive', [PROXY]: 'inactive' });
    await settle(cluster, 'worker1', { 'target.service': 'failed' });
    await ctl('status main source.service');
    await ctl('status worker1 target.service');
    await ctl(`status main ${PROXY}`);
  },
};
