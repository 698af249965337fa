/**
 * `npm run bench -- proxy-trace`: where the time of a cross-node proxy start
 * goes. Boots the same three-node cluster as bench/run.ts, then runs, inside
 * main, WARMUP + RUNS rounds of
 *
 *   systemctl start xsrc.service     (xsrc requires bluechi-proxy@worker1_xtgt)
 *   systemctl stop xsrc.service, wait (untimed) until the proxy is inactive
 *   systemctl start xlocal.service   (the same shape on one node, no proxy)
 *   systemctl stop xlocal.service
 *
 * and prints both series and their difference (the proxy path's own cost).
 * After each start (untimed) it reads systemd's own timestamps of every unit
 * of the chain (when its job began, when it became active; worker1's target
 * through the controller), which carry no logging delay, and prints the spans
 * between them. Then it reads the journals of main and worker1 (systemd's
 * job messages and the daemons' log lines, each with journald's microsecond
 * receive time; all containers share the host's clock) and prints, per hop,
 * the median offset of each event from the start of its round:
 *
 *   main   systemd   Starting bluechi-proxy@worker1_xtgt.service
 *   main   agent     CreateProxy request               (helper reached the agent)
 *   main   ctrl      registered new proxy              (ProxyNew arrived)
 *   worker1 agent    Starting dependency bluechi-dep@  (StartDep arrived)
 *   worker1 systemd  Starting/Finished xtgt.service
 *   main   agent     Replying ... successfully          (target state arrived)
 *   main   systemd   Finished bluechi-proxy@..., Starting/Finished xsrc.service
 *
 * and the same for the API client's starts (StartUnit through the
 * controller), counted from the proxy unit's start. It also times, on worker1,
 * a cold start of the target through bluechi-dep@ against one of the target
 * alone, and inside main what the helper's D-Bus call costs (dbus-send alone,
 * in a shell as the helper runs it, and /bin/true for a bare process start).
 *
 * Nothing is asserted. Environment: BENCH_RUNS (default 30), BENCH_WARMUP (3).
 */
import type { SystemdNode } from '../test/harness/systemd-container.js';
import { apiClientBundle, CLIENT_PATH, ONESHOT, printTable, RUNS, stats, timeLoop, WARMUP, type Row, runMain } from './lib.js';
import { startBenchCluster } from './bench-cluster.js';

const PROXY = 'bluechi-proxy@worker1_xtgt.service';
const XSRC = `[Unit]\nRequires=${PROXY}\nAfter=${PROXY}\n\n${ONESHOT}`;
const XTGT = `[Unit]\nStopWhenUnneeded=yes\n\n${ONESHOT}`;
const XLOCAL = `[Unit]\nRequires=xltgt.service\nAfter=xltgt.service\n\n${ONESHOT}`;

type Entry = { t: number; unit: string; pid: string; msg: string };

/** Journal entries since `sinceSec` (epoch seconds), with receive times in ms. */
async function journal(node: SystemdNode, sinceSec: number): Promise<Entry[]> {
  const r = await node.exec(`journalctl -q -o json --since=@${Math.floor(sinceSec)} --output-fields=MESSAGE,UNIT,_SYSTEMD_UNIT,_PID`);
  if (r.exitCode !== 0) throw new Error(`journalctl failed on ${node.name}: ${r.stderr}`);
  const out: Entry[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const j = JSON.parse(line) as Record<string, unknown>;
    if (typeof j.MESSAGE !== 'string') continue;
    out.push({
      t: Number(j.__REALTIME_TIMESTAMP) / 1000,
      unit: String(j._PID === '1' ? (j.UNIT ?? '') : (j._SYSTEMD_UNIT ?? '')),
      pid: String(j._PID ?? ''),
      msg: j.MESSAGE,
    });
  }
  return out;
}

type Probe = { label: string; node: 'main' | 'worker1'; match: (e: Entry) => boolean };

const pid1 = (unit: string, verb: RegExp) => (e: Entry) => e.pid === '1' && e.unit === unit && verb.test(e.msg);
const daemon = (unit: string, msg: RegExp) => (e: Entry) => e.pid !== '1' && e.unit === unit && msg.test(e.msg);

