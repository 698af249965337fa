/**
 * `npm run soak`: a long run (SOAK_MINUTES, default 10) on a three-node
 * cluster in containers, never part of `npm test`. A persistent API client in
 * main (bench/soak-client.ts) starts and stops units on all three nodes
 * without pause, including a requester on main that needs a unit on worker1
 * and one on worker2 through proxies, while this process kill -9s an agent or
 * the controller at random intervals and lets systemd start them again.
 *
 * At the end it settles (every daemon running, every node online, every test
 * unit stopped) and checks: no job result lost or duplicated, no
 * `bluechi-proxy@`/`bluechi-dep@` unit left active, the proxy targets stopped
 * once unneeded. It prints the counts and exits 1 if anything was lost,
 * duplicated or leaked.
 *
 * Environment: SOAK_MINUTES (default 10), SOAK_LANES (concurrent requests,
 * default 4), SOAK_PAUSE_MS (mean pause between one lane's requests, default
 * 60), SOAK_KILL_MIN_S / SOAK_KILL_MAX_S (interval between kills, default 5
 * and 20), SOAK_BOUND_S (how long a request may take before it counts as
 * lost, default 120), SOAK_KILL_ONLY (`controller` or `agents`: kill only
 * those; default both).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from '../test/harness/cluster.js';
import type { SystemdNode } from '../test/harness/systemd-container.js';
import { median, ONESHOT, runMain } from './lib.js';
import type { SoakCounts } from './soak-client.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const LANES = Number(process.env.SOAK_LANES ?? 4);
const PAUSE_MS = Number(process.env.SOAK_PAUSE_MS ?? 60);
const KILL_MIN_S = Number(process.env.SOAK_KILL_MIN_S ?? 5);
const KILL_MAX_S = Number(process.env.SOAK_KILL_MAX_S ?? 20);
const BOUND_S = Number(process.env.SOAK_BOUND_S ?? 120);
/** `controller` or `agents` to kill only those; anything else kills both kinds. */
const KILL_ONLY = process.env.SOAK_KILL_ONLY ?? '';

const CLIENT_PATH = '/usr/local/lib/bluechi-soak/soak-client.mjs';
const NODES = ['main', 'worker1', 'worker2'] as const;

const SLOW = '[Service]\nType=oneshot\nExecStart=/bin/sleep 0.3\nRemainAfterExit=yes\n';
const SIMPLE = '[Service]\nType=simple\nExecStart=/bin/sleep infinity\n';
const requester = (proxy: string) =>
  `[Unit]\nRequires=${proxy}\nAfter=${proxy}\n\n[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n`;
const TARGET = '[Unit]\nStopWhenUnneeded=yes\n\n[Service]\nType=simple\nExecStart=/bin/sleep infinity\n';
/** A proxy waiting for an unreachable target gives up well inside the bound. */
const PROXY_TIMEOUT = '[Service]\nTimeoutStartSec=30s\n';

/** Units on every node, started and stopped at random. */
const COMMON: Record<string, string> = { 'soak-oneshot.service': ONESHOT, 'soak-slow.service': SLOW, 'soak-simple.service': SIMPLE };
/** main's requesters and the proxies they pull in. */
const REQUESTERS: Record<string, string> = {
  'soak-req1.service': 'bluechi-proxy@worker1_soak-tgt.service',
  'soak-req2.service': 'bluechi-proxy@worker2_soak-tgt.service',
};

