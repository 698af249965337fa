/**
 * org.eclipse.bluechi.Node, the methods about unit files and the node's
 * service manager (reference §2.2), called with busctl on the controller's
 * node: EnableUnitFiles, DisableUnitFiles, GetUnitFileState, ListUnits,
 * ListUnitFiles, Reload, SetLogLevel (the agent's level), GetDefaultTarget and
 * SetDefaultTarget. What they did is read with systemctl on that node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { BusCtl, NODE_IFACE, nodePath } from './support/busctl.js';

const WORKER_PATH = nodePath('worker1');
const MAIN_PATH = nodePath(MAIN);
const INSTALLABLE = 'installable.service';
const INSTALLABLE_UNIT = '[Unit]\nDescription=Installable\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n';

type UnitRow = [string, string, string, string, string, string, string, number, string, string];

describe('org.eclipse.bluechi.Node unit files and manager over busctl', () => {
  let cluster: Cluster;
  let worker: SystemdNode;
  let bus: BusCtl;

  const node = (member: string, signature = '', ...args: string[]) => bus.call(WORKER_PATH, NODE_IFACE, member, signature, ...args);
  const isEnabled = async (unit: string) => (await worker.exec(`systemctl is-enabled ${unit}`)).stdout.trim();

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    worker = cluster.node('worker1');
    bus = new BusCtl(cluster.main);
    await worker.writeUnit(INSTALLABLE, INSTALLABLE_UNIT);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('EnableUnitFiles and DisableUnitFiles answer with the changes systemd made, and GetUnitFileState follows', async () => {
    const wants = `/etc/systemd/system/multi-user.target.wants/${INSTALLABLE}`;
    expect(await node('GetUnitFileState', 's', INSTALLABLE)).toEqual(['disabled']);

    expect(await node('EnableUnitFiles', 'asbb', '1', INSTALLABLE, 'false', 'false')).toEqual([
      true,
      [['symlink', wants, `/etc/systemd/system/${INSTALLABLE}`]],
    ]);
    expect(await isEnabled(INSTALLABLE)).toBe('enabled');
    expect(await node('GetUnitFileState', 's', INSTALLABLE)).toEqual(['enabled']);

    expect(await node('DisableUnitFiles', 'asb', '1', INSTALLABLE, 'false')).toEqual([[['unlink', wants, '']]]);
    expect(await isEnabled(INSTALLABLE)).toBe('disabled');
    expect(await node('GetUnitFileState', 's', INSTALLABLE)).toEqual(['disabled']);
  });

  it('EnableUnitFiles and DisableUnitFiles with runtime true work below /run', async () => {
    const wants = `/run/systemd/system/multi-user.target.wants/${INSTALLABLE}`;
    expect(await node('EnableUnitFiles', 'asbb', '1', INSTALLABLE, 'true', 'false')).toEqual([
      true,
      [['symlink', wants, `/etc/systemd/system/${INSTALLABLE}`]],
    ]);
    expect(await isEnabled(INSTALLABLE)).toBe('enabled-runtime');
    expect(await node('GetUnitFileState', 's', INSTALLABLE)).toEqual(['enabled-runtime']);
    expect(await node('DisableUnitFiles', 'asb', '1', INSTALLABLE, 'true')).toEqual([[['unlink', wants, '']]]);
    expect(await isEnabled(INSTALLABLE)).toBe('disabled');
  });

  it("ListUnits of a node gives that node's units as systemctl list-units --all shows them", async () => {
    await worker.run(`systemctl start ${INSTALLABLE}`);
    const [workerUnits] = (await node('ListUnits')) as [UnitRow[]];
    const [mainUnits] = (await bus.call(MAIN_PATH, NODE_IFACE, 'ListUnits')) as [UnitRow[]];

    const { stdout } = await worker.run(`systemctl list-units --all --plain --no-legend --full dbus.service ${INSTALLABLE}`);
    const expected = stdout.trim().split('\n').map((line) => {
      const [unit = '', load, active, sub, ...description] = line.trim().split(/\s+/);
      return [unit, description.join(' '), load, active, sub];
    });
    expect(expected.map(([unit]) => unit)).toEqual(['dbus.service', INSTALLABLE]);
    for (const row of expected) expect(workerUnits.map((r) => r.slice(0, 5))).toContainEqual(row);
    expect(workerUnits.find((r) => r[0] === INSTALLABLE)).toEqual([
      INSTALLABLE, 'Installable', 'loaded', 'active', 'running', '', '/org/freedesktop/systemd1/unit/installable_2eservice', 0, '', '/',
    ]);
    // The controller runs on main only, the test unit exists on worker1 only.
    expect(mainUnits.map((r) => r[0])).toContain('bluechi-controller.service');
    expect(mainUnits.map((r) => r[0])).not.toContain(INSTALLABLE);
    expect(workerUnits.map((r) => r[0])).not.toContain('bluechi-controller.service');
  });

  it("ListUnitFiles of a node gives that node's unit files with their states", async () => {
    const [files] = (await node('ListUnitFiles')) as [Array<[string, string]>];
    expect(files).toContainEqual([`/etc/systemd/system/${INSTALLABLE}`, 'disabled']);
    const agentFile = files.find(([path]) => path.endsWith('/bluechi-agent.service'));
    expect(agentFile?.[1]).toBe(await isEnabled('bluechi-agent.service'));
    const [mainFiles] = (await bus.call(MAIN_PATH, NODE_IFACE, 'ListUnitFiles')) as [Array<[string, string]>];
    expect(mainFiles.map(([path]) => path)).not.toContain(`/etc/systemd/system/${INSTALLABLE}`);
  });

  it('Reload makes systemd on the node read an edited unit file', async () => {
    const description = async () => (await node('GetUnitProperty', 'sss', INSTALLABLE, 'org.freedesktop.systemd1.Unit', 'Description'))[0];
    await worker.writeFile(`/etc/systemd/system/${INSTALLABLE}`, INSTALLABLE_UNIT.replace('Description=Installable', 'Description=Edited'));
    expect(await description()).toEqual({ type: 's', data: 'Installable' });
    expect((await worker.run(`systemctl show -P NeedDaemonReload ${INSTALLABLE}`)).stdout).toBe('yes\n');

    expect(await node('Reload')).toEqual([]);
    expect(await description()).toEqual({ type: 's', data: 'Edited' });
    expect((await worker.run(`systemctl show -P NeedDaemonReload ${INSTALLABLE}`)).stdout).toBe('no\n');
  });

  it("SetLogLevel sets the node's agent's level, which its own D-Bus API then reports; an invalid level is InvalidArgs", async () => {
    const agentLevel = async () =>
      (await worker.run('busctl get-property org.eclipse.bluechi.Agent /org/eclipse/bluechi org.eclipse.bluechi.Agent LogLevel')).stdout;
    expect(await agentLevel()).toBe('s "INFO"\n');

    expect(await node('SetLogLevel', 's', 'DEBUG')).toEqual([]);
    expect(await agentLevel()).toBe('s "DEBUG"\n');
    await waitFor('the agent to log its new level', async () =>
      (await worker.exec('journalctl --no-pager -o cat -u bluechi-agent')).stdout.split('\n').includes('Log level set to DEBUG'),
    );
    // The controller's own level is not the node's.
    expect(await bus.get('/org/eclipse/bluechi', 'org.eclipse.bluechi.Controller', 'LogLevel')).toBe('INFO');

    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.SetLogLevel`, 'string:LOUD')).toEqual({
      name: 'org.freedesktop.DBus.Error.InvalidArgs',
      message: 'Invalid input for log level',
    });
    expect(await agentLevel()).toBe('s "DEBUG"\n');
    await node('SetLogLevel', 's', 'INFO');
    expect(await agentLevel()).toBe('s "INFO"\n');
  });

  it('GetDefaultTarget and SetDefaultTarget read and change the default target as systemctl get-default sees it', async () => {
    const before = (await worker.run('systemctl get-default')).stdout.trim();
    expect(await node('GetDefaultTarget')).toEqual([before]);

    const target = before === 'multi-user.target' ? 'graphical.target' : 'multi-user.target';
    const [changes] = (await node('SetDefaultTarget', 'sb', target, 'false')) as [Array<[string, string, string]>];
    expect(changes).toContainEqual(['symlink', '/etc/systemd/system/default.target', `/lib/systemd/system/${target}`]);
    expect((await worker.run('systemctl get-default')).stdout.trim()).toBe(target);
    expect(await node('GetDefaultTarget')).toEqual([target]);

    // default.target is now our symlink: without force systemd refuses to replace it, in its own words.
    expect(await bus.callFails(WORKER_PATH, NODE_IFACE, 'SetDefaultTarget', 'sb', before, 'false')).toBe(
      `File /etc/systemd/system/default.target already exists and is a symlink to /lib/systemd/system/${target}.`,
    );
    const direct = await worker.exec(
      `dbus-send --system --print-reply --dest=org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager.SetDefaultTarget string:${before} boolean:false`,
    );
    const viaBluechi = await bus.error(WORKER_PATH, `${NODE_IFACE}.SetDefaultTarget`, `string:${before}`, 'boolean:false');
    expect(`Error ${viaBluechi.name}: ${viaBluechi.message}`).toBe(direct.stderr.trim());
    const [forced] = (await node('SetDefaultTarget', 'sb', before, 'true')) as [Array<[string, string, string]>];
    expect(forced).toContainEqual(['symlink', '/etc/systemd/system/default.target', `/lib/systemd/system/${before}`]);
    expect((await worker.run('systemctl get-default')).stdout.trim()).toBe(before);
  });
});
