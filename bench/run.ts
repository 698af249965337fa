/**
 * `npm run bench`: boots the three-node cluster in containers and measures,
 * inside the containers (bash $EPOCHREALTIME loops in one `docker exec`, so
 * docker's own overhead is not counted), how long the common operations take.
 * Prints a table of medians (min, max); nothing is asserted.
 *
 * Environment: BENCH_RUNS (default 30), BENCH_WARMUP (default 3).
 */
import type { Cluster } from '../test/harness/cluster.js';
import { apiClientBundle, CLIENT_PATH, DBUS_CLIENT_PATH, dbusClientBundle, ONESHOT, printTable, RUNS, timeLoop, WARMUP, type Row, runMain } from './lib.js';
import { startBenchCluster } from './bench-cluster.js';

const XSRC = `[Unit]\nRequires=bluechi-proxy@worker1_xtgt.service\nAfter=bluechi-proxy@worker1_xtgt.service\n\n${ONESHOT}`;
const XTGT = `[Unit]\nStopWhenUnneeded=yes\n\n${ONESHOT}`;
/** The same shape on one node, without any proxy: the local-only baseline. */
const XLOCAL = `[Unit]\nRequires=xltgt.service\nAfter=xltgt.service\n\n${ONESHOT}`;

const rows: Row[] = [];

function add(what: string, where: string, samples: number[] | undefined, note?: string): void {
  if (!samples || samples.length === 0) throw new Error(`no samples for ${what}`);
  rows.push({ what, where, samples, ...(note ? { note } : {}) });
}

