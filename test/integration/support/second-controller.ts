/**
 * Shared by the agent-dbus-api and is-online-switch-and-readers tests: a
 * second controller on main, for the agent's SwitchController to move to. It
 * listens on its own TCP port and API socket, has no Unix agent socket, and
 * runs as a transient unit (systemd-run) next to the cluster's own controller.
 *
 *   await configureController2(cluster.main, port2);
 *   await startController2(cluster.main);
 *   await cluster.main.exec(`BLUECHI_API_SOCKET=${CONTROLLER2_API} bluechictl status worker1`);
 */
import type { SystemdNode } from '../../harness/systemd-container.js';

/** The second controller: its unit on main, its configuration and its local API socket. */
export const CONTROLLER2 = 'bluechi-controller-2';
export const CONTROLLER2_CONF = '/etc/bluechi/controller-2.conf';
export const CONTROLLER2_API = '/run/bluechi/api-2.sock';

/** Writes the second controller's configuration on `main`: `port`, worker1 allowed, then `extra` lines (each ending in a newline). */
export async function configureController2(main: SystemdNode, port: number, extra = ''): Promise<void> {
  await main.writeFile(
    CONTROLLER2_CONF,
    `[bluechi-controller]\nControllerPort=${port}\nAllowedNodeNames=worker1\nUseUDS=false\nApiSocketPath=${CONTROLLER2_API}\n${extra}`,
  );
}

/** Starts the second controller on `main` as the transient unit CONTROLLER2. */
export async function startController2(main: SystemdNode): Promise<void> {
  await main.run(`systemd-run --unit=${CONTROLLER2} /usr/libexec/bluechi-controller -c ${CONTROLLER2_CONF}`);
}
