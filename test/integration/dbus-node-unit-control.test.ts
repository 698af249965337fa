/**
 * org.eclipse.bluechi.Node, the methods that control units (reference §2.2),
 * called with busctl on the controller's node against a worker: StartUnit,
 * StopUnit, RestartUnit, ReloadUnit, StartTransientUnit, FreezeUnit, ThawUnit,
 * KillUnit, ResetFailed, ResetFailedUnit, GetUnitProperties, GetUnitProperty
 * and SetUnitProperties. What they did is read on the worker with systemctl,
 * and systemd's own answers over its own D-Bus API are the reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { BusCtl, NODE_IFACE, nodePath, showUnit, type Variant } from './support/busctl.js';

const WORKER_PATH = nodePath('worker1');
const JOB_PATH = /^\/org\/eclipse\/bluechi\/job\/[1-9][0-9]*$/;
const SYSTEMD_JOB_PATH = /^\/org\/freedesktop\/systemd1\/job\/[1-9][0-9]*$/;

const SLEEPER = 'sleeper.service';
const SLEEPER_UNIT =
  '[Unit]\nDescription=Sleeps\n[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/sh -c "echo reloaded >> /tmp/sleeper-reloads"\n';
const failing = (n: number) => `fails${n}.service`;

describe('org.eclipse.bluechi.Node unit control over busctl', () => {
  let cluster: Cluster;
  let worker: SystemdNode;
  let bus: BusCtl;

  const node = (member: string, signature = '', ...args: string[]) => bus.call(WORKER_PATH, NODE_IFACE, member, signature, ...args);
  const state = (unit: string) => showUnit(worker, unit, 'ActiveState', 'SubState', 'Result', 'MainPID');
  const waitState = (unit: string, active: string) =>
    waitFor(`${unit} ${active} on worker1`, async () => {
      const s = await state(unit);
      return s.ActiveState === active && s;
    });
  /** systemd's own answer on the worker (Manager method, dbus-send arguments): the error, or null on success. */
  const systemdError = async (method: string, ...args: string[]) => {
    const r = await worker.exec(
      `dbus-send --system --print-reply --dest=org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager.${method} ${args.join(' ')}`,
    );
    const m = /^Error (\S+): (.*)$/s.exec(r.stderr.trim());
    return r.exitCode === 0 ? null : { name: m?.[1], message: m?.[2] };
  };

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    worker = cluster.node('worker1');
    bus = new BusCtl(cluster.main);
    await worker.writeFile(`/etc/systemd/system/${SLEEPER}`, SLEEPER_UNIT);
    for (const n of [1, 2]) await worker.writeFile(`/etc/systemd/system/${failing(n)}`, '[Service]\nType=oneshot\nExecStart=/bin/false\n');
    await worker.run('systemctl daemon-reload');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('StartUnit, ReloadUnit, RestartUnit and StopUnit each return a new job path and drive the unit on the node', async () => {
    const [start] = (await node('StartUnit', 'ss', SLEEPER, 'replace')) as [string];
    expect(start).toMatch(JOB_PATH);
    const started = await waitState(SLEEPER, 'active');
    expect(started.SubState).toBe('running');

    const [reload] = (await node('ReloadUnit', 'ss', SLEEPER, 'replace')) as [string];
    await waitFor('the reload command to run', async () => (await worker.exec('cat /tmp/sleeper-reloads')).stdout === 'reloaded\n');

    const [restart] = (await node('RestartUnit', 'ss', SLEEPER, 'replace')) as [string];
    const restarted = await waitFor('a new main process', async () => {
      const s = await state(SLEEPER);
      return s.ActiveState === 'active' && s.MainPID !== started.MainPID && s.MainPID !== '0' && s;
    });
    expect(restarted.SubState).toBe('running');

    const [stop] = (await node('StopUnit', 'ss', SLEEPER, 'replace')) as [string];
    expect((await waitState(SLEEPER, 'inactive')).SubState).toBe('dead');

    const ids = [start, reload, restart, stop].map((p) => Number(p.split('/').pop()));
    expect(ids).toEqual([ids[0], ids[0]! + 1, ids[0]! + 2, ids[0]! + 3]);
  });

  it("StartTransientUnit runs a transient unit on the node and answers with systemd's job path there", async () => {
    const r = await bus.busctl(
      'call', 'org.eclipse.bluechi', WORKER_PATH, NODE_IFACE, 'StartTransientUnit', 'ssa(sv)a(sa(sv))',
      'transient-sleep.service', 'replace',
      '2', 'ExecStart', 'a(sasb)', '1', '/bin/sleep', '2', '/bin/sleep', '1000', 'false', 'Description', 's', 'Transient from D-Bus',
      '0',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^o "(.*)"\n$/);
    expect(/^o "(.*)"\n$/.exec(r.stdout)![1]).toMatch(SYSTEMD_JOB_PATH);

    await waitState('transient-sleep.service', 'active');
    expect(await showUnit(worker, 'transient-sleep.service', 'Transient', 'Description', 'FragmentPath')).toEqual({
      Transient: 'yes',
      Description: 'Transient from D-Bus',
      FragmentPath: '/run/systemd/transient/transient-sleep.service',
    });
    expect((await worker.run('systemctl show -P ExecStart transient-sleep.service')).stdout).toContain('argv[]=/bin/sleep 1000 ');
    await node('StopUnit', 'ss', 'transient-sleep.service', 'replace');
    await waitFor('the transient unit to go away', async () => (await state('transient-sleep.service')).ActiveState === 'inactive');
  });

  it("FreezeUnit and ThawUnit do what systemd's FreezeUnit and ThawUnit do on the node, errors passed through as they are", async () => {
    await node('StartUnit', 'ss', SLEEPER, 'replace');
    await waitState(SLEEPER, 'active');
    const direct = await systemdError('FreezeUnit', `string:${SLEEPER}`);
    if (direct) {
      // This host's cgroup setup cannot freeze: systemd refuses, and so does BlueChi, in systemd's words.
      expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.FreezeUnit`, `string:${SLEEPER}`)).toEqual(direct);
      expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.ThawUnit`, `string:${SLEEPER}`)).toEqual(await systemdError('ThawUnit', `string:${SLEEPER}`));
      expect((await state(SLEEPER)).ActiveState).toBe('active');
    } else {
      const freezer = (want: string) =>
        waitFor(`${SLEEPER} ${want}`, async () => (await showUnit(worker, SLEEPER, 'FreezerState')).FreezerState === want);
      await systemdError('ThawUnit', `string:${SLEEPER}`);
      await freezer('running');
      await node('FreezeUnit', 's', SLEEPER);
      await freezer('frozen');
      await node('ThawUnit', 's', SLEEPER);
      await freezer('running');
    }
  });

  it('KillUnit with main and signal 9 kills the main process: the unit fails with result signal', async () => {
    await node('StartUnit', 'ss', SLEEPER, 'replace');
    await waitState(SLEEPER, 'active');
    expect(await node('KillUnit', 'ssi', SLEEPER, 'main', '9')).toEqual([]);
    expect(await waitState(SLEEPER, 'failed')).toMatchObject({ SubState: 'failed', Result: 'signal' });
  });

  it('ResetFailedUnit resets one failed unit, ResetFailed every failed unit', async () => {
    await waitState(SLEEPER, 'failed');
    expect(await node('ResetFailedUnit', 's', SLEEPER)).toEqual([]);
    expect(await state(SLEEPER)).toMatchObject({ ActiveState: 'inactive', Result: 'success' });

    for (const n of [1, 2]) {
      await node('StartUnit', 'ss', failing(n), 'replace');
      await waitState(failing(n), 'failed');
    }
    expect(await node('ResetFailed')).toEqual([]);
    for (const n of [1, 2]) expect(await state(failing(n))).toMatchObject({ ActiveState: 'inactive', Result: 'success' });
  });

  it('GetUnitProperties returns what systemd has, for all interfaces ("") or only the one named', async () => {
    await node('StartUnit', 'ss', SLEEPER, 'replace');
    await waitState(SLEEPER, 'active');
    const direct = async (iface: string) => {
      const r = await worker.run(
        `busctl --json=short call org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/sleeper_2eservice org.freedesktop.DBus.Properties GetAll s '${iface}'`,
      );
      return (JSON.parse(r.stdout) as { data: [Record<string, Variant>] }).data[0];
    };
    const types = (dict: Record<string, Variant>) => Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, v.type]));

    for (const iface of ['', 'org.freedesktop.systemd1.Unit']) {
      const [props] = (await node('GetUnitProperties', 'ss', SLEEPER, iface)) as [Record<string, Variant>];
      expect(types(props), `interface "${iface}"`).toEqual(types(await direct(iface)));
      expect(props.Id).toEqual({ type: 's', data: SLEEPER });
      expect(props.ActiveState).toEqual({ type: 's', data: 'active' });
    }
    const [all] = (await node('GetUnitProperties', 'ss', SLEEPER, '')) as [Record<string, Variant>];
    const [unitOnly] = (await node('GetUnitProperties', 'ss', SLEEPER, 'org.freedesktop.systemd1.Unit')) as [Record<string, Variant>];
    expect(all.MainPID).toEqual({ type: 'u', data: Number((await state(SLEEPER)).MainPID) });
    expect(all.ExecStart?.type).toBe('a(sasbttttuii)');
    expect(unitOnly.MainPID).toBeUndefined();
  });

  it('GetUnitProperty returns one typed value as systemd has it', async () => {
    const get = (iface: string, prop: string) => bus.busctl('call', 'org.eclipse.bluechi', WORKER_PATH, NODE_IFACE, 'GetUnitProperty', 'sss', SLEEPER, iface, prop);
    const shown = await worker.run(`systemctl show -P MainPID ${SLEEPER}; systemctl show -P ActiveEnterTimestampMonotonic ${SLEEPER}`);
    const [pid, entered] = shown.stdout.trim().split('\n');

    expect((await get('org.freedesktop.systemd1.Unit', 'ActiveState')).stdout).toBe('v s "active"\n');
    expect((await get('org.freedesktop.systemd1.Service', 'MainPID')).stdout).toBe(`v u ${pid}\n`);
    expect((await get('org.freedesktop.systemd1.Unit', 'ActiveEnterTimestampMonotonic')).stdout).toBe(`v t ${entered}\n`);
    expect((await get('org.freedesktop.systemd1.Service', 'ExecStart')).stdout).toMatch(/^v a\(sasbttttuii\) 1 "\/bin\/sleep" 2 "\/bin\/sleep" "1000" false /);
  });

  it('SetUnitProperties at run time changes what systemctl show reports, through a runtime drop-in', async () => {
    expect(await node('SetUnitProperties', 'sba(sv)', SLEEPER, 'true', '2', 'Description', 's', 'Renamed over D-Bus', 'CPUWeight', 't', '150')).toEqual([]);
    const shown = await showUnit(worker, SLEEPER, 'Description', 'CPUWeight', 'DropInPaths');
    expect(shown).toMatchObject({ Description: 'Renamed over D-Bus', CPUWeight: '150' });
    expect(shown.DropInPaths).toContain('/run/systemd/system.control/sleeper.service.d/');
  });
});