const PROBES: Probe[] = [
  { label: 'main systemd: Starting bluechi-proxy@', node: 'main', match: pid1(PROXY, /^Starting /) },
  { label: 'main agent: CreateProxy received', node: 'main', match: daemon('bluechi-agent.service', /CreateProxy request/) },
  { label: 'controller: ProxyNew received', node: 'main', match: daemon('bluechi-controller.service', /registered new proxy/) },
  { label: 'worker1 agent: StartDep received', node: 'worker1', match: daemon('bluechi-agent.service', /Starting dependency|Starting .*xtgt/) },
  { label: 'worker1 systemd: Starting xtgt', node: 'worker1', match: pid1('xtgt.service', /^Starting /) },
  { label: 'worker1 systemd: Finished xtgt', node: 'worker1', match: pid1('xtgt.service', /^(Finished|Started) /) },
  { label: 'worker1 systemd: Finished bluechi-dep@', node: 'worker1', match: pid1('bluechi-dep@xtgt.service', /^(Finished|Started) /) },
  { label: 'main agent: replies to the helper', node: 'main', match: daemon('bluechi-agent.service', /Replying to .* successfully/) },
  { label: 'main systemd: Finished bluechi-proxy@', node: 'main', match: pid1(PROXY, /^(Finished|Started) /) },
  { label: 'main systemd: Starting xsrc', node: 'main', match: pid1('xsrc.service', /^Starting /) },
  { label: 'main systemd: Finished xsrc', node: 'main', match: pid1('xsrc.service', /^(Finished|Started) /) },
];

/** The same events of the one-node baseline (xlocal requires xltgt). */
const LOCAL_PROBES: Probe[] = [
  { label: 'main systemd: Starting xltgt', node: 'main', match: pid1('xltgt.service', /^Starting /) },
  { label: 'main systemd: Finished xltgt', node: 'main', match: pid1('xltgt.service', /^(Finished|Started) /) },
  { label: 'main systemd: Starting xlocal', node: 'main', match: pid1('xlocal.service', /^Starting /) },
  { label: 'main systemd: Finished xlocal', node: 'main', match: pid1('xlocal.service', /^(Finished|Started) /) },
];

type Round = { t0: number; t1: number; round?: string };

/** Rounds of the series `label` (its `label0`/`label1` marks), warm-ups dropped. */
function rounds(lines: string[], label: string): Round[] {
  const out: Round[] = [];
  const begin = new Map<string, number>();
  for (const line of lines) {
    const [round, mark, time] = line.split(' ');
    if (!round || Number(round) < WARMUP) continue;
    if (mark === `${label}0`) begin.set(round, Number(time) * 1000);
    if (mark === `${label}1` && begin.has(round)) out.push({ t0: begin.get(round)!, t1: Number(time) * 1000, round });
  }
  return out;
}

/**
 * Rounds anchored at each occurrence of `anchor` between `from` and `to` (ms):
 * for starts timed outside the shell (the API client), offsets then count
 * from the proxy unit's start. Warm-up rounds are dropped.
 */
function anchored(entries: Entry[], anchor: Probe, from: number, to: number): Round[] {
  const at = entries.filter((e) => e.t >= from && e.t <= to && anchor.match(e)).map((e) => e.t);
  return at.slice(WARMUP).map((t, i) => ({ t0: t, t1: (at[WARMUP + i + 1] ?? to) - 5 }));
}

/** systemd's own unit timestamps per round: round -> unit -> [left inactive, became active] (ms). */
function unitTimes(lines: string[]): Map<string, Map<string, [number, number]>> {
  const out = new Map<string, Map<string, [number, number]>>();
  for (const line of lines) {
    const [round, tag, unit, a, b] = line.split(' ');
    if (tag !== 'sd' || !round || !unit || Number(round) < WARMUP) continue;
    const byUnit = out.get(round) ?? new Map<string, [number, number]>();
    byUnit.set(unit, [Number(a) / 1000, Number(b) / 1000]);
    out.set(round, byUnit);
  }
  return out;
}

/**
 * Spans between systemd's own timestamps (no journald delay): each step is
 * [label, from, to] with points 'mark0'/'mark1' (the shell's marks) or
 * 'UNIT.in' (left inactive: its job began) / 'UNIT.up' (became active).
 */
