/**
 * Shared by the is-online-*.test.ts files: `bluechi-is-online` run in a
 * container in the foreground or in the background (returning once it watches
 * the bus), the lines it prints for an offline component, waits for the
 * agent's and the controller's Status read with busctl (independent of the
 * tool), and a cluster that gets its daemons back between tests.
 *
 *   let cluster: Cluster;
 *   const { bg } = useIsOnlineCluster({ agents: ['worker1'] }, (c) => { cluster = c; });
 *   expect(await run(cluster.main, 'system')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
 *   const monitor = await bg(cluster.main, 'monitor', 'system --monitor');
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startBackground, type BackgroundCommand } from '../../harness/background.js';
import { startCluster, type Cluster, type ClusterOptions } from '../../harness/cluster.js';
import type { ExecResult, SystemdNode } from '../../harness/systemd-container.js';
import { waitFor } from '../../harness/wait.js';

/** What the tool prints when the agent (org.eclipse.bluechi.Agent) is not online. */
export const AGENT_OFFLINE = 'org.eclipse.bluechi.Agent is offline\n';
/** What the tool prints when a node or the system (org.eclipse.bluechi) is not online. */
export const CONTROLLER_OFFLINE = 'org.eclipse.bluechi is offline\n';
/** What the tool prints before the offline line when nobody owns the bus name it reads. */
export const NO_ROUTE = 'Failed to get property: No route to host\n';
/** Far longer than any test may run: a command that returns did not wait it out, a window this long does not close. */
export const FOREVER_MS = 3_600_000;

/** Runs the tool in the foreground on `node`, as root or (with `as`) as that user. */
export function run(node: SystemdNode, args: string, as?: string): Promise<ExecResult> {
  return node.exec(`${as ? `runuser -u ${as} -- ` : ''}bluechi-is-online ${args}`);
}

/**
 * Waits until the process `pid` (a shell expression) is on the system bus
 * with bluechi-is-online's two match rules in place (dbus-daemon's connection
 * statistics); it sends its read of Status right after, so whatever a test
 * does next happens to a running watch.
 */
export function watching(node: SystemdNode, pid: string): Promise<true> {
  const script =
    `pid=${pid}; name=$(busctl list --unique --no-legend | awk -v pid="$pid" '$2 == pid {print $1; exit}'); ` +
    `[ -n "$name" ] && busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.Debug.Stats GetConnectionStats s "$name"`;
  return waitFor(`process ${pid} to watch the bus`, async () => /"MatchRules" u [2-9]/.test((await node.exec(script)).stdout) || undefined);
}

/** Waits until `busctl get-property NAME /org/eclipse/bluechi IFACE Status` on `node` reads `status`. */
function waitStatus(node: SystemdNode, what: string, name: string, iface: string, status: string): Promise<true> {
  return waitFor(`${what} to be ${status}`, async () => {
    const r = await node.exec(`busctl get-property ${name} /org/eclipse/bluechi ${iface} Status`);
    return r.stdout === `s "${status}"\n` || undefined;
  });
}

/** Waits until the agent on `node` reports the given Status on the bus. */
export function agentStatus(node: SystemdNode, status: 'online' | 'offline'): Promise<true> {
  return waitStatus(node, `the agent on ${node.name}`, 'org.eclipse.bluechi.Agent', 'org.eclipse.bluechi.Agent', status);
}

/** Waits until the controller on `main` reports the given Status on the bus. */
export function controllerStatus(main: SystemdNode, status: 'up' | 'degraded' | 'down'): Promise<true> {
  return waitStatus(main, 'the controller', 'org.eclipse.bluechi', 'org.eclipse.bluechi.Controller', status);
}

/** Starts the controller again, then every agent of the cluster, and waits until every node is online. */
export async function restartDaemons(cluster: Cluster): Promise<void> {
  await cluster.main.run('systemctl start bluechi-controller');
  await Promise.all(
    [...(cluster.localAgent ? [cluster.main] : []), ...cluster.agents.values()].map((node) => node.run('systemctl start bluechi-agent')),
  );
  await cluster.waitOnline();
}

export type IsOnlineCluster = {
  /**
   * Starts the tool in the background on `node` and returns once it watches
   * the bus; it is killed at the end of the file. As another user (`as`) it
   * runs under setpriv, which execs it, so it stays the direct child of the
   * background command.
   */
  bg(node: SystemdNode, name: string, args: string, as?: string): Promise<BackgroundCommand>;
};

/**
 * Boots a cluster for the calling test file and hands it to `ready` (which may
 * prepare more, in the same beforeAll); after every test `reset` puts it back
 * (default: restartDaemons), so every test starts from a cluster that is up.
 * At the end, kills what `bg` started and removes the cluster.
 */
export function useIsOnlineCluster(
  options: ClusterOptions,
  ready: (cluster: Cluster) => void | Promise<void>,
  reset: (cluster: Cluster) => Promise<void> = restartDaemons,
): IsOnlineCluster {
  let cluster: Cluster | undefined;
  const background: BackgroundCommand[] = [];
  beforeAll(async () => {
    cluster = await startCluster(options);
    await ready(cluster);
  });
  afterAll(async () => {
    await Promise.allSettled(background.map((b) => b.kill()));
    await cluster?.stop();
  });
  afterEach(async () => {
    if (!cluster) throw new Error('the cluster is not up');
    await reset(cluster);
  });
  return {
    async bg(node, name, args, as) {
      const user = as ? `setpriv --reuid=${as} --regid=${as} --init-groups ` : '';
      const cmd = await startBackground(node, name, `${user}bluechi-is-online ${args}`, { timeoutS: 300 });
      background.push(cmd);
      await watching(node, `$(pgrep -P ${cmd.pid})`);
      return cmd;
    },
  };
}