async function apiClient(cluster: Cluster, args: string): Promise<{ start: number[]; stop: number[]; activeAfterStart: number; runs: number }> {
  const r = await cluster.main.exec(`node ${CLIENT_PATH} --runs ${RUNS} --warmup ${WARMUP} ${args}`);
  if (r.exitCode !== 0) throw new Error(`api-client failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { start: number[]; stop: number[]; activeAfterStart: number; runs: number };
}

type DbusSeries = { start: number[]; stop: number[]; startReply: number[]; stopReply: number[]; done: number; runs: number };

async function dbusClient(cluster: Cluster, args: string): Promise<DbusSeries> {
  const r = await cluster.main.exec(`node ${DBUS_CLIENT_PATH} --runs ${RUNS} --warmup ${WARMUP} ${args}`);
  if (r.exitCode !== 0) throw new Error(`dbus-client failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as DbusSeries;
}

async function main(): Promise<void> {
  const client = apiClientBundle();
  const dbusClientFile = dbusClientBundle();
  const { cluster, stop: stopCluster } = await startBenchCluster('bench');
  try {
    const main = cluster.main;
    const worker1 = cluster.node('worker1');
    await main.writeFile(CLIENT_PATH, client);
    await main.writeFile(DBUS_CLIENT_PATH, dbusClientFile);
    await Promise.all([
      worker1.writeUnit('bench.service', ONESHOT),
      main.writeUnit('bench.service', ONESHOT),
      worker1.writeUnit('xtgt.service', XTGT),
      main.writeUnit('xsrc.service', XSRC),
      main.writeUnit('xlocal.service', XLOCAL),
      main.writeUnit('xltgt.service', XTGT),
    ]);
    console.log(`[bench] measuring, ${RUNS} runs per series after ${WARMUP} warm-ups...`);

    // (a) CLI wall time, controller -> agent -> systemd and back.
    for (const node of ['worker1', 'main']) {
      const s = await timeLoop(main, `mark start0; bluechictl start ${node} bench.service >/dev/null; mark start1
mark stop0; bluechictl stop ${node} bench.service >/dev/null; mark stop1`);
      const via = node === 'main' ? 'agent over UDS' : 'agent over TCP';
      add(`bluechictl start ${node} bench.service`, 'inside main', s.get('start'), via);
      add(`bluechictl stop ${node} bench.service`, 'inside main', s.get('stop'), via);
    }

    // (b) The same operation from a persistent API client.
    for (const node of ['worker1', 'main']) {
      const r = await apiClient(cluster, `--node ${node} --unit bench.service`);
      add(`API UnitJob start ${node} bench.service`, 'client in main', r.start, 'one connection');
      add(`API UnitJob stop ${node} bench.service`, 'client in main', r.stop, 'one connection');
    }

    // (h) The same job through the public D-Bus API org.eclipse.bluechi, from
    // one persistent dbus-next connection to main's system bus: StartUnit, then
    // the Controller's JobRemoved of that job (match rule added before the
    // first call), then StopUnit likewise. Also the time until each reply.
    {
      const r = await dbusClient(cluster, '--node worker1 --unit bench.service');
      add('D-Bus Node.StartUnit worker1 bench.service, until JobRemoved', 'client in main', r.start, 'one connection');
      add('D-Bus Node.StopUnit worker1 bench.service, until JobRemoved', 'client in main', r.stop, 'one connection');
      add('D-Bus Node.StartUnit worker1 bench.service, until the reply', 'client in main', r.startReply, 'job accepted');
      add('D-Bus Node.StopUnit worker1 bench.service, until the reply', 'client in main', r.stopReply, 'job accepted');
      console.log(`[bench] D-Bus client: start and stop both "done" in ${r.done}/${r.runs} rounds`);
    }

    // (g) The same job by `busctl call`, which returns with the job path, i.e.
    // once systemd on worker1 accepted the job, not when it finished. Between
    // the timed calls the loop waits (untimed) until the unit is active, and
    // after the timed StopUnit until it is inactive again, so every call finds
    // the unit settled. Last, two trivial busctl calls: one to the controller
    // (busctl's process start plus one round trip to the controller) and one
    // the bus daemon answers itself (busctl's process start alone, with its
    // connection to the bus).
    {
      const node = 'org.eclipse.bluechi /org/eclipse/bluechi/node/worker1 org.eclipse.bluechi.Node';
      const waitFor = (state: string) =>
        `for ((w = 0; w < 400; w++)); do [ "$(busctl call ${node} GetUnitProperty sss bench.service org.freedesktop.systemd1.Unit ActiveState)" = 'v s "${state}"' ] && break; sleep 0.005; done`;
      const s = await timeLoop(main, `mark bstart0; busctl call ${node} StartUnit ss bench.service replace >/dev/null; mark bstart1
${waitFor('active')}
if [ "$w" -lt 400 ] && [ "$i" -ge ${WARMUP} ]; then echo "$i active-ok 0"; fi
mark bstop0; busctl call ${node} StopUnit ss bench.service replace >/dev/null; mark bstop1
${waitFor('inactive')}
mark bstatus0; busctl get-property org.eclipse.bluechi /org/eclipse/bluechi org.eclipse.bluechi.Controller Status >/dev/null; mark bstatus1
mark bid0; busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId >/dev/null; mark bid1`);
      add('busctl call ... Node StartUnit worker1 bench.service', 'inside main', s.get('bstart'), 'returns at the job path');
      add('busctl call ... Node StopUnit worker1 bench.service', 'inside main', s.get('bstop'), 'returns at the job path');
      add('busctl get-property ... Controller Status', 'inside main', s.get('bstatus'), 'busctl start + one controller round trip');
      add('busctl call ... org.freedesktop.DBus GetId', 'inside main', s.get('bid'), 'busctl start, bus daemon only');
      const active = s.lines.filter((l) => / active-ok /.test(l)).length;
      console.log(`[bench] busctl StartUnit: bench.service active after ${active}/${RUNS} runs`);
    }

    // (c) The physical baseline on the node itself.
    {
      const s = await timeLoop(worker1, `mark start0; systemctl start bench.service; mark start1
mark stop0; systemctl stop bench.service; mark stop1`);
      add('systemctl start bench.service', 'inside worker1', s.get('start'));
      add('systemctl stop bench.service', 'inside worker1', s.get('stop'));
    }

    // (d) Cross-node proxy: xsrc on main requires xtgt on worker1. Between
    // rounds, wait (untimed) until the proxy has wound down, so each start is cold.
    {
      const s = await timeLoop(main, `mark start0; bluechictl start main xsrc.service >/dev/null; mark start1
if [ "$(systemctl is-active xsrc.service)" = active ] && [ "$i" -ge ${WARMUP} ]; then echo "$i active-ok 0"; fi
mark stop0; bluechictl stop main xsrc.service >/dev/null; mark stop1
for ((w = 0; w < 400; w++)); do [ "$(systemctl is-active bluechi-proxy@worker1_xtgt.service)" = inactive ] && break; sleep 0.005; done`);
      add('bluechictl start main xsrc.service', 'inside main', s.get('start'), 'cross-node proxy, cold');
      add('bluechictl stop main xsrc.service', 'inside main', s.get('stop'), 'cross-node proxy');
      const active = s.lines.filter((l) => / active-ok /.test(l)).length;
      console.log(`[bench] CLI proxy start: xsrc.service active after ${active}/${RUNS} runs`);
    }
    {
      const r = await apiClient(cluster, '--node main --unit xsrc.service --verify --settle main:bluechi-proxy@worker1_xtgt.service');
      add('API UnitJob start main xsrc.service', 'client in main', r.start, 'cross-node proxy, cold');
      add('API UnitJob stop main xsrc.service', 'client in main', r.stop, 'cross-node proxy');
      console.log(`[bench] API proxy start: xsrc.service active after ${r.activeAfterStart}/${r.runs} runs`);
    }

    // (d') Baselines for the proxy path on the same machine: the whole proxy
    // chain started by systemctl itself (no API round trip), the same shape
    // with both units on one node (no proxy), and one busctl call into the
    // agent (what the bluechi-proxy helper costs besides its wait).
    {
      const s = await timeLoop(main, `mark xs0; systemctl start xsrc.service; mark xs1
systemctl stop xsrc.service
for ((w = 0; w < 400; w++)); do [ "$(systemctl is-active bluechi-proxy@worker1_xtgt.service)" = inactive ] && break; sleep 0.005; done
mark xl0; systemctl start xlocal.service; mark xl1
systemctl stop xlocal.service
mark bus0; busctl get-property org.eclipse.bluechi.Agent /org/eclipse/bluechi org.eclipse.bluechi.Agent Status >/dev/null; mark bus1`);
      add('systemctl start xsrc.service', 'inside main', s.get('xs'), 'proxy chain without the API');
      add('systemctl start xlocal.service', 'inside main', s.get('xl'), 'same shape, one node, no proxy');
      add('busctl get-property ... Agent Status', 'inside main', s.get('bus'), 'one helper D-Bus round trip');
    }
    {
      const r = await apiClient(cluster, '--node main --unit xlocal.service --verify');
      add('API UnitJob start main xlocal.service', 'client in main', r.start, 'same shape, one node, no proxy');
    }

    // (e) Queries, and what a bare Node start costs.
    {
      const s = await timeLoop(main, `mark status0; bluechictl status >/dev/null; mark status1
mark lu0; bluechictl list-units worker1 >/dev/null; mark lu1
mark lua0; bluechictl list-units >/dev/null; mark lua1
mark version0; bluechictl version >/dev/null; mark version1
mark node0; node -e 0; mark node1`);
      add('bluechictl status', 'inside main', s.get('status'), '3 nodes');
      add('bluechictl list-units worker1', 'inside main', s.get('lu'));
      add('bluechictl list-units', 'inside main', s.get('lua'), '3 nodes');
      add('bluechictl version', 'inside main', s.get('version'), 'no connection');
      add('node -e 0', 'inside main', s.get('node'), 'Node start-up alone');
    }
    const units = await cluster.ctl('list-units worker1');
    console.log(`[bench] list-units worker1 returned ${units.stdout.split('\n').length - 3} units\n`);
    printTable(rows);
  } finally {
    await stopCluster();
  }
}

runMain('bench', main);