type Daemon = { node: (typeof NODES)[number]; unit: 'bluechi-controller' | 'bluechi-agent' };
const DAEMONS: Daemon[] = [
  { node: 'main', unit: 'bluechi-controller' },
  ...NODES.map((node) => ({ node, unit: 'bluechi-agent' as const })),
];
const label = (d: Daemon) => (d.unit === 'bluechi-controller' ? 'controller' : `agent@${d.node}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inc = (m: Record<string, number>, k: string, by = 1) => (m[k] = (m[k] ?? 0) + by);

type Chaos = {
  kills: Record<string, number>;
  skipped: number;
  recoveryMs: number[];
  /** Daemons found failed after a kill, by systemd's Result, and started again by hand. */
  manualStarts: Record<string, number>;
  /** NRestarts read just before each start by hand (which sets it back to 0), by daemon. */
  restartsBeforeManual: Record<string, number>;
  notes: string[];
};

async function show(node: SystemdNode, unit: string): Promise<Record<string, string>> {
  const r = await node.exec(`systemctl show -p ActiveState,SubState,Result,MainPID,NRestarts ${unit}`);
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/**
 * Waits until the daemon runs again under a new PID. A daemon that systemd
 * gave up on (a start limit, or any failed state) is reset and started by hand,
 * which is counted and noted.
 */
async function recover(cluster: Cluster, d: Daemon, oldPid: string, chaos: Chaos, timeoutMs = 30_000): Promise<number | undefined> {
  const node = cluster.node(d.node);
  const t0 = Date.now();
  let since = t0;
  for (;;) {
    const s = await show(node, d.unit);
    if (s.ActiveState === 'active' && s.MainPID !== '0' && s.MainPID !== oldPid) return Date.now() - t0;
    const stuck = Date.now() - since > timeoutMs;
    if (s.ActiveState === 'failed' || (stuck && s.ActiveState !== 'activating')) {
      const why = s.ActiveState === 'failed' ? s.Result ?? 'failed' : `stuck ${s.ActiveState}/${s.SubState}`;
      inc(chaos.manualStarts, why);
      inc(chaos.restartsBeforeManual, label(d), Number(s.NRestarts ?? 0));
      const last = (await node.exec(`journalctl --no-pager -o cat -n 2 -u ${d.unit}`)).stdout.trim().split('\n').join(' / ');
      chaos.notes.push(`${new Date().toISOString()} ${label(d)} ${why} (journal: ${last}): reset-failed + start`);
      await node.exec(`systemctl reset-failed ${d.unit}; systemctl start ${d.unit}`);
      oldPid = '';
      since = Date.now();
    } else if (Date.now() - t0 > 3 * timeoutMs) {
      chaos.notes.push(`${new Date().toISOString()} ${label(d)} did not come back: ${JSON.stringify(s)}`);
      return undefined;
    }
    await sleep(200);
  }
}

async function chaosLoop(cluster: Cluster, until: number, chaos: Chaos): Promise<void> {
  for (;;) {
    const wait = (KILL_MIN_S + Math.random() * (KILL_MAX_S - KILL_MIN_S)) * 1000;
    if (Date.now() + wait >= until) return;
    await sleep(wait);
    const pool = DAEMONS.filter((x) =>
      KILL_ONLY === 'controller' ? x.unit === 'bluechi-controller' : KILL_ONLY === 'agents' ? x.unit === 'bluechi-agent' : true,
    );
    const d = pool[Math.floor(Math.random() * pool.length)]!;
    const node = cluster.node(d.node);
    const before = await show(node, d.unit);
    if (before.ActiveState !== 'active' || !before.MainPID || before.MainPID === '0') {
      chaos.skipped++;
      continue;
    }
    await node.exec(`kill -9 ${before.MainPID}`);
    inc(chaos.kills, label(d));
    const ms = await recover(cluster, d, before.MainPID, chaos);
    if (ms !== undefined) chaos.recoveryMs.push(ms);
    console.log(`[soak] ${new Date().toISOString().slice(11, 19)} kill -9 ${label(d)} (pid ${before.MainPID}); running again after ${ms ?? '?'} ms`);
  }
}

/** Stops every test unit through the controller, requesters first; returns the calls that failed. */
async function stopAll(cluster: Cluster): Promise<string[]> {
  const failed: string[] = [];
  const stop = async (node: string, unit: string) => {
    const r = await cluster.ctl(`stop ${node} ${unit}`);
    if (r.exitCode !== 0) failed.push(`bluechictl stop ${node} ${unit}: exit ${r.exitCode} ${r.stdout}${r.stderr}`.trim());
  };
  for (const unit of Object.keys(REQUESTERS)) await stop('main', unit);
  for (const node of NODES) for (const unit of Object.keys(COMMON)) await stop(node, unit);
  return failed;
}

type Leaks = { activeHelpers: string[]; activeTestUnits: string[]; failedHelpers: string[]; jobs: string[] };

async function leaks(cluster: Cluster): Promise<Leaks> {
  const out: Leaks = { activeHelpers: [], activeTestUnits: [], failedHelpers: [], jobs: [] };
  const list = async (node: string, args: string) => {
    const r = await cluster.node(node).exec(`systemctl ${args} --plain --no-legend`);
    return r.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter(Boolean)
      .map((u) => `${node}:${u}`);
  };
  for (const node of NODES) {
    out.activeHelpers.push(...(await list(node, `list-units 'bluechi-*@*' --state=active,activating,deactivating`)));
    out.activeTestUnits.push(...(await list(node, `list-units 'soak-*' --state=active,activating,deactivating`)));
    out.failedHelpers.push(...(await list(node, `list-units 'bluechi-*@*' --state=failed`)));
    out.jobs.push(...(await list(node, 'list-jobs')));
  }
  return out;
}

function clientBundle(): Buffer {
  return readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'soak-client.mjs'));
}

async function main(): Promise<void> {
  const client = clientBundle();
  console.log('[soak] booting the cluster (main + worker1 + worker2)...');
  const cluster = await startCluster({
    agents: ['worker1', 'worker2'],
    controllerConf: '[node main]\nAllowDependenciesOn=worker1,worker2',
  });
  const stopCluster = () => cluster.stop().catch(() => undefined);
  process.once('SIGINT', () => void stopCluster().then(() => process.exit(130)));
  let bad = true;
  try {
    const main = cluster.main;
    await main.writeFile(CLIENT_PATH, client);
    await main.writeFile('/etc/systemd/system/bluechi-proxy@.service.d/soak-timeout.conf', PROXY_TIMEOUT);
    for (const node of NODES) {
      const n = cluster.node(node);
      for (const [unit, text] of Object.entries(COMMON)) await n.writeFile(`/etc/systemd/system/${unit}`, text);
      if (node === 'main') for (const [unit, proxy] of Object.entries(REQUESTERS)) await n.writeFile(`/etc/systemd/system/${unit}`, requester(proxy));
      else await n.writeFile('/etc/systemd/system/soak-tgt.service', TARGET);
      await n.run('systemctl daemon-reload');
    }
    const targets = [
      ...NODES.flatMap((node) => Object.keys(COMMON).map((unit) => `${node}:${unit}`)),
      ...Object.keys(REQUESTERS).map((unit) => `main:${unit}`),
    ];
    const restartsBefore = Object.fromEntries(
      await Promise.all(DAEMONS.map(async (d) => [label(d), Number((await show(cluster.node(d.node), d.unit)).NRestarts ?? 0)] as const)),
    );

    const seconds = Math.round(MINUTES * 60);
    console.log(
      `[soak] ${MINUTES} min: ${LANES} lanes over ${targets.length} (node, unit) pairs, ` +
        `a kill -9 every ${KILL_MIN_S}-${KILL_MAX_S} s; a request counts as lost after ${BOUND_S} s`,
    );
    const t0 = Date.now();
    const clientRun = main.exec(
      `timeout ${seconds + BOUND_S + 120} node ${CLIENT_PATH} --seconds ${seconds} --lanes ${LANES} ` +
        `--pause-ms ${PAUSE_MS} --bound-ms ${BOUND_S * 1000} --watch ${Object.keys(REQUESTERS).join(',')} --targets ${targets.join(',')} 2>/tmp/soak-client.err`,
    );
    const chaos: Chaos = { kills: {}, skipped: 0, recoveryMs: [], manualStarts: {}, restartsBeforeManual: {}, notes: [] };
    await chaosLoop(cluster, t0 + seconds * 1000, chaos);
    console.log('[soak] chaos over; waiting for the client to finish its last requests...');
    const run = await clientRun;
    const clientLog = (await main.exec('cat /tmp/soak-client.err')).stdout;
    if (run.exitCode !== 0) throw new Error(`soak client failed (exit ${run.exitCode}):\n${run.stdout}\n${clientLog}`);
    const counts = JSON.parse(run.stdout) as SoakCounts;
    const ranMs = Date.now() - t0;

    // Settle: every daemon running, every node online, every test unit stopped.
    for (const d of DAEMONS) {
      const s = await show(cluster.node(d.node), d.unit);
      if (s.ActiveState !== 'active') await recover(cluster, d, '', chaos);
    }
    await cluster.waitOnline();
    const stopFailures = await stopAll(cluster);
    let left = await leaks(cluster);
    const settleUntil = Date.now() + 30_000;
    while ((left.activeHelpers.length > 0 || left.activeTestUnits.length > 0 || left.jobs.length > 0) && Date.now() < settleUntil) {
      await sleep(500);
      left = await leaks(cluster);
    }
    // Why proxies failed during the run: their journal lines on main, counted.
    const proxyFailures = (
      await main.exec(
        `journalctl --no-pager -o cat -u 'bluechi-proxy@*' | grep -i 'failed to activate' | ` +
          `sed -E 's/[0-9]+ ms/N ms/g' | sort | uniq -c | sort -rn | head -20`,
      )
    ).stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    // Why test units failed during the run: systemd's own lines about them, counted per node.
    const unitFailures: string[] = [];
    for (const node of NODES) {
      const r = await cluster.node(node).exec(
        `journalctl --no-pager -o cat -u 'soak-*' | grep -iE 'fail|signal|status=' | ` +
          `sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -10`,
      );
      for (const line of r.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) unitFailures.push(`${node}: ${line}`);
    }
    const restarts = Object.fromEntries(
      await Promise.all(
        DAEMONS.map(async (d) => {
          const now = Number((await show(cluster.node(d.node), d.unit)).NRestarts ?? 0);
          const carried = chaos.restartsBeforeManual[label(d)];
          // A start by hand sets NRestarts back to 0: add what it had reached by then.
          return [label(d), carried === undefined ? now - (restartsBefore[label(d)] ?? 0) : now + carried - (restartsBefore[label(d)] ?? 0)] as const;
        }),
      ),
    );

    const requestErrors = Object.values(counts.requestErrors).reduce((a, b) => a + b, 0);
    const accounted = counts.resultsTotal + requestErrors + counts.goneAfterReply + counts.lost;
    const kills = Object.values(chaos.kills).reduce((a, b) => a + b, 0);
    const fmt = (m: Record<string, number>) =>
      Object.entries(m)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none';
    console.log(`\n== soak run: ${MINUTES} min of load (${(ranMs / 60_000).toFixed(1)} min until the client finished) ==`);
    console.log(`requests            ${counts.requests} (${fmt(counts.requestsByOp)}), ${LANES} lanes`);
    console.log(`job results         ${counts.resultsTotal}: ${fmt(counts.results)}`);
    console.log(`proxy requesters    StartUnit of ${Object.keys(REQUESTERS).join(', ')}: ${fmt(counts.watchedStarts)}`);
    console.log('outcomes other than done, by request:');
    for (const [req, m] of Object.entries(counts.notDone).sort()) console.log(`  ${req.padEnd(40)} ${fmt(m)}`);
    console.log(`request errors      ${requestErrors}: ${fmt(counts.requestErrors)}`);
    console.log(`controller gone     ${counts.goneAfterReply} (job accepted, connection closed before its JobRemoved)`);
    console.log(`accounted for       ${accounted} of ${counts.requests}`);
    console.log(`lost                ${counts.lost}${counts.lostSamples.length ? `: ${counts.lostSamples.join('; ')}` : ''}`);
    console.log(`late results        ${counts.late} (JobRemoved after the request was counted lost)`);
    console.log(`duplicated          ${counts.duplicated}${counts.duplicateSamples.length ? `: ${counts.duplicateSamples.join('; ')}` : ''}`);
    console.log(`orphan results      ${counts.orphans}${counts.orphanSamples.length ? `: ${counts.orphanSamples.join('; ')}` : ''}`);
    console.log(`API connections     ${counts.connections} (longest gap ${counts.longestOutageMs} ms); jobs listed at the end ${counts.jobsLeftAtEnd ?? '?'}`);
    console.log(`kills (kill -9)     ${kills}: ${fmt(chaos.kills)}; skipped (daemon not running) ${chaos.skipped}`);
    console.log(`restarts (systemd)  ${fmt(restarts)} (NRestarts, across starts by hand)`);
    if (chaos.recoveryMs.length > 0) {
      console.log(`running again after median ${median(chaos.recoveryMs).toFixed(0)} ms, max ${Math.max(...chaos.recoveryMs)} ms (kill to active with a new PID)`);
    }
    console.log(`started by hand     ${fmt(chaos.manualStarts)}${chaos.notes.length ? `\n  ${chaos.notes.join('\n  ')}` : ''}`);
    console.log(`final stops failed  ${stopFailures.length}${stopFailures.length ? `\n  ${stopFailures.join('\n  ')}` : ''}`);
    console.log(`leaked proxy/dep    ${left.activeHelpers.length}${left.activeHelpers.length ? `: ${left.activeHelpers.join(', ')}` : ''}`);
    const targetsLeft = left.activeTestUnits.filter((u) => u.endsWith(':soak-tgt.service'));
    console.log(`proxy targets up    ${targetsLeft.length}${targetsLeft.length ? `: ${targetsLeft.join(', ')}` : ''} (soak-tgt.service, StopWhenUnneeded=yes)`);
    console.log(`test units active   ${left.activeTestUnits.length}${left.activeTestUnits.length ? `: ${left.activeTestUnits.join(', ')}` : ''}`);
    console.log(`systemd jobs left   ${left.jobs.length}${left.jobs.length ? `: ${left.jobs.join(', ')}` : ''}`);
    console.log(`proxy failures      ${proxyFailures.length === 0 ? 'none' : 'journal lines of bluechi-proxy@ on main, counted:'}${proxyFailures.map((l) => `\n  ${l}`).join('')}`);
    console.log(`test unit failures  ${unitFailures.length === 0 ? 'none' : "systemd's journal lines about soak-* units, counted:"}${unitFailures.map((l) => `\n  ${l}`).join('')}`);
    console.log(`failed proxy/dep    ${left.failedHelpers.length}${left.failedHelpers.length ? `: ${left.failedHelpers.join(', ')}` : ''} (not a leak; listed for reading)`);

    const problems = [
      counts.lost > 0 && 'lost results',
      counts.duplicated > 0 && 'duplicated results',
      accounted !== counts.requests && 'requests not accounted for',
      left.activeHelpers.length > 0 && 'leaked proxy/dep units',
      left.activeTestUnits.length > 0 && 'test units (or proxy targets) still active',
      left.jobs.length > 0 && 'systemd jobs left',
      stopFailures.length > 0 && 'final stops failed',
    ].filter(Boolean);
    bad = problems.length > 0;
    console.log(bad ? `\n[soak] FAILED: ${problems.join(', ')}` : '\n[soak] OK: nothing lost, duplicated or leaked');
    if (bad) console.log(`--- soak client log ---\n${clientLog}${await cluster.journals(40)}`);
  } finally {
    await stopCluster();
  }
  process.exit(bad ? 1 : 0);
}

runMain('soak', main);
