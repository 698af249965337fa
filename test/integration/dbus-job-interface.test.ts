/**
 * org.eclipse.bluechi.Job at /org/eclipse/bluechi/job/<id> (reference §2.3),
 * watched with busctl on the controller's node while slow units run on a
 * worker: ids count lifecycle requests from 1 (a refused one too), the
 * properties describe the request and mirror systemd's job state, Cancel
 * cancels the systemd job (a running start leaves the unit activating, as
 * upstream documents), and each object leaves the bus when its job ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { SystemdNode } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { BusCtl, JOB_IFACE, NODE_IFACE, interfaceBlock, memberNames, nodePath, showUnit } from './support/busctl.js';

const WORKER_PATH = nodePath('worker1');
const jobPath = (id: number) => `/org/eclipse/bluechi/job/${id}`;

const UNITS: Record<string, string> = {
  'quick.service': '[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'slow.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 30\n',
  'after-slow.service': '[Unit]\nAfter=slow.service\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
  'slow-edges.service': '[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/sleep 2\nExecStop=/bin/sleep 2\n',
};

type JobProps = { Id: number; Node: string; Unit: string; JobType: string; State: string };

describe('org.eclipse.bluechi.Job over busctl', () => {
  let cluster: Cluster;
  let worker: SystemdNode;
  let bus: BusCtl;
  /** The two jobs the running/waiting test leaves queued for the Cancel tests. */
  let queued: { slow: string; after: string };

  const request = async (member: string, unit: string) => {
    const [path] = (await bus.call(WORKER_PATH, NODE_IFACE, member, 'ss', unit, 'replace')) as [string];
    return path;
  };
  const job = (path: string) => bus.getAll(path, JOB_IFACE) as Promise<JobProps>;
  const waitJobState = (path: string, state: string) =>
    waitFor(`${path} ${state}`, async () => {
      const p = await job(path);
      return p.State === state && p;
    });
  const waitGone = (path: string) => waitFor(`${path} to leave the bus`, async () => !(await bus.tree()).includes(path));
  const unknownObject = (path: string) => ({ name: 'org.freedesktop.DBus.Error.UnknownObject', message: `Unknown object '${path}'.` });

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    worker = cluster.node('worker1');
    bus = new BusCtl(cluster.main);
    for (const [name, text] of Object.entries(UNITS)) await worker.writeFile(`/etc/systemd/system/${name}`, text);
    await worker.run('systemctl daemon-reload');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('job ids start at 1 and count every lifecycle request, one that systemd refused included', async () => {
    expect(await request('StartUnit', 'quick.service')).toBe(jobPath(1));
    expect(await bus.error(WORKER_PATH, `${NODE_IFACE}.StartUnit`, 'string:nosuch.service', 'string:replace')).toMatchObject({
      name: 'org.freedesktop.systemd1.NoSuchUnit',
    });
    expect(await request('StopUnit', 'quick.service')).toBe(jobPath(3));
  });

  it('a running job shows Id, Node, Unit, JobType start and State running; a job ordered after it waits', async () => {
    const slow = await request('StartUnit', 'slow.service');
    const id = Number(slow.split('/').pop());
    expect(await waitJobState(slow, 'running')).toEqual({ Id: id, Node: 'worker1', Unit: 'slow.service', JobType: 'start', State: 'running' });

    const after = await request('StartUnit', 'after-slow.service');
    expect(after).toBe(jobPath(id + 1));
    expect(await job(after)).toEqual({ Id: id + 1, Node: 'worker1', Unit: 'after-slow.service', JobType: 'start', State: 'waiting' });
    expect(await bus.tree()).toEqual(expect.arrayContaining([slow, after]));
    expect((await worker.run('systemctl list-jobs --no-legend --plain')).stdout).toMatch(/after-slow\.service\s+start\s+waiting/);
    queued = { slow, after };
  });

  it('Cancel of the waiting job removes it and its unit never starts', async () => {
    const waiting = queued.after;
    expect(await job(waiting)).toMatchObject({ Unit: 'after-slow.service', State: 'waiting' });
    expect(await bus.call(waiting, JOB_IFACE, 'Cancel')).toEqual([]);
    await waitGone(waiting);
    expect(await bus.error(waiting, `${JOB_IFACE}.Cancel`)).toEqual(unknownObject(waiting));
    expect(await showUnit(worker, 'after-slow.service', 'ActiveState', 'Job')).toEqual({ ActiveState: 'inactive', Job: '' });
  });

  it('Cancel of a running start job removes the job; the unit stays activating, as systemd leaves it', async () => {
    const slow = queued.slow;
    expect(await job(slow)).toMatchObject({ Unit: 'slow.service', State: 'running' });
    expect(await bus.call(slow, JOB_IFACE, 'Cancel')).toEqual([]);
    await waitGone(slow);
    expect(await showUnit(worker, 'slow.service', 'ActiveState', 'SubState', 'Job')).toEqual({ ActiveState: 'activating', SubState: 'start', Job: '' });
    await worker.run('systemctl stop slow.service');
  });

  it('reload, restart and stop jobs carry their JobType, and each object is gone once its job ended', async () => {
    await worker.run('systemctl start slow-edges.service');
    for (const [member, type] of [['ReloadUnit', 'reload'], ['RestartUnit', 'restart'], ['StopUnit', 'stop']] as const) {
      const path = await request(member, 'slow-edges.service');
      expect(await job(path), member).toMatchObject({ Node: 'worker1', Unit: 'slow-edges.service', JobType: type });
      await waitGone(path);
      expect(await bus.error(path, 'org.freedesktop.DBus.Properties.GetAll', `string:${JOB_IFACE}`)).toEqual(unknownObject(path));
    }
    expect((await showUnit(worker, 'slow-edges.service', 'ActiveState')).ActiveState).toBe('inactive');
  });

  it('introspecting a job shows the interface of the shipped XML file, with the members of reference §2.3', async () => {
    const path = await request('StartUnit', 'slow.service');
    const live = interfaceBlock(await bus.introspect(path), JOB_IFACE);
    expect(live).toBe(interfaceBlock((await cluster.main.run(`cat /usr/share/dbus-1/interfaces/${JOB_IFACE}.xml`)).stdout, JOB_IFACE));
    expect(memberNames(live, 'method')).toEqual(['Cancel']);
    expect(memberNames(live, 'property')).toEqual(['Id', 'JobType', 'Node', 'State', 'Unit']);
    await bus.call(path, JOB_IFACE, 'Cancel');
    await waitGone(path);
    await worker.run('systemctl stop slow.service');
  });
});
