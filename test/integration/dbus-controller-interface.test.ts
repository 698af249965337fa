/**
 * org.eclipse.bluechi.Controller at /org/eclipse/bluechi, called with busctl
 * on the controller's node (reference §2.1): every method, property and error
 * name, the introspection against the shipped interface file, and object paths
 * of node names that need escaping (`worker-1`).
 *
 * First with every configured node online (Status up); then the controller is
 * reconfigured with a node "ghost" that never connects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeObjectPathElement } from '@bluechi-ts/protocol';
import { MAIN, startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { BusCtl, CONTROLLER, CONTROLLER_IFACE, MONITOR_IFACE, NODE_IFACE, interfaceBlock, memberNames, nodePath } from './support/busctl.js';

const WORKER = 'worker-1';
/** sd-bus escaping: every byte but letters and non-leading digits becomes _xx. */
const WORKER_PATH = nodePath('worker_2d1');
const MAIN_PATH = nodePath('main');
const GHOST_PATH = nodePath('ghost');
const PROBE = 'dbus-probe.service';

type UnitRow = [string, string, string, string, string, string, string, number, string, string];

describe('org.eclipse.bluechi.Controller over busctl', () => {
  let cluster: Cluster;
  let worker: SystemdNode;
  let bus: BusCtl;

  const status = () => bus.get(CONTROLLER, CONTROLLER_IFACE, 'Status');
  const waitStatus = (want: string) => waitFor(`controller Status ${want}`, async () => (await status()) === want);

  beforeAll(async () => {
    cluster = await startCluster({ agents: [WORKER] });
    worker = cluster.node(WORKER);
    bus = new BusCtl(cluster.main);
    await worker.writeUnit(PROBE, '[Unit]\nDescription=Probe for D-Bus listings\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n');
    await worker.run(`systemctl start ${PROBE}`);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('Status is up with every node online, degraded with one agent stopped, down with none', async () => {
    expect(await status()).toBe('up');
    await worker.run('systemctl stop bluechi-agent');
    await waitStatus('degraded');
    await cluster.main.run('systemctl stop bluechi-agent');
    await waitStatus('down');
    await worker.run('systemctl start bluechi-agent');
    await waitStatus('degraded');
    await cluster.main.run('systemctl start bluechi-agent');
    await waitStatus('up');
    await cluster.waitOnline();
  });

  it('LogTarget is journald under systemd; SetLogLevel changes LogLevel, an invalid level is InvalidArgs and changes nothing', async () => {
    expect(await bus.getAll(CONTROLLER, CONTROLLER_IFACE)).toEqual({ Status: 'up', LogLevel: 'INFO', LogTarget: 'journald' });

    await bus.call(CONTROLLER, CONTROLLER_IFACE, 'SetLogLevel', 's', 'DEBUG');
    expect(await bus.get(CONTROLLER, CONTROLLER_IFACE, 'LogLevel')).toBe('DEBUG');

    expect(await bus.error(CONTROLLER, `${CONTROLLER_IFACE}.SetLogLevel`, 'string:LOUD')).toEqual({
      name: 'org.freedesktop.DBus.Error.InvalidArgs',
      message: 'Invalid input for log level',
    });
    expect(await bus.get(CONTROLLER, CONTROLLER_IFACE, 'LogLevel')).toBe('DEBUG');

    await bus.call(CONTROLLER, CONTROLLER_IFACE, 'SetLogLevel', 's', 'INFO');
    expect(await bus.get(CONTROLLER, CONTROLLER_IFACE, 'LogLevel')).toBe('INFO');
  });

  it('EnableMetrics puts /org/eclipse/bluechi/metrics on the bus until DisableMetrics; doing either twice is InconsistentMessage', async () => {
    const METRICS = '/org/eclipse/bluechi/metrics';
    expect(await bus.tree()).not.toContain(METRICS);
    expect(await bus.error(CONTROLLER, `${CONTROLLER_IFACE}.DisableMetrics`)).toEqual({
      name: 'org.freedesktop.DBus.Error.InconsistentMessage',
      message: 'Metrics already disabled',
    });

    await bus.call(CONTROLLER, CONTROLLER_IFACE, 'EnableMetrics');
    expect(await bus.tree()).toContain(METRICS);
    expect(await bus.introspect(METRICS)).toContain('<interface name="org.eclipse.bluechi.Metrics">');
    expect(await bus.error(CONTROLLER, `${CONTROLLER_IFACE}.EnableMetrics`)).toEqual({
      name: 'org.freedesktop.DBus.Error.InconsistentMessage',
      message: 'Metrics already enabled',
    });

    await bus.call(CONTROLLER, CONTROLLER_IFACE, 'DisableMetrics');
    expect(await bus.tree()).not.toContain(METRICS);
  });

  it('CreateMonitor returns a new monitor path each time, closed once the busctl that made it leaves the bus', async () => {
    const [first] = (await bus.call(CONTROLLER, CONTROLLER_IFACE, 'CreateMonitor')) as [string];
    const [second] = (await bus.call(CONTROLLER, CONTROLLER_IFACE, 'CreateMonitor')) as [string];
    expect(first).toMatch(/^\/org\/eclipse\/bluechi\/monitor\/[1-9][0-9]*$/);
    expect(Number(second.split('/').pop())).toBe(Number(first.split('/').pop()) + 1);

    await waitFor('both monitors to be closed', async () => {
      const paths = await bus.tree();
      return !paths.includes(first) && !paths.includes(second);
    });
    expect(await bus.error(second, `${MONITOR_IFACE}.Subscribe`, 'string:*', 'string:*')).toEqual({
      name: 'org.freedesktop.DBus.Error.UnknownObject',
      message: `Unknown object '${second}'.`,
    });
  });

  it('ListUnits gives each online node the units systemctl list-units --all shows there', async () => {
    const [byNode] = (await bus.call(CONTROLLER, CONTROLLER_IFACE, 'ListUnits')) as [Record<string, UnitRow[]>];
    expect(Object.keys(byNode).sort()).toEqual([MAIN, WORKER]);

    for (const [name, node] of [[MAIN, cluster.main], [WORKER, worker]] as const) {
      const { stdout } = await node.run('systemctl list-units --all --plain --no-legend --full dbus.service bluechi-agent.service ' + PROBE);
      const expected = stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [unit = '', load, active, sub, ...description] = line.trim().split(/\s+/);
          return [unit, description.join(' '), load, active, sub];
        });
      expect(expected.map(([unit]) => unit).sort(), name).toEqual(
        name === WORKER ? ['bluechi-agent.service', 'dbus.service', PROBE].sort() : ['bluechi-agent.service', 'dbus.service'],
      );
      const rows = byNode[name]!.map((r) => [r[0], r[1], r[2], r[3], r[4]]);
      for (const row of expected) expect(rows, `${name}: ${row[0]}`).toContainEqual(row);
    }
    const probe = byNode[WORKER]!.find((r) => r[0] === PROBE);
    expect(probe).toEqual([PROBE, 'Probe for D-Bus listings', 'loaded', 'active', 'running', '', '/org/freedesktop/systemd1/unit/dbus_2dprobe_2eservice', 0, '', '/']);
    expect(byNode[MAIN]!.map((r) => r[0])).not.toContain(PROBE);
  });

  it('ListUnitFiles gives each online node its unit files with the state systemctl is-enabled shows there', async () => {
    const [byNode] = (await bus.call(CONTROLLER, CONTROLLER_IFACE, 'ListUnitFiles')) as [Record<string, Array<[string, string]>>];
    expect(Object.keys(byNode).sort()).toEqual([MAIN, WORKER]);
    for (const [name, node] of [[MAIN, cluster.main], [WORKER, worker]] as const) {
      const dbusFile = byNode[name]!.find(([path]) => path.endsWith('/dbus.service'));
      expect(dbusFile?.[1], name).toBe((await node.exec('systemctl is-enabled dbus.service')).stdout.trim());
    }
    expect(byNode[WORKER]).toContainEqual([`/etc/systemd/system/${PROBE}`, (await worker.exec(`systemctl is-enabled ${PROBE}`)).stdout.trim()]);
    expect(byNode[MAIN]!.map(([path]) => path)).not.toContain(`/etc/systemd/system/${PROBE}`);
  });

  it('introspecting /org/eclipse/bluechi shows the interface of the shipped XML file, with the members of reference §2.1', async () => {
    const live = interfaceBlock(await bus.introspect(CONTROLLER), CONTROLLER_IFACE);
    const shipped = interfaceBlock((await cluster.main.run(`cat /usr/share/dbus-1/interfaces/${CONTROLLER_IFACE}.xml`)).stdout, CONTROLLER_IFACE);
    expect(live).toBe(shipped);
    expect(memberNames(live, 'method')).toEqual(
      ['CreateMonitor', 'DisableMetrics', 'EnableMetrics', 'GetNode', 'ListNodes', 'ListUnitFiles', 'ListUnits', 'SetLogLevel'],
    );
    expect(memberNames(live, 'signal')).toEqual(['JobNew', 'JobRemoved']);
    expect(memberNames(live, 'property')).toEqual(['LogLevel', 'LogTarget', 'Status']);
  });

  describe('with a configured node that never connects', () => {
    beforeAll(async () => {
      await cluster.main.writeFile('/etc/bluechi/controller.conf.d/2.conf', `[bluechi-controller]\nAllowedNodeNames=${MAIN},${WORKER},ghost\n`);
      await cluster.main.run('systemctl restart bluechi-controller');
      await cluster.waitOnline([MAIN, WORKER]);
    });

    it('ListNodes lists every configured node with its object path, status and peer IP', async () => {
      const [nodes] = (await bus.call(CONTROLLER, CONTROLLER_IFACE, 'ListNodes')) as [Array<[string, string, string, string]>];
      expect(nodes.map(([name]) => name)).toEqual([MAIN, WORKER, 'ghost']);
      expect(nodes[0]).toEqual([MAIN, MAIN_PATH, 'online', '']); // over the controller's Unix socket
      expect(nodes[1]!.slice(0, 3)).toEqual([WORKER, WORKER_PATH, 'online']);
      expect(nodes[1]![3]).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(nodes[2]).toEqual(['ghost', GHOST_PATH, 'offline', '']);
    });

    it('Status is degraded while the ghost is offline, and ListUnits leaves it out', async () => {
      expect(await status()).toBe('degraded');
      const [byNode] = (await bus.call(CONTROLLER, CONTROLLER_IFACE, 'ListUnits')) as [Record<string, unknown[]>];
      expect(Object.keys(byNode).sort()).toEqual([MAIN, WORKER]);
    });

    it('GetNode returns the object path of any configured node; an unknown name is ServiceUnknown "Node not found"', async () => {
      expect(await bus.call(CONTROLLER, CONTROLLER_IFACE, 'GetNode', 's', MAIN)).toEqual([MAIN_PATH]);
      expect(await bus.call(CONTROLLER, CONTROLLER_IFACE, 'GetNode', 's', 'ghost')).toEqual([GHOST_PATH]);
      expect(await bus.error(CONTROLLER, `${CONTROLLER_IFACE}.GetNode`, 'string:nope')).toEqual({
        name: 'org.freedesktop.DBus.Error.ServiceUnknown',
        message: 'Node not found',
      });
      expect(await bus.callFails(CONTROLLER, CONTROLLER_IFACE, 'GetNode', 's', 'nope')).toBe('Node not found');
    });

    it('a node name with a dash gets an escaped object path, and that object answers for the node', async () => {
      expect(escapeObjectPathElement(WORKER)).toBe('worker_2d1');
      expect(await bus.call(CONTROLLER, CONTROLLER_IFACE, 'GetNode', 's', WORKER)).toEqual([WORKER_PATH]);
      expect(await bus.tree()).toEqual(expect.arrayContaining([MAIN_PATH, WORKER_PATH, GHOST_PATH]));
      expect(await bus.get(WORKER_PATH, NODE_IFACE, 'Name')).toBe(WORKER);
      expect(await bus.get(WORKER_PATH, NODE_IFACE, 'Status')).toBe('online');
      const [state] = (await bus.call(WORKER_PATH, NODE_IFACE, 'GetUnitFileState', 's', PROBE)) as [string];
      expect(state).toBe((await worker.exec(`systemctl is-enabled ${PROBE}`)).stdout.trim());
    });
  });
});
