/**
 * org.eclipse.bluechi.Node's properties and error names (reference §2.1,
 * §2.2), read with busctl and dbus-send on the controller's node: Name,
 * Status, PeerIp and the last-seen times of a connected and of a stopped
 * agent; systemd's errors passed through; InvalidArgs for bad signatures, job
 * modes and unit names; UnknownObject for paths that hold no object; and
 * org.eclipse.bluechi.Offline from every method of an offline node while its
 * properties stay readable (before its arguments are even checked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { BusCtl, NODE_IFACE, interfaceBlock, memberNames, nodePath } from './support/busctl.js';

const WORKER_PATH = nodePath('worker1');
const UNIT = 'present.service';
const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';
const OFFLINE = { name: 'org.eclipse.bluechi.Offline', message: 'Node is offline' };

/** Every Node method with dbus-send arguments of the right types (StartTransientUnit and SetUnitProperties need busctl). */
const METHODS_FOR_DBUS_SEND: Array<[string, string[]]> = [
  ['StartUnit', [`string:${UNIT}`, 'string:replace']],
  ['StopUnit', [`string:${UNIT}`, 'string:replace']],
  ['RestartUnit', [`string:${UNIT}`, 'string:replace']],
  ['ReloadUnit', [`string:${UNIT}`, 'string:replace']],
  ['FreezeUnit', [`string:${UNIT}`]],
  ['ThawUnit', [`string:${UNIT}`]],
  ['KillUnit', [`string:${UNIT}`, 'string:main', 'int32:9']],
  ['GetUnitProperties', [`string:${UNIT}`, 'string:']],
  ['GetUnitProperty', [`string:${UNIT}`, 'string:org.freedesktop.systemd1.Unit', 'string:ActiveState']],
  ['EnableUnitFiles', [`array:string:${UNIT}`, 'boolean:false', 'boolean:false']],
  ['DisableUnitFiles', [`array:string:${UNIT}`, 'boolean:false']],
  ['ListUnits', []],
  ['ListUnitFiles', []],
  ['GetUnitFileState', [`string:${UNIT}`]],
  ['Reload', []],
  ['ResetFailed', []],
  ['ResetFailedUnit', [`string:${UNIT}`]],
  ['SetLogLevel', ['string:DEBUG']],
  ['GetDefaultTarget', []],
  ['SetDefaultTarget', ['string:multi-user.target', 'boolean:false']],
];

