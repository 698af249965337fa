/**
 * What `bluechi-is-online` watches for each component (reference §2.1, §2.2,
 * §2.6, §6): the bus name, object and interface whose `Status` property it
 * reads, and the value that counts as online.
 *
 *   agent      org.eclipse.bluechi.Agent  /org/eclipse/bluechi           Agent.Status == online
 *   node NAME  org.eclipse.bluechi        /org/eclipse/bluechi/node/<e>  Node.Status == online
 *   system     org.eclipse.bluechi        /org/eclipse/bluechi           Controller.Status == up
 *
 * The node's object path is computed from its name, as upstream does (an
 * unknown node is then an object that does not exist, and reading it fails
 * like any other read).
 */
import { nodeObjectPath } from '@bluechi-ts/protocol';

export const CONTROLLER_BUS_NAME = 'org.eclipse.bluechi';
export const AGENT_BUS_NAME = 'org.eclipse.bluechi.Agent';
export const BLUECHI_OBJECT_PATH = '/org/eclipse/bluechi';

export type Component = { kind: 'agent' } | { kind: 'node'; name: string } | { kind: 'system' };

export type StatusTarget = {
  busName: string;
  path: string;
  iface: string;
  /** The `Status` value that means online; every other value (or none) is offline. */
  onlineValue: string;
  /** Whether a change of `ControllerAddress` on this object is a controller switch (the agent's API). */
  reportsSwitches: boolean;
};

export function targetOf(component: Component): StatusTarget {
  switch (component.kind) {
    case 'agent':
      return { busName: AGENT_BUS_NAME, path: BLUECHI_OBJECT_PATH, iface: 'org.eclipse.bluechi.Agent', onlineValue: 'online', reportsSwitches: true };
    case 'node':
      return { busName: CONTROLLER_BUS_NAME, path: nodeObjectPath(component.name), iface: 'org.eclipse.bluechi.Node', onlineValue: 'online', reportsSwitches: false };
    case 'system':
      return { busName: CONTROLLER_BUS_NAME, path: BLUECHI_OBJECT_PATH, iface: 'org.eclipse.bluechi.Controller', onlineValue: 'up', reportsSwitches: false };
  }
}
