/**
 * The public D-Bus API, as upstream's clients use it: busctl against
 * org.eclipse.bluechi, a job over D-Bus, and bluechi-is-online.
 */
import type { Scenario } from '../scenario.js';
import { DEMO_UNIT } from './basics.js';

const BUS = 'org.eclipse.bluechi';
const NODE_PATH = '/org/eclipse/bluechi/node/worker1';

export const dbusApi: Scenario = {
  title: 'The D-Bus API org.eclipse.bluechi',
  agents: ['worker1'],
  async run({ say, sh }) {
    say('Any D-Bus client can drive the cluster: here busctl, as root on main.');
    await sh(`busctl get-property ${BUS} /org/eclipse/bluechi org.eclipse.bluechi.Controller Status`);
    await sh(`busctl call ${BUS} /org/eclipse/bluechi org.eclipse.bluechi.Controller ListNodes`);
    await sh(`busctl get-property ${BUS} ${NODE_PATH} org.eclipse.bluechi.Node Status PeerIp`);
    say(`Restart ${DEMO_UNIT} on worker1 through the Node object; the reply is the job's object path.`);
    await sh(`busctl call ${BUS} ${NODE_PATH} org.eclipse.bluechi.Node RestartUnit ss ${DEMO_UNIT} replace`);
    await sh(`busctl call ${BUS} ${NODE_PATH} org.eclipse.bluechi.Node GetUnitProperty sss ${DEMO_UNIT} org.freedesktop.systemd1.Unit ActiveState`);
    say('bluechi-is-online answers for the system, a node, or the agent (exit code 0 = online).');
    await sh('bluechi-is-online system && echo system is up');
    await sh('bluechi-is-online node worker1 && echo worker1 is online');
    await sh('bluechi-is-online node nosuch');
  },
};