describe('org.eclipse.bluechi.Node properties and errors over busctl', () => {
  let cluster: Cluster;
  let worker: SystemdNode;
  let bus: BusCtl;

  const props = async () => bus.getAll(WORKER_PATH, NODE_IFACE) as Promise<{ Name: string; Status: string; PeerIp: string; LastSeenTimestamp: number; LastSeenTimestampMonotonic: number }>;
  /** CLOCK_REALTIME and CLOCK_MONOTONIC on main now, in µs (node's hrtime is CLOCK_MONOTONIC). */
  const clocks = async () => {
    const { stdout } = await cluster.main.run(`date +%s%6N; node -e 'console.log(String(process.hrtime.bigint() / 1000n))'`);
    const [real, mono] = stdout.trim().split('\n').map(Number);
    return { real: real!, mono: mono! };
  };
  const systemdError = async (method: string, ...args: string[]) => {
    const r = await worker.exec(`dbus-send --system --print-reply --dest=org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager.${method} ${args.join(' ')}`);
    const m = /^Error (\S+): (.*)$/s.exec(r.stderr.trim());
    return { name: m?.[1], message: m?.[2] };
  };

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'], agentConf: { worker1: 'HeartbeatInterval=500' } });
    worker = cluster.node('worker1');
    bus = new BusCtl(cluster.main);
    await worker.writeUnit(UNIT, '[Service]\nExecStart=/bin/sleep 1000\n');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('a connected node shows its Name, Status online, the peer IP and when it was last seen, in realtime and monotonic µs', async () => {
    const p = await props();
    const after = await clocks();
    expect(p.Name).toBe('worker1');
    expect(p.Status).toBe('online');
    expect(p.PeerIp).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(p.LastSeenTimestamp).toBeGreaterThan(0);
    expect(p.LastSeenTimestamp).toBeLessThanOrEqual(after.real);
    expect(p.LastSeenTimestampMonotonic).toBeGreaterThan(0);
    expect(p.LastSeenTimestampMonotonic).toBeLessThanOrEqual(after.mono);

  });

  it('LastSeenTimestamp and LastSeenTimestampMonotonic move on with the heartbeats', async () => {
    const first = await props();
    const later = await waitFor('the next heartbeat', async () => {
      const p = await props();
      return p.LastSeenTimestamp > first.LastSeenTimestamp && p;
    });
    expect(later.LastSeenTimestampMonotonic).toBeGreaterThan(first.LastSeenTimestampMonotonic);
  });

  it('introspecting a node object shows the interface of the shipped XML file, with the members of reference §2.2', async () => {
    const live = interfaceBlock(await bus.introspect(WORKER_PATH), NODE_IFACE);
    expect(live).toBe(interfaceBlock((await cluster.main.run(`cat /usr/share/dbus-1/interfaces/${NODE_IFACE}.xml`)).stdout, NODE_IFACE));
    expect(memberNames(live, 'method')).toEqual([...METHODS_FOR_DBUS_SEND.map(([m]) => m), 'SetUnitProperties', 'StartTransientUnit'].sort());
    expect(memberNames(live, 'property')).toEqual(['LastSeenTimestamp', 'LastSeenTimestampMonotonic', 'Name', 'PeerIp', 'Status']);
  });

  it("an unknown unit gets systemd's own error, name and text", async () => {
    const start = await bus.error(WORKER_PATH, `${NODE_IFACE}.StartUnit`, 'string:nosuch.service', 'string:replace');
    expect(start).toEqual(await systemdError('StartUnit', 'string:nosuch.service', 'string:replace'));
    expect(start.name).toBe('org.freedesktop.systemd1.NoSuchUnit');

    const kill = await bus.error(WORKER_PATH, `${NODE_IFACE}.KillUnit`, 'string:nosuch.service', 'string:main', 'int32:9');
    expect(kill).toEqual(await systemdError('KillUnit', 'string:nosuch.service', 'string:main', 'int32:9'));
    expect(kill.name).toBe('org.freedesktop.systemd1.NoSuchUnit');

    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.GetUnitFileState`, 'string:nosuch.service')).toEqual(
      await systemdError('GetUnitFileState', 'string:nosuch.service'),
    );
  });

  it('arguments of the wrong signature are InvalidArgs naming the expected one', async () => {
    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.StartUnit`, `string:${UNIT}`)).toEqual({
      name: INVALID_ARGS,
      message: "Invalid arguments 's' to call org.eclipse.bluechi.Node.StartUnit(), expecting 'ss'.",
    });
    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.KillUnit`, `string:${UNIT}`, 'string:main', 'string:9')).toEqual({
      name: INVALID_ARGS,
      message: "Invalid arguments 'sss' to call org.eclipse.bluechi.Node.KillUnit(), expecting 'ssi'.",
    });
    expect(await bus.callFails(WORKER_PATH, NODE_IFACE, 'SetUnitProperties', 'sb', UNIT, 'true')).toBe(
      "Invalid arguments 'sb' to call org.eclipse.bluechi.Node.SetUnitProperties(), expecting 'sba(sv)'.",
    );
    expect((await bus.busctl('call', 'org.eclipse.bluechi', WORKER_PATH, NODE_IFACE, 'GetDefaultTarget', 's', 'extra')).stderr).toBe(
      "Call failed: Invalid arguments 's' to call org.eclipse.bluechi.Node.GetDefaultTarget(), expecting ''.\n",
    );
  });

  it('an invalid job mode or unit name is InvalidArgs, and nothing is started', async () => {
    const mode = await bus.error(WORKER_PATH, `${NODE_IFACE}.StartUnit`, `string:${UNIT}`, 'string:bogus');
    expect(mode.name).toBe(INVALID_ARGS);
    expect(mode.message).toMatch(/mode/i);
    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.StartUnit`, 'string:present', 'string:replace')).toEqual({
      name: INVALID_ARGS,
      message: 'Unit name present is not valid.',
    });
    expect((await worker.exec(`systemctl is-active ${UNIT}`)).stdout).toBe('inactive\n');
  });

  it('a path that holds no object is UnknownObject', async () => {
    for (const path of [nodePath('nope'), '/org/eclipse/bluechi/job/4242', '/org/eclipse/bluechi/monitor/4242']) {
      expect(await bus.error(path, 'org.freedesktop.DBus.Properties.GetAll', 'string:')).toEqual({
        name: 'org.freedesktop.DBus.Error.UnknownObject',
        message: `Unknown object '${path}'.`,
      });
    }
    expect(await bus.error(nodePath('nope'), `${NODE_IFACE}.ListUnits`)).toMatchObject({ name: 'org.freedesktop.DBus.Error.UnknownObject' });
  });

  it('a stopped agent makes its node offline: every method is refused with org.eclipse.bluechi.Offline, the properties stay readable', async () => {
    const online = await props();
    await worker.run('systemctl stop bluechi-agent');
    const offline = await waitFor('worker1 offline', async () => {
      const p = await props();
      return p.Status === 'offline' && p;
    });
    expect(offline.Name).toBe('worker1');
    expect(offline.PeerIp).toBe('');
    expect(offline.LastSeenTimestamp).toBeGreaterThanOrEqual(online.LastSeenTimestamp);

    for (const [method, args] of METHODS_FOR_DBUS_SEND) {
      expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.${method}`, ...args), method).toEqual(OFFLINE);
    }
    expect(await bus.callFails(WORKER_PATH, NODE_IFACE, 'SetUnitProperties', 'sba(sv)', UNIT, 'true', '1', 'Description', 's', 'x')).toBe(OFFLINE.message);
    expect(
      await bus.callFails(WORKER_PATH, NODE_IFACE, 'StartTransientUnit', 'ssa(sv)a(sa(sv))', 'x.service', 'replace', '1', 'ExecStart', 'a(sasb)', '1', '/bin/true', '1', '/bin/true', 'false', '0'),
    ).toBe(OFFLINE.message);
    // As upstream's bus filter: before the arguments are looked at.
    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.StartUnit`, `string:${UNIT}`, 'string:bogus'), 'bad mode').toEqual(OFFLINE);
    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.StartUnit`, `string:${UNIT}`), 'bad signature').toEqual(OFFLINE);
    expect((await props()).LastSeenTimestamp).toBe(offline.LastSeenTimestamp);

    await worker.run('systemctl start bluechi-agent');
    await waitFor('worker1 online again', async () => (await props()).Status === 'online');
    expect((await props()).PeerIp).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});
