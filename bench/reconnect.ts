/**
 * `npm run bench -- reconnect`: how soon every agent is back after the
 * controller restarts. Boots main (controller + local agent over the Unix
 * socket), worker1 and worker2 (agents over TCP), all with the shipped
 * defaults (agent HeartbeatInterval 2000 ms, so retries back off up to 2 s),
 * then restarts the controller BENCH_RUNS times (after BENCH_WARMUP warm-ups).
 * Each round, inside main, in one bash loop:
 *
 *   restart   how long `systemctl restart bluechi-controller` itself takes
 *   return    from its return until `bluechictl status` shows all 3 online
 *   listen    from the first `bluechictl status` that the new controller
 *             answers until all 3 are online (the agents' own share)
 *   first     from the return until that first answer (the controller's start)
 *
 * `bluechictl status` is polled back to back (about 8 ms a call), which is the
 * resolution.
 *
 * Then how soon a hung agent is noticed: worker1's agent is frozen (SIGSTOP)
 * until `bluechictl status` shows worker1 offline, then thawed (SIGCONT) until
 * it is online again; BENCH_DETECT_RUNS (default 5) times with the shipped
 * defaults (controller NodeHeartbeatThreshold 6000, checked every second),
 * then as many times with every daemon at HeartbeatInterval=500 and
 * NodeHeartbeatThreshold=2000. These cross two containers, so they are timed
 * from the benchmark process through `docker exec` (about 40-50 ms a call,
 * which is their resolution).
 *
 * Prints a table of medians (min, max); nothing is asserted.
 */
import { performance } from 'node:perf_hooks';
import { parseNodeStatus, startCluster, type Cluster } from '../test/harness/cluster.js';
import { printTable, RUNS, timeLoop, WARMUP, type Row, runMain } from './lib.js';

const NODES = 3;
/** Gives up on a round after this many polls (a few seconds). */
const MAX_POLLS = 2000;
const DETECT_RUNS = Number(process.env.BENCH_DETECT_RUNS ?? 5);

/** Polls `bluechictl status` until worker1 shows `state`; returns the ms since `t0`. */
async function untilWorker1(cluster: Cluster, state: 'online' | 'offline', t0: number): Promise<number> {
  for (let polls = 0; polls < 2000; polls++) {
    const r = await cluster.ctl('status worker1');
    if (parseNodeStatus(r.stdout)[0]?.state === state) return performance.now() - t0;
  }
  throw new Error(`worker1 never showed ${state}`);
}

/** Freezes and thaws worker1's agent `runs` times: [frozen -> offline, thawed -> online]. */
async function hungAgent(cluster: Cluster, runs: number): Promise<[number[], number[]]> {
  const worker1 = cluster.node('worker1');
  const offline: number[] = [];
  const online: number[] = [];
  for (let i = 0; i < runs; i++) {
    const pid = (await worker1.run('systemctl show -p MainPID --value bluechi-agent')).stdout.trim();
    await worker1.run(`kill -STOP ${pid}`);
    offline.push(await untilWorker1(cluster, 'offline', performance.now()));
    await worker1.run(`kill -CONT ${pid}`);
    online.push(await untilWorker1(cluster, 'online', performance.now()));
  }
  return [offline, online];
}

/** Every daemon beats every 500 ms; the controller cuts off a node silent for 2000 ms. */
async function tightenHeartbeats(cluster: Cluster): Promise<void> {
  const agent = '[bluechi-agent]\nHeartbeatInterval=500\n';
  await cluster.main.writeFile('/etc/bluechi/controller.conf.d/2.conf', '[bluechi-controller]\nHeartbeatInterval=500\nNodeHeartbeatThreshold=2000\n');
  for (const node of [cluster.main, ...cluster.agents.values()]) await node.writeFile('/etc/bluechi/agent.conf.d/2.conf', agent);
  await cluster.main.run('systemctl reset-failed bluechi-controller; systemctl restart bluechi-controller');
  await Promise.all([cluster.main, ...cluster.agents.values()].map((node) => node.run('systemctl restart bluechi-agent')));
  await cluster.waitOnline();
}

async function main(): Promise<void> {
  console.log('[bench] booting the cluster (main + worker1 + worker2)...');
  const cluster = await startCluster({ agents: ['worker1', 'worker2'] });
  const stopCluster = () => cluster.stop().catch(() => undefined);
  process.once('SIGINT', () => void stopCluster().then(() => process.exit(130)));
  try {
    console.log(`[bench] restarting the controller ${WARMUP} + ${RUNS} times...`);
    const s = await timeLoop(
      cluster.main,
      // reset-failed (untimed) clears systemd's start rate limit, which a
      // restart every second would otherwise hit.
      `systemctl reset-failed bluechi-controller
mark restart0; systemctl restart bluechi-controller; mark restart1
mark return0; mark first0; answered=0
for ((w = 0; w < ${MAX_POLLS}; w++)); do
  if out=$(bluechictl status 2>/dev/null); then
    if [ "$answered" = 0 ]; then mark first1; mark listen0; answered=1; fi
    [ "$(awk -F'|' '$2 ~ /^ *online *$/' <<<"$out" | wc -l)" -ge ${NODES} ] && break
  fi
done
[ "$w" -lt ${MAX_POLLS} ] || { echo "round $i: not all online" >&2; exit 1; }
mark return1; mark listen1`,
    );
    const rows: Row[] = [
      { what: 'systemctl restart bluechi-controller', where: 'inside main', samples: s.get('restart') ?? [] },
      { what: 'restart returned -> all 3 nodes online', where: 'inside main', samples: s.get('return') ?? [], note: 'what a user waits' },
      { what: 'restart returned -> controller answers', where: 'inside main', samples: s.get('first') ?? [], note: 'controller start' },
      { what: 'controller answers -> all 3 nodes online', where: 'inside main', samples: s.get('listen') ?? [], note: 'agents reconnect' },
    ];
    console.log(`[bench] freezing worker1's agent ${DETECT_RUNS} times, shipped defaults...`);
    const [offDefault, onDefault] = await hungAgent(cluster, DETECT_RUNS);
    console.log(`[bench] the same with HeartbeatInterval=500, NodeHeartbeatThreshold=2000...`);
    await tightenHeartbeats(cluster);
    const [offTight, onTight] = await hungAgent(cluster, DETECT_RUNS);
    rows.push(
      { what: 'agent frozen -> offline, defaults', where: 'bench process', samples: offDefault, note: 'threshold 6000, checked every 1000' },
      { what: 'agent thawed -> online, defaults', where: 'bench process', samples: onDefault },
      { what: 'agent frozen -> offline, 500/2000', where: 'bench process', samples: offTight, note: 'threshold 2000, checked every 500' },
      { what: 'agent thawed -> online, 500/2000', where: 'bench process', samples: onTight },
    );
    for (const row of rows) if (row.samples.length === 0) throw new Error(`no samples for ${row.what}`);
    console.log('');
    printTable(rows);
  } finally {
    await stopCluster();
  }
}

runMain('bench', main);
