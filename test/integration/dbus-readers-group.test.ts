/**
 * The opt-in group bluechi-readers (packaging/sysusers.d, the system bus
 * policies in packaging/dbus): a member may read the controller's and the
 * agent's D-Bus APIs — properties, the List and Get methods, monitors — and
 * nothing that changes state is let through; a user outside the group may
 * only introspect and ping. Every call is busctl or dbus-send run as that
 * user on the controller's node (which also runs the agent "main").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { BusCtl, CONTROLLER, CONTROLLER_IFACE, JOB_IFACE, MONITOR_IFACE, NODE_IFACE, nodePath, showUnit } from './support/busctl.js';

const WORKER_PATH = nodePath('worker1');
const RUNNING = 'running.service';
const IDLE = 'idle.service';
const SLOW = 'slow.service';
const AGENT = 'org.eclipse.bluechi.Agent';

/** The bus daemon's refusal: the call never reaches the controller. */
const denied = { name: 'org.freedesktop.DBus.Error.AccessDenied', message: expect.stringMatching(/^Rejected send message/) };

describe('the bluechi-readers group on the system bus', () => {
  let cluster: Cluster;
  let worker: SystemdNode;
  let root: BusCtl;
  let reader: BusCtl;
  let outsider: BusCtl;
  let slowJob: string;

  const unitState = () => Promise.all([RUNNING, IDLE, SLOW].map((u) => showUnit(worker, u, 'ActiveState', 'MainPID', 'UnitFileState', 'Description')));

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    worker = cluster.node('worker1');
    await worker.writeFile(`/etc/systemd/system/${RUNNING}`, '[Unit]\nDescription=Running\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n');
    await worker.writeFile(`/etc/systemd/system/${IDLE}`, '[Unit]\nDescription=Idle\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n');
    await worker.writeFile(`/etc/systemd/system/${SLOW}`, '[Service]\nType=oneshot\nExecStart=/bin/sleep 1000\n');
    await worker.run(`systemctl daemon-reload && systemctl enable --now ${RUNNING}`);
    await cluster.main.run('useradd --groups bluechi-readers reader && useradd outsider');
    root = new BusCtl(cluster.main);
    reader = new BusCtl(cluster.main, 'reader');
    outsider = new BusCtl(cluster.main, 'outsider');
    [slowJob] = (await root.call(WORKER_PATH, NODE_IFACE, 'StartUnit', 'ss', SLOW, 'replace')) as [string];
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('the group exists from boot (sysusers.d) and holds the user added to it', async () => {
    expect((await cluster.main.run('getent group bluechi-readers')).stdout).toMatch(/^bluechi-readers:x:\d+:reader\n$/);
  });

  it('a member reads every property of the controller, the nodes and a job', async () => {
    expect(await reader.getAll(CONTROLLER, CONTROLLER_IFACE)).toEqual(await root.getAll(CONTROLLER, CONTROLLER_IFACE));
    expect(await reader.get(WORKER_PATH, NODE_IFACE, 'Status')).toBe('online');
    expect(Object.keys(await reader.getAll(WORKER_PATH, NODE_IFACE)).sort()).toEqual(['LastSeenTimestamp', 'LastSeenTimestampMonotonic', 'Name', 'PeerIp', 'Status']);
    expect(await reader.getAll(slowJob, JOB_IFACE)).toMatchObject({ Node: 'worker1', Unit: SLOW, JobType: 'start' });
  });

  it("a member calls the controller's and the nodes' List and Get methods and gets what root gets", async () => {
    expect(await reader.call(CONTROLLER, CONTROLLER_IFACE, 'ListNodes')).toEqual(await root.call(CONTROLLER, CONTROLLER_IFACE, 'ListNodes'));
    // systemd lists unit files in no fixed order.
    const sortedFiles = async (bus: BusCtl) => {
      const [byNode] = (await bus.call(CONTROLLER, CONTROLLER_IFACE, 'ListUnitFiles')) as [Record<string, string[][]>];
      return Object.fromEntries(Object.entries(byNode).map(([node, rows]) => [node, rows.map((r) => r.join(' ')).sort()]));
    };
    expect(await sortedFiles(reader)).toEqual(await sortedFiles(root));
    expect(await reader.call(CONTROLLER, CONTROLLER_IFACE, 'GetNode', 's', 'worker1')).toEqual([WORKER_PATH]);
    const [units] = (await reader.call(CONTROLLER, CONTROLLER_IFACE, 'ListUnits')) as [Record<string, unknown[][]>];
    expect(Object.keys(units).sort()).toEqual([MAIN, 'worker1']);

    const [nodeUnits] = (await reader.call(WORKER_PATH, NODE_IFACE, 'ListUnits')) as [unknown[][]];
    expect(nodeUnits.find((r) => r[0] === RUNNING)?.slice(0, 5)).toEqual([RUNNING, 'Running', 'loaded', 'active', 'running']);
    const [files] = (await reader.call(WORKER_PATH, NODE_IFACE, 'ListUnitFiles')) as [unknown[][]];
    expect(files).toContainEqual([`/etc/systemd/system/${RUNNING}`, 'enabled']);
    expect(await reader.call(WORKER_PATH, NODE_IFACE, 'GetUnitFileState', 's', IDLE)).toEqual(['disabled']);
    expect(await reader.call(WORKER_PATH, NODE_IFACE, 'GetUnitProperty', 'sss', RUNNING, 'org.freedesktop.systemd1.Unit', 'ActiveState')).toEqual([{ type: 's', data: 'active' }]);
    const [props] = (await reader.call(WORKER_PATH, NODE_IFACE, 'GetUnitProperties', 'ss', RUNNING, 'org.freedesktop.systemd1.Unit')) as [Record<string, { data: unknown }>];
    expect(props.Description?.data).toBe('Running');
    expect(await reader.call(WORKER_PATH, NODE_IFACE, 'GetDefaultTarget')).toEqual(await root.call(WORKER_PATH, NODE_IFACE, 'GetDefaultTarget'));
  });

  it('a member creates monitors and reaches their methods; an outsider is refused both', async () => {
    const [monitor] = (await reader.call(CONTROLLER, CONTROLLER_IFACE, 'CreateMonitor')) as [string];
    expect(monitor).toMatch(/^\/org\/eclipse\/bluechi\/monitor\/[1-9][0-9]*$/);
    // busctl left the bus with the call, so the controller closed that monitor: the
    // controller itself answers the member's Subscribe; the outsider's never gets there.
    await waitFor('the monitor to close', async () => !(await root.tree()).includes(monitor));
    expect(await reader.error(monitor, `${MONITOR_IFACE}.Subscribe`, 'string:worker1', `string:${RUNNING}`)).toEqual({
      name: 'org.freedesktop.DBus.Error.UnknownObject',
      message: `Unknown object '${monitor}'.`,
    });
    expect(await outsider.error(monitor, `${MONITOR_IFACE}.Subscribe`, 'string:worker1', `string:${RUNNING}`)).toEqual(denied);
    expect(await outsider.error(CONTROLLER, `${CONTROLLER_IFACE}.CreateMonitor`)).toEqual(denied);
  });

  it('a member cannot start, stop, kill, enable, reconfigure or cancel anything: AccessDenied, and nothing changed', async () => {
    const before = await unitState();
    const refused: Array<[string, string, string[]]> = [
      [WORKER_PATH, `${NODE_IFACE}.StartUnit`, [`string:${IDLE}`, 'string:replace']],
      [WORKER_PATH, `${NODE_IFACE}.StopUnit`, [`string:${RUNNING}`, 'string:replace']],
      [WORKER_PATH, `${NODE_IFACE}.RestartUnit`, [`string:${RUNNING}`, 'string:replace']],
      [WORKER_PATH, `${NODE_IFACE}.ReloadUnit`, [`string:${RUNNING}`, 'string:replace']],
      [WORKER_PATH, `${NODE_IFACE}.KillUnit`, [`string:${RUNNING}`, 'string:main', 'int32:9']],
      [WORKER_PATH, `${NODE_IFACE}.FreezeUnit`, [`string:${RUNNING}`]],
      [WORKER_PATH, `${NODE_IFACE}.ThawUnit`, [`string:${RUNNING}`]],
      [WORKER_PATH, `${NODE_IFACE}.EnableUnitFiles`, [`array:string:${IDLE}`, 'boolean:false', 'boolean:false']],
      [WORKER_PATH, `${NODE_IFACE}.DisableUnitFiles`, [`array:string:${RUNNING}`, 'boolean:false']],
      [WORKER_PATH, `${NODE_IFACE}.Reload`, []],
      [WORKER_PATH, `${NODE_IFACE}.ResetFailed`, []],
      [WORKER_PATH, `${NODE_IFACE}.ResetFailedUnit`, [`string:${RUNNING}`]],
      [WORKER_PATH, `${NODE_IFACE}.SetLogLevel`, ['string:DEBUG']],
      [WORKER_PATH, `${NODE_IFACE}.SetDefaultTarget`, ['string:multi-user.target', 'boolean:true']],
      [CONTROLLER, `${CONTROLLER_IFACE}.EnableMetrics`, []],
      [CONTROLLER, `${CONTROLLER_IFACE}.DisableMetrics`, []],
      [CONTROLLER, `${CONTROLLER_IFACE}.SetLogLevel`, ['string:DEBUG']],
      [CONTROLLER, 'org.freedesktop.DBus.Properties.Set', [`string:${CONTROLLER_IFACE}`, 'string:LogLevel', 'variant:string:DEBUG']],
      [slowJob, `${JOB_IFACE}.Cancel`, []],
    ];
    for (const [path, method, args] of refused) expect(await reader.error(path, method, ...args), method).toEqual(denied);
    expect(await reader.callFails(WORKER_PATH, NODE_IFACE, 'SetUnitProperties', 'sba(sv)', RUNNING, 'true', '1', 'Description', 's', 'Changed')).toBe('Access denied');
    expect(
      await reader.callFails(WORKER_PATH, NODE_IFACE, 'StartTransientUnit', 'ssa(sv)a(sa(sv))', 'sneaky.service', 'replace', '1', 'ExecStart', 'a(sasb)', '1', '/bin/sleep', '2', '/bin/sleep', '1000', 'false', '0'),
    ).toBe('Access denied');

    expect(await unitState()).toEqual(before);
    expect((await showUnit(worker, 'sneaky.service', 'LoadState')).LoadState).toBe('not-found');
    expect(await root.getAll(slowJob, JOB_IFACE)).toMatchObject({ Unit: SLOW, State: 'running' });
    expect(await root.get(CONTROLLER, CONTROLLER_IFACE, 'LogLevel')).toBe('INFO');
    expect(await root.tree()).not.toContain('/org/eclipse/bluechi/metrics');
    expect((await worker.run('busctl get-property org.eclipse.bluechi.Agent /org/eclipse/bluechi org.eclipse.bluechi.Agent LogLevel')).stdout).toBe('s "INFO"\n');
  });

  it('a user outside the group cannot list nodes or read properties, but may introspect and ping', async () => {
    expect(await outsider.error(CONTROLLER, `${CONTROLLER_IFACE}.ListNodes`)).toEqual(denied);
    expect(await outsider.error(CONTROLLER, 'org.freedesktop.DBus.Properties.Get', `string:${CONTROLLER_IFACE}`, 'string:Status')).toEqual(denied);
    expect(await outsider.error(WORKER_PATH, `${NODE_IFACE}.ListUnits`)).toEqual(denied);
    expect(await outsider.callFails(CONTROLLER, CONTROLLER_IFACE, 'ListNodes')).toBe('Access denied');

    expect(await outsider.introspect(CONTROLLER)).toContain(`<interface name="${CONTROLLER_IFACE}">`);
    expect(await outsider.introspect(WORKER_PATH)).toContain(`<interface name="${NODE_IFACE}">`);
    expect(await outsider.call(CONTROLLER, 'org.freedesktop.DBus.Peer', 'Ping')).toEqual([]);
  });

  it("on an agent's node a member reads org.eclipse.bluechi.Agent's properties but cannot CreateProxy; an outsider reads nothing", async () => {
    const agentAsReader = new BusCtl(cluster.main, 'reader', AGENT);
    const agentAsOutsider = new BusCtl(cluster.main, 'outsider', AGENT);
    const agentAsRoot = new BusCtl(cluster.main, undefined, AGENT);

    const props = await agentAsReader.getAll(CONTROLLER, AGENT);
    expect(props).toMatchObject({ Status: 'online', ControllerAddress: 'unix:path=/run/bluechi/bluechi.sock' });
    expect(Object.keys(props).sort()).toEqual(Object.keys(await agentAsRoot.getAll(CONTROLLER, AGENT)).sort());

    expect(await agentAsReader.error(CONTROLLER, `${AGENT}.CreateProxy`, 'string:src.service', 'string:worker1', `string:${RUNNING}`)).toEqual(denied);
    expect(await agentAsReader.error(CONTROLLER, `${AGENT}.RemoveProxy`, 'string:src.service', 'string:worker1', `string:${RUNNING}`)).toEqual(denied);
    expect(await agentAsOutsider.error(CONTROLLER, 'org.freedesktop.DBus.Properties.GetAll', `string:${AGENT}`)).toEqual(denied);
    expect(await agentAsOutsider.introspect(CONTROLLER)).toContain(`<interface name="${AGENT}">`);
  });
});