function unitSpans(title: string, lines: string[], label: string, steps: Array<[string, string, string]>): void {
  const times = unitTimes(lines);
  const marks = new Map(rounds(lines, label).map((r) => [r.round, r] as const));
  const samples = new Map<string, number[]>();
  times.forEach((byUnit, round) => {
    const r = marks.get(round);
    const at = (point: string): number | undefined => {
      if (point === 'mark0') return r?.t0;
      if (point === 'mark1') return r?.t1;
      const [unit, which] = point.split('.');
      const t = byUnit.get(unit!);
      return t ? t[which === 'in' ? 0 : 1] : undefined;
    };
    for (const [name, from, to] of steps) {
      const a = at(from);
      const b = at(to);
      if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) continue;
      samples.set(name, [...(samples.get(name) ?? []), b - a]);
    }
  });
  console.log(`\n${title} (systemd's own unit timestamps, ms)`);
  console.log('| span | n | median | min–max |');
  console.log('|---|--:|--:|--:|');
  for (const [name] of steps) {
    const v = samples.get(name);
    if (!v) continue;
    const st = stats(v);
    console.log(`| ${name} | ${st.n} | ${st.median.toFixed(1)} | ${st.min.toFixed(1)}–${st.max.toFixed(1)} |`);
  }
}

/** Per round, the time from the first event matching `from` to the first matching `to` after it. */
function span(rs: Round[], entries: Entry[], from: Probe, to: Probe): number[] {
  const out: number[] = [];
  for (const { t0, t1 } of rs) {
    const a = entries.find((x) => x.t >= t0 && x.t <= t1 + 5 && from.match(x));
    const b = a && entries.find((x) => x.t >= a.t && x.t <= t1 + 5 && to.match(x));
    if (a && b) out.push(b.t - a.t);
  }
  return out;
}

/**
 * Per event: its offset from the round's start, and the step from the
 * previous event of the same round (medians of per-round values).
 */
function trace(title: string, probes: Probe[], rs: Round[], journals: Record<'main' | 'worker1', Entry[]>): void {
  const offsets = new Map<string, number[]>();
  const steps = new Map<string, number[]>();
  for (const { t0, t1 } of rs) {
    let prev: number | undefined = 0;
    for (const p of probes) {
      const e = journals[p.node].find((x) => x.t >= t0 && x.t <= t1 + 5 && p.match(x));
      if (!e) {
        prev = undefined;
        continue;
      }
      const at = e.t - t0;
      offsets.set(p.label, [...(offsets.get(p.label) ?? []), at]);
      if (prev !== undefined) steps.set(p.label, [...(steps.get(p.label) ?? []), at - prev]);
      prev = at;
    }
  }
  console.log(`\n${title} (ms from the start of the round; journald receive times)`);
  console.log('| event | n | offset median | offset min–max | step from previous event, median | step min–max |');
  console.log('|---|--:|--:|--:|--:|--:|');
  const f = (x: number) => x.toFixed(1);
  for (const p of probes) {
    const o = offsets.get(p.label);
    const st = steps.get(p.label);
    if (!o) {
      console.log(`| ${p.label} | 0 | | | | |`);
      continue;
    }
    const a = stats(o);
    const b = st ? stats(st) : undefined;
    console.log(`| ${p.label} | ${a.n} | ${f(a.median)} | ${f(a.min)}–${f(a.max)} | ${b ? f(b.median) : ''} | ${b ? `${f(b.min)}–${f(b.max)}` : ''} |`);
  }
}

