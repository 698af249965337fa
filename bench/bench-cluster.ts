/**
 * The three-node cluster the container benchmarks boot, in its own file so
 * that benchmarks without containers (scale) do not bundle the test harness.
 */
import { startCluster, type Cluster } from '../test/harness/cluster.js';

/**
 * Boots the benchmarks' cluster (main with the controller and a local agent,
 * worker1 and worker2, main allowed to depend on worker1) and removes it on
 * Ctrl-C; `stop` removes it and never throws.
 */
export async function startBenchCluster(tag: string): Promise<{ cluster: Cluster; stop: () => Promise<void> }> {
  console.log(`[${tag}] booting the cluster (main + worker1 + worker2)...`);
  const cluster = await startCluster({
    agents: ['worker1', 'worker2'],
    controllerConf: '[node main]\nAllowDependenciesOn=worker1',
  });
  const stop = () => cluster.stop().catch(() => undefined);
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  return { cluster, stop };
}
