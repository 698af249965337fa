/**
 * Smoke check of the real SystemdManager (dbus-manager.ts) against a real systemd.
 *
 * Build once, then run on a host with Docker; the script boots a scratch systemd
 * container, runs itself inside it as root, and removes the container:
 *
 *   npx esbuild packages/agent/scripts/systemd-smoke.ts --bundle --platform=node \
 *     --format=esm --conditions=source --external:usocket --external:x11 --outfile=/tmp/systemd-smoke.mjs \
 *     "--banner:js=import{createRequire}from'module';const require=createRequire(import.meta.url);"
 *   node /tmp/systemd-smoke.mjs --docker
 *
 * Inside a systemd container or VM (root, PID 1 is systemd): `node systemd-smoke.mjs`.
 * It writes smoke-*.service units into /etc/systemd/system and, as its last check,
 * kills the bus daemon; never run it on a machine you care about.
 * Prints one `ok`/`not ok` line per check and the timings; exits 1 on any failure.
 * Env: BLUECHI_TS_BASE_IMAGE (default bluechi-ts/systemd-base:bookworm-r3), SMOKE_CYCLES (50).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectSystemd } from '../src/systemd/dbus-next-port.js';
import type { UnitOp } from '@bluechi-ts/protocol';
import { DbusValueError } from '@bluechi-ts/protocol';
import { DBUS_ERRORS, SystemdError, type SystemdManager, type UnitStateEvent } from '../src/systemd/manager.js';
import { unitNameFromPath, unitObjectPath } from '../src/systemd/unit-path.js';

const UNITS: Record<string, string> = {
  'smoke-ok.service': 'Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\nExecReload=/bin/true',
  'smoke-noreload.service': 'Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true',
  'smoke-fail.service': 'Type=oneshot\nExecStart=/bin/false',
  'smoke-hang.service': 'Type=oneshot\nExecStart=/bin/sleep infinity',
};

let failures = 0;
function check(name: string, pass: boolean, detail: unknown = ''): void {
  if (!pass) failures++;
  const d = typeof detail === 'string' ? detail : JSON.stringify(detail);
  console.log(`${pass ? 'ok' : 'not ok'} - ${name}${d ? ` (${d})` : ''}`);
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; text: string } | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof SystemdError) return { name: e.dbusName, text: e.message };
    return { name: 'not-SystemdError', text: String(e) };
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function run(m: SystemdManager, u: string, op: UnitOp): Promise<string> {
  const job = await m.queueJob(op, u, 'replace');
  return job.done;
}

async function lifecycle(m: SystemdManager): Promise<void> {
  const events: UnitStateEvent[] = [];
  m.onStateChanged((e) => events.push(e));
  check('start oneshot -> done', (await run(m, 'smoke-ok.service', 'start')) === 'done');
  await new Promise((r) => setTimeout(r, 50));
  const seen = events.filter((e) => e.unit === 'smoke-ok.service').map((e) => `${e.activeState}/${e.subState}`);
  check('state events during start', seen.includes('active/exited'), seen);
  check('reload active unit -> done', (await run(m, 'smoke-ok.service', 'reload')) === 'done');
  check('restart -> done', (await run(m, 'smoke-ok.service', 'restart')) === 'done');
  check('stop -> done', (await run(m, 'smoke-ok.service', 'stop')) === 'done');
  const { properties: inactive } = await m.getUnitProperties('smoke-ok.service');
  check('stopped unit is inactive/dead', inactive.ActiveState === 'inactive' && inactive.SubState === 'dead');
  const r = await run(m, 'smoke-ok.service', 'reload');
  check('reload of inactive unit -> invalid', r === 'invalid', r);
  check('failing unit -> failed', (await run(m, 'smoke-fail.service', 'start')) === 'failed');
  const same = await Promise.all(Array.from({ length: 10 }, () => m.queueJob('start', 'smoke-ok.service', 'replace')));
  const results = await Promise.all(same.map((j) => j.done));
  const distinct = new Set(same.map((j) => j.jobPath)).size;
  check('10 concurrent starts all settle done', results.every((x) => x === 'done'), `${distinct} distinct jobs`);
  await run(m, 'smoke-ok.service', 'stop');
}

async function errors(m: SystemdManager): Promise<void> {
  const { NO_SUCH_UNIT, JOB_TYPE_NOT_APPLICABLE, INVALID_ARGS } = DBUS_ERRORS;
  const job = (op: UnitOp, unit: string, mode = 'replace') => () => m.queueJob(op, unit, mode);
  const cases: Array<[string, () => Promise<unknown>, string, string]> = [
    ['start unknown', job('start', 'nosuch.service'), NO_SUCH_UNIT, 'Unit nosuch.service not found.'],
    ['restart unknown', job('restart', 'nosuch.service'), NO_SUCH_UNIT, 'Unit nosuch.service not found.'],
    ['reload unknown', job('reload', 'nosuch.service'), NO_SUCH_UNIT, 'Unit nosuch.service not found.'],
    ['stop unknown', job('stop', 'nosuch.service'), NO_SUCH_UNIT, 'Unit nosuch.service not loaded.'],
    [
      'reload without ExecReload',
      job('reload', 'smoke-noreload.service'),
      JOB_TYPE_NOT_APPLICABLE,
      'Job type reload is not applicable for unit smoke-noreload.service.',
    ],
    ['bad job mode', job('start', 'smoke-ok.service', 'bogus'), INVALID_ARGS, 'Job mode bogus invalid'],
    ['bad unit name', job('start', 'bad name'), INVALID_ARGS, 'Unit name bad name is not valid.'],
    ['NUL in unit name (never sent)', job('start', 'a\u0000b.service'), INVALID_ARGS, 'String contains null byte'],
    [
      'template without instance',
      job('start', 'foo@.service'),
      INVALID_ARGS,
      'Unit name foo@.service is missing the instance name.',
    ],
    [
      'unknown interface',
      () => m.getUnitProperties('smoke-ok.service', 'org.freedesktop.systemd1.Socket'),
      'org.freedesktop.DBus.Error.UnknownInterface',
      "Unknown interface 'org.freedesktop.systemd1.Socket'.",
    ],
  ];
  for (const [name, call, dbusName, text] of cases) {
    const err = await errorOf(call());
    check(`error: ${name}`, err?.name === dbusName && err.text === text, err ?? 'no error');
  }
}

async function listing(m: SystemdManager): Promise<void> {
  const units = await m.listUnits();
  const out = execFileSync('systemctl', ['list-units', '--all', '--no-legend', '--plain'], { encoding: 'utf8' });
  const names = out.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)[0]);
  const ours = new Set(units.map((u) => u.name));
  const missing = names.filter((n) => !ours.has(n));
  const counts = { listUnits: units.length, systemctl: names.length, missing };
  check('listUnits covers systemctl list-units --all', missing.length === 0, counts);
  const badPaths = units.filter(
    (u) => u.unitPath !== unitObjectPath(u.name) || unitNameFromPath(u.unitPath) !== u.name,
  );
  check('unit paths escape and unescape like systemd', badPaths.length === 0, badPaths.map((u) => u.unitPath));
  const failed = units.find((u) => u.name === 'smoke-fail.service');
  check('listUnits row', failed?.activeState === 'failed' && failed.jobId === 0 && failed.jobPath === '/', failed ?? 'missing');
}

async function properties(m: SystemdManager): Promise<void> {
  const { properties: p } = await m.getUnitProperties('smoke-noreload.service');
  check('properties of inactive unit', p.LoadState === 'loaded' && p.ActiveState === 'inactive', `${Object.keys(p).length} keys`);
  check('UINT64_MAX becomes a string', p.TimeoutStartUSec === '18446744073709551615', p.TimeoutStartUSec);
  check('64-bit values become numbers', p.TimeoutStopUSec === 90_000_000, p.TimeoutStopUSec);
  check('properties are plain JSON', JSON.stringify(JSON.parse(JSON.stringify(p))) === JSON.stringify(p));
  const { properties: unitOnly } = await m.getUnitProperties('smoke-noreload.service', 'org.freedesktop.systemd1.Unit');
  check('one interface only', 'ActiveState' in unitOnly && !('ExecStart' in unitOnly), `${Object.keys(unitOnly).length} keys`);
  const { properties: nf } = await m.getUnitProperties('nosuch.service');
  check('properties of unknown unit: not-found', nf.LoadState === 'not-found' && nf.ActiveState === 'inactive', nf.LoadError);
}

async function typedValues(m: SystemdManager): Promise<void> {
  const NO_SUCH = DBUS_ERRORS.NO_SUCH_UNIT;
  const SERVICE = 'org.freedesktop.systemd1.Service';
  const UNIT = 'org.freedesktop.systemd1.Unit';
  const stop = await m.getUnitProperty('smoke-noreload.service', SERVICE, 'TimeoutStopUSec');
  check('getUnitProperty of a t', stop.signature === 't' && stop.value === 90_000_000, stop);
  const exec = await m.getUnitProperty('smoke-noreload.service', SERVICE, 'ExecStart');
  const row = Array.isArray(exec.value) ? exec.value[0] : undefined;
  check('getUnitProperty of ExecStart', exec.signature === 'a(sasbttttuii)' && Array.isArray(row) && row[0] === '/bin/true', exec);
  await m.setUnitProperties('smoke-noreload.service', true, [
    { name: 'Description', signature: 's', value: 'smoke set' },
    { name: 'CPUWeight', signature: 't', value: 77 },
  ]);
  const [desc, weight] = await Promise.all([
    m.getUnitProperty('smoke-noreload.service', UNIT, 'Description'),
    m.getUnitProperty('smoke-noreload.service', SERVICE, 'CPUWeight'),
  ]);
  check('setUnitProperties changes the values', desc.value === 'smoke set' && weight.value === 77, { desc, weight });

  const active = new Promise<void>((resolve) =>
    m.onStateChanged((e) => e.unit === 'smoke-transient.service' && e.activeState === 'active' && resolve()),
  );
  const jobPath = await m.startTransientUnit(
    'smoke-transient.service',
    'replace',
    [
      { name: 'Description', signature: 's', value: 'smoke transient' },
      { name: 'ExecStart', signature: 'a(sasb)', value: [['/bin/sleep', ['/bin/sleep', '300'], false]] },
    ],
    [],
  );
  check('startTransientUnit answers with a job path', /^\/org\/freedesktop\/systemd1\/job\/\d+$/.test(jobPath), jobPath);
  await active;
  const { properties: tp } = await m.getUnitProperties('smoke-transient.service', UNIT);
  check('the transient unit runs', tp.SubState === 'running' && tp.Description === 'smoke transient', { sub: tp.SubState, d: tp.Description });

  const exec1 = [{ name: 'ExecStart', signature: 'a(sasb)', value: [['/bin/true', ['/bin/true'], false]] }];
  const cases: Array<[string, () => Promise<unknown>, string, string]> = [
    [
      'unknown property',
      () => m.getUnitProperty('smoke-ok.service', UNIT, 'Nope'),
      'org.freedesktop.DBus.Error.UnknownProperty',
      'Unknown interface org.freedesktop.systemd1.Unit or property Nope.',
    ],
    [
      'set a read-only property',
      () => m.setUnitProperties('smoke-ok.service', true, [{ name: 'ActiveState', signature: 's', value: 'x' }]),
      'org.freedesktop.DBus.Error.PropertyReadOnly',
      'Cannot set property ActiveState, or unknown property.',
    ],
    ['set on an unknown unit', () => m.setUnitProperties('nosuch.service', true, []), NO_SUCH, 'Unit nosuch.service not found.'],
    [
      'transient unit that exists',
      () => m.startTransientUnit('smoke-transient.service', 'replace', exec1, []),
      'org.freedesktop.systemd1.UnitExists',
      'Unit smoke-transient.service was already loaded or has a fragment file.',
    ],
    ['transient with a bad mode', () => m.startTransientUnit('smoke-t2.service', 'bogus', exec1, []), DBUS_ERRORS.INVALID_ARGS, 'Job mode bogus is invalid.'],
    [
      'transient service without ExecStart',
      () => m.startTransientUnit('smoke-t3.service', 'replace', [], []),
      'org.freedesktop.systemd1.BadUnitSetting',
      'Unit smoke-t3.service has a bad unit file setting.',
    ],
  ];
  for (const [name, call, dbusName, text] of cases) {
    const err = await errorOf(call());
    check(`error: ${name}`, err?.name === dbusName && err.text === text, err ?? 'no error');
  }
  const misfit = await m.setUnitProperties('smoke-ok.service', true, [{ name: 'CPUWeight', signature: 't', value: 'x' }]).catch((e: unknown) => e);
  check('a value that does not fit its type never reaches systemd', misfit instanceof DbusValueError, String(misfit));
  await run(m, 'smoke-transient.service', 'stop');
}

async function timing(m: SystemdManager, cycles: number): Promise<void> {
  const cycle: number[] = [], start: number[] = [], stop: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const t0 = performance.now();
    const a = await run(m, 'smoke-ok.service', 'start');
    const t1 = performance.now();
    const b = await run(m, 'smoke-ok.service', 'stop');
    const t2 = performance.now();
    if (a !== 'done' || b !== 'done') check(`cycle ${i}`, false, { a, b });
    start.push(t1 - t0);
    stop.push(t2 - t1);
    cycle.push(t2 - t0);
  }
  const f = (x: number) => `${x.toFixed(2)} ms`;
  const medians = `median cycle ${f(median(cycle))}, start ${f(median(start))}, stop ${f(median(stop))}`;
  check(`${cycles} start/stop cycles`, true, `${medians}, max cycle ${f(Math.max(...cycle))}`);
  const timed = async (fn: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await fn();
      xs.push(performance.now() - t0);
    }
    return f(median(xs));
  };
  const props = await timed(() => m.getUnitProperties('smoke-ok.service'));
  const list = await timed(() => m.listUnits());
  check('query timings', true, `median getUnitProperties (all interfaces) ${props}, listUnits ${list}`);
}

async function closing(): Promise<void> {
  const m = await connectSystemd();
  let told = false;
  m.onDisconnect(() => (told = true));
  const job = await m.queueJob('start', 'smoke-hang.service', 'replace');
  await m.close();
  check('close() settles a waiting job as canceled', (await job.done) === 'canceled');
  check('close() does not report a disconnect', !told);
  const again = await connectSystemd();
  await run(again, 'smoke-hang.service', 'stop');
  await again.close();
}

async function busLoss(): Promise<void> {
  const m = await connectSystemd();
  const disconnected = new Promise<Error>((r) => m.onDisconnect(r));
  const job = await m.queueJob('start', 'smoke-hang.service', 'replace');
  execFileSync('systemctl', ['kill', '--signal=KILL', 'dbus.service']);
  const reason = await disconnected;
  check('bus loss is reported', reason instanceof Error, reason.message);
  check('bus loss settles a waiting job as canceled', (await job.done) === 'canceled');
  const err = await errorOf(m.listUnits());
  check('calls after bus loss reject as Disconnected', err?.name === DBUS_ERRORS.DISCONNECTED, err);
}

async function inside(): Promise<void> {
  for (const [name, body] of Object.entries(UNITS)) {
    writeFileSync(`/etc/systemd/system/${name}`, `[Unit]\nDescription=${name}\n[Service]\n${body}\n`);
  }
  execFileSync('systemctl', ['daemon-reload']);
  const t0 = performance.now();
  const m = await connectSystemd();
  check('connect + Subscribe', true, `${(performance.now() - t0).toFixed(1)} ms`);
  await lifecycle(m);
  await errors(m);
  await listing(m);
  await properties(m);
  await typedValues(m);
  await timing(m, Number(process.env.SMOKE_CYCLES ?? 50));
  await m.close();
  await closing();
  await busLoss();
}

function inDocker(): void {
  const image = process.env.BLUECHI_TS_BASE_IMAGE ?? 'bluechi-ts/systemd-base:bookworm-r3';
  const self = fileURLToPath(import.meta.url);
  const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
  const id = docker(
    'run', '-d', '--label', 'bluechi-ts.scratch=systemd-smoke',
    '--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined',
    '--tmpfs', '/run', '--tmpfs', '/run/lock', '--tmpfs', '/tmp',
    '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw', '--cgroupns=host', '--network', 'host',
    '-v', `${process.execPath}:/usr/bin/node:ro`, '-v', `${self}:/smoke.mjs:ro`, image,
  );
  try {
    for (let i = 0; ; i++) {
      let state = '';
      try {
        const probe = ['exec', id, 'systemctl', 'is-system-running'];
        state = execFileSync('docker', probe, { encoding: 'utf8', stdio: 'pipe' }).trim();
      } catch (e) {
        state = String((e as { stdout?: string }).stdout ?? '').trim();
      }
      if (state === 'running' || state === 'degraded') break;
      if (i > 100) throw new Error(`systemd in ${id} did not boot: ${state}`);
      execFileSync('sleep', ['0.2']);
    }
    const cycles = `SMOKE_CYCLES=${process.env.SMOKE_CYCLES ?? 50}`;
    execFileSync('docker', ['exec', '-e', cycles, id, 'node', '/smoke.mjs'], { stdio: 'inherit' });
  } catch {
    failures++;
  } finally {
    docker('rm', '-f', id);
  }
}

if (process.argv.includes('--docker')) {
  inDocker();
  process.exit(failures ? 1 : 0);
} else if (!existsSync('/run/systemd/system')) {
  console.error('systemd is not PID 1 here; run with --docker, or inside a systemd container');
  process.exit(2);
} else {
  const deadline = setTimeout(() => {
    console.log('not ok - smoke run did not finish within 120 s');
    process.exit(1);
  }, 120_000);
  inside().then(
    () => {
      clearTimeout(deadline);
      console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
      process.exit(failures ? 1 : 0);
    },
    (e: unknown) => {
      console.log(`not ok - crashed: ${e instanceof Error ? e.stack : String(e)}`);
      process.exit(1);
    },
  );
}