async function main(): Promise<void> {
  const { cluster, stop: stopCluster } = await startBenchCluster('proxy-trace');
  try {
    const main = cluster.main;
    const worker1 = cluster.node('worker1');
    await Promise.all([
      worker1.writeUnit('xtgt.service', XTGT),
      main.writeUnit('xsrc.service', XSRC),
      main.writeUnit('xlocal.service', XLOCAL),
      main.writeUnit('xltgt.service', XTGT),
    ]);
    const since = Date.now() / 1000 - 1;
    console.log(`[proxy-trace] measuring, ${RUNS} rounds after ${WARMUP} warm-ups...`);
    // After each start (untimed), systemd's own timestamps of the units
    // (CLOCK_REALTIME, µs): when each left inactive (its job began) and when
    // it became active. worker1's target is read through the controller.
    const sdTimes = `sd() { printf '%s sd %s %s %s\\n' "$i" "$1" $(busctl get-property org.freedesktop.systemd1 "/org/freedesktop/systemd1/unit/$2" org.freedesktop.systemd1.Unit InactiveExitTimestamp ActiveEnterTimestamp | cut -d' ' -f2); }
remote() { printf '%s sd %s' "$i" "$1"; for p in InactiveExitTimestamp ActiveEnterTimestamp; do printf ' %s' "$(busctl call org.eclipse.bluechi /org/eclipse/bluechi/node/$2 org.eclipse.bluechi.Node GetUnitProperty sss "$3" org.freedesktop.systemd1.Unit $p | cut -d' ' -f3)"; done; echo; }`;
    const s = await timeLoop(main, `${sdTimes}
mark xs0; systemctl start xsrc.service; mark xs1
if [ "$(systemctl is-active xsrc.service)" = active ] && [ "$i" -ge ${WARMUP} ]; then echo "$i active-ok 0"; fi
sd proxy bluechi_2dproxy_40worker1_5fxtgt_2eservice; sd xsrc xsrc_2eservice; remote xtgt worker1 xtgt.service
systemctl stop xsrc.service
for ((w = 0; w < 400; w++)); do [ "$(systemctl is-active ${PROXY})" = inactive ] && break; sleep 0.005; done
sleep 0.05
mark xl0; systemctl start xlocal.service; mark xl1
sd xltgt xltgt_2eservice; sd xlocal xlocal_2eservice
systemctl stop xlocal.service
sleep 0.05
mark ds0; dbus-send --system --print-reply --dest=org.eclipse.bluechi.Agent /org/eclipse/bluechi org.freedesktop.DBus.Properties.Get string:org.eclipse.bluechi.Agent string:Status >/dev/null; mark ds1
mark sh0; sh -c 'out=$(dbus-send --system --print-reply --dest=org.eclipse.bluechi.Agent /org/eclipse/bluechi org.freedesktop.DBus.Properties.Get string:org.eclipse.bluechi.Agent string:Status 2>&1 >/dev/null)'; mark sh1
mark true0; /bin/true; mark true1`);
    const xs = s.get('xs')!;
    const xl = s.get('xl')!;
    const rows: Row[] = [
      { what: 'systemctl start xsrc.service', where: 'inside main', samples: xs, note: 'cross-node proxy, cold' },
      { what: 'systemctl start xlocal.service', where: 'inside main', samples: xl, note: 'same shape, one node' },
      { what: 'proxy path: xsrc minus xlocal, same round', where: 'inside main', samples: xs.map((v, i) => v - (xl[i] ?? NaN)) },
      { what: 'dbus-send Get Agent Status', where: 'inside main', samples: s.get('ds')!, note: "one call like the helper's" },
      { what: "sh -c 'out=$(dbus-send … Get …)'", where: 'inside main', samples: s.get('sh')!, note: "the helper's shape: a shell and one dbus-send" },
      { what: '/bin/true', where: 'inside main', samples: s.get('true')!, note: 'a process start alone' },
    ];
    // The same start from a persistent API client (as bluechictl does it):
    // StartUnit xsrc on main through the controller, until its JobRemoved.
    await main.writeFile(CLIENT_PATH, apiClientBundle());
    const apiFrom = Date.now();
    const api = await main.exec(`node ${CLIENT_PATH} --runs ${RUNS} --warmup ${WARMUP} --node main --unit xsrc.service --verify --settle main:${PROXY}`);
    const apiTo = Date.now();
    if (api.exitCode !== 0) throw new Error(`api-client failed: ${api.stderr}`);
    const apiXs = JSON.parse(api.stdout) as { start: number[]; activeAfterStart: number };
    const apiXl = await main.exec(`node ${CLIENT_PATH} --runs ${RUNS} --warmup ${WARMUP} --node main --unit xlocal.service --verify`);
    if (apiXl.exitCode !== 0) throw new Error(`api-client failed: ${apiXl.stderr}`);
    rows.push(
      { what: 'API start main xsrc.service', where: 'client in main', samples: apiXs.start, note: `cross-node proxy, cold; active ${apiXs.activeAfterStart}/${RUNS}` },
      { what: 'API start main xlocal.service', where: 'client in main', samples: (JSON.parse(apiXl.stdout) as { start: number[] }).start, note: 'same shape, one node' },
    );

    // The target side alone, on worker1: what starting the target through
    // bluechi-dep@ costs against starting it directly (both cold: the units are
    // collected between rounds).
    const w = await timeLoop(worker1, `mark dep0; systemctl start bluechi-dep@xtgt.service; mark dep1
systemctl stop bluechi-dep@xtgt.service xtgt.service
sleep 0.05
mark tgt0; systemctl start xtgt.service; mark tgt1
systemctl stop xtgt.service
sleep 0.05`);
    rows.push(
      { what: 'systemctl start bluechi-dep@xtgt.service', where: 'inside worker1', samples: w.get('dep')!, note: 'target via the holder, cold' },
      { what: 'systemctl start xtgt.service', where: 'inside worker1', samples: w.get('tgt')!, note: 'target alone, cold' },
    );
    const active = s.lines.filter((l) => / active-ok /.test(l)).length;
    console.log(`[proxy-trace] xsrc.service active after ${active}/${RUNS} starts`);

    // Per-hop trace from the journals.
    const journals = { main: await journal(main, since), worker1: await journal(worker1, since) };

    const byLabel = (list: Probe[], label: string) => list.find((p) => p.label.endsWith(label))!;
    const proxyStart = byLabel(PROBES, 'Starting bluechi-proxy@');
    const proxyDone = byLabel(PROBES, 'Finished bluechi-proxy@');
    const xsRounds = rounds(s.lines, 'xs');
    const apiRounds = anchored(journals.main, proxyStart, apiFrom, apiTo);
    rows.push(
      { what: 'bluechi-proxy@ Starting -> Finished, systemctl rounds', where: 'journal of main', samples: span(xsRounds, journals.main, proxyStart, proxyDone) },
      { what: 'bluechi-proxy@ Starting -> Finished, API rounds', where: 'journal of main', samples: span(apiRounds, journals.main, proxyStart, proxyDone) },
      {
        what: 'xltgt Starting -> Finished (its local counterpart)',
        where: 'journal of main',
        samples: span(rounds(s.lines, 'xl'), journals.main, byLabel(LOCAL_PROBES, 'Starting xltgt'), byLabel(LOCAL_PROBES, 'Finished xltgt')),
      },
    );
    printTable(rows);
    trace('Cross-node proxy start, systemctl start xsrc.service', PROBES, xsRounds, journals);
    trace('Cross-node proxy start from the API client, from the proxy unit starting', PROBES, apiRounds, journals);
    unitSpans('Cross-node proxy start, systemctl start xsrc.service', s.lines, 'xs', [
      ['systemctl start -> proxy job begins (main)', 'mark0', 'proxy.in'],
      ['proxy job begins -> target job begins (worker1)', 'proxy.in', 'xtgt.in'],
      ['target job begins -> target active (worker1)', 'xtgt.in', 'xtgt.up'],
      ['target active (worker1) -> proxy active (main)', 'xtgt.up', 'proxy.up'],
      ['proxy job begins -> proxy active (the whole proxy)', 'proxy.in', 'proxy.up'],
      ['proxy active -> xsrc job begins', 'proxy.up', 'xsrc.in'],
      ['xsrc job begins -> xsrc active', 'xsrc.in', 'xsrc.up'],
      ['xsrc active -> systemctl returns', 'xsrc.up', 'mark1'],
    ]);
    unitSpans('Same shape on one node, systemctl start xlocal.service', s.lines, 'xl', [
      ['systemctl start -> xltgt job begins', 'mark0', 'xltgt.in'],
      ['xltgt job begins -> xltgt active', 'xltgt.in', 'xltgt.up'],
      ['xltgt active -> xlocal job begins', 'xltgt.up', 'xlocal.in'],
      ['xlocal job begins -> xlocal active', 'xlocal.in', 'xlocal.up'],
      ['xlocal active -> systemctl returns', 'xlocal.up', 'mark1'],
    ]);
    trace('Same shape on one node, systemctl start xlocal.service', LOCAL_PROBES, rounds(s.lines, 'xl'), journals);
  } finally {
    await stopCluster();
  }
}

runMain('proxy-trace', main);
