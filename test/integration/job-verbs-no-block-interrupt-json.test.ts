/**
 * The job verbs beyond upstream, on real systemd: `--no-block` returns with
 * the job's id while the unit is still activating; Ctrl-C while bluechictl
 * waits ends it with status 130 and says which job goes on, and the job does
 * go on; `--json` gives documented objects for start and stop, status (nodes
 * and units), list-units, list-unit-files and is-enabled.
 *
 * The slow unit waits in ExecStartPre until the test creates a file, so it is
 * activating for exactly as long as the test needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type BackgroundCommand } from '../harness/background.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { LOOPBACK_IP } from '../harness/expected-output.js';
import { waitFor } from '../harness/wait.js';

const GATE = '/tmp/slow-gate';
const SLOW =
  '[Service]\nType=oneshot\n' +
  `ExecStartPre=/bin/sh -c 'while [ ! -e ${GATE} ]; do sleep 0.1; done'\n` +
  'ExecStart=/bin/true\nRemainAfterExit=yes\n';
const PLAIN = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';
const RUNNING = '[Service]\nExecStart=/bin/sleep infinity\n';
const INSTALLABLE = '[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n';

let cluster: Cluster;
const background: BackgroundCommand[] = [];

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'] });
  const worker1 = cluster.node('worker1');
  await worker1.writeFile('/etc/systemd/system/slow.service', SLOW);
  await worker1.writeFile('/etc/systemd/system/plain.service', PLAIN);
  await worker1.writeFile('/etc/systemd/system/running.service', RUNNING);
  await worker1.writeFile('/etc/systemd/system/installable.service', INSTALLABLE);
  await worker1.run('systemctl daemon-reload');
});

afterAll(async () => {
  await Promise.allSettled(background.map((b) => b.kill()));
  await cluster?.stop();
});

const worker1 = () => cluster.node('worker1');
const isActive = async (unit: string) => (await worker1().exec(`systemctl is-active ${unit}`)).stdout.trim();

/** Stops slow.service and closes the gate again. */
async function resetSlow(): Promise<void> {
  await worker1().run(`rm -f ${GATE}`);
  await worker1().exec('systemctl stop slow.service');
  expect(await isActive('slow.service')).toBe('inactive');
}

describe('bluechictl start --no-block', () => {
  it('returns with the queued job while the unit is still activating', async () => {
    await resetSlow();
    const r = await cluster.main.exec('timeout 60 bluechictl start worker1 slow.service --no-block');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Unit slow\.service StartUnit operation queued as job [1-9]\d*\n$/);
    expect(await isActive('slow.service')).toBe('activating');
    const status = await cluster.ctl('status worker1 slow.service');
    expect(status.stdout).toContain('slow.service\t| loaded\t| activating\t| start-pre\t| running\t| static\t|\n');

    await worker1().run(`touch ${GATE}`);
    await waitFor('slow.service active', async () => (await isActive('slow.service')) === 'active');
  });

  it('--json gives the job with a null result', async () => {
    await resetSlow();
    const r = await cluster.main.exec('timeout 60 bluechictl start worker1 slow.service --no-block --json');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ node: 'worker1', unit: 'slow.service', method: 'StartUnit', jobId: expect.any(Number), result: null });
    expect(await isActive('slow.service')).toBe('activating');
    await worker1().run(`touch ${GATE}`);
    await waitFor('slow.service active', async () => (await isActive('slow.service')) === 'active');
  });
});

describe('Ctrl-C while bluechictl start waits', () => {
  it('exits 130, names the job, and the job goes on', async () => {
    await resetSlow();
    const start = await startBackground(cluster.main, 'start-slow', 'bluechictl start worker1 slow.service', { timeoutS: 120 });
    background.push(start);
    // bluechictl waits for as long as systemd runs the job.
    await waitFor('slow.service activating', async () => (await isActive('slow.service')) === 'activating');
    expect(await start.running()).toBe(true);

    await start.signal('INT');
    expect(await start.waitExit()).toBe(130);
    expect(await start.out()).toBe('');
    const err = await start.err();
    expect(err).toMatch(/^Interrupted; job [1-9]\d* \(StartUnit of slow\.service on worker1\) goes on without bluechictl waiting for it\n$/);

    // The job was not cancelled: the unit is still starting, and starts once the gate opens.
    expect(await isActive('slow.service')).toBe('activating');
    await worker1().run(`touch ${GATE}`);
    await waitFor('slow.service active', async () => (await isActive('slow.service')) === 'active');
    const status = await cluster.ctl('status worker1 slow.service');
    expect(status.stdout).toContain('slow.service\t| loaded\t| active\t| exited\t| running\t| static\t|\n');
  });
});

describe('--json', () => {
  it('start and stop give the job and its result', async () => {
    const start = await cluster.ctl('start worker1 plain.service --json');
    expect(start.exitCode).toBe(0);
    expect(start.stderr).toBe('');
    const started = JSON.parse(start.stdout);
    expect(started).toEqual({ node: 'worker1', unit: 'plain.service', method: 'StartUnit', jobId: expect.any(Number), result: 'done' });
    expect(started.jobId).toBeGreaterThan(0);
    expect(await isActive('plain.service')).toBe('active');

    const stop = await cluster.ctl('stop worker1 plain.service --json');
    expect(stop.exitCode).toBe(0);
    const stopped = JSON.parse(stop.stdout);
    expect(stopped).toEqual({ node: 'worker1', unit: 'plain.service', method: 'StopUnit', jobId: expect.any(Number), result: 'done' });
    expect(stopped.jobId).not.toBe(started.jobId);
    expect(await isActive('plain.service')).toBe('inactive');
  });

  it('status lists the nodes', async () => {
    const r = await cluster.ctl('status --json');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const { nodes } = JSON.parse(r.stdout) as { nodes: Array<Record<string, unknown>> };
    expect(nodes.map((n) => Object.keys(n).sort())).toEqual([
      ['connectedSince', 'lastSeen', 'name', 'peerIp', 'status'],
      ['connectedSince', 'lastSeen', 'name', 'peerIp', 'status'],
    ]);
    expect(nodes).toEqual([
      { name: 'main', status: 'online', peerIp: '', lastSeen: expect.any(Number), connectedSince: expect.any(Number) },
      { name: 'worker1', status: 'online', peerIp: LOOPBACK_IP, lastSeen: expect.any(Number), connectedSince: expect.any(Number) },
    ]);
    for (const n of nodes) {
      expect(n.connectedSince as number).toBeGreaterThan(0);
      expect(n.lastSeen as number).toBeGreaterThanOrEqual(n.connectedSince as number);
    }
    const one = JSON.parse((await cluster.ctl('status worker1 --json')).stdout) as { nodes: Array<{ name: string }> };
    expect(one.nodes.map((n) => n.name)).toEqual(['worker1']);
  });

  it('status NODE UNIT... gives each unit with its details, found or not', async () => {
    expect((await cluster.ctl('start worker1 running.service')).exitCode).toBe(0);
    const mainPid = Number((await worker1().run('systemctl show -p MainPID --value running.service')).stdout.trim());
    expect(mainPid).toBeGreaterThan(0);

    const r = await cluster.ctl('status worker1 running.service nosuch.service --json');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const parsed = JSON.parse(r.stdout) as { node: string; units: Array<Record<string, unknown>> };
    expect(parsed.node).toBe('worker1');
    const keys = ['unit', 'found', 'id', 'loadState', 'activeState', 'subState', 'freezerState', 'unitFileState', 'stateChangeTimestamp', 'stateAgeSeconds', 'mainPid', 'restarts', 'memoryBytes', 'result'];
    for (const u of parsed.units) expect(Object.keys(u).sort()).toEqual([...keys].sort());
    const [running, nosuch] = parsed.units as [Record<string, unknown>, Record<string, unknown>];
    expect(running).toMatchObject({
      unit: 'running.service',
      found: true,
      id: 'running.service',
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      freezerState: 'running',
      unitFileState: 'static',
      mainPid,
      restarts: 0,
      result: 'success',
    });
    const since = Number((await worker1().run('systemctl show -p StateChangeTimestamp --timestamp=unix --value running.service')).stdout.trim().slice(1));
    expect(Math.floor((running.stateChangeTimestamp as number) / 1e6)).toBe(since);
    expect(running.stateAgeSeconds).toEqual(expect.any(Number));
    expect(nosuch).toMatchObject({ unit: 'nosuch.service', found: false, loadState: 'not-found', activeState: 'inactive', mainPid: null, stateChangeTimestamp: null });
    await cluster.ctl('stop worker1 running.service');
  });

  it('list-units gives one flat array of units, each with its node', async () => {
    expect((await cluster.ctl('start worker1 plain.service')).exitCode).toBe(0);
    const r = await cluster.ctl(`list-units worker1 --filter=plain.service --json`);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      units: [
        {
          node: 'worker1',
          name: 'plain.service',
          description: 'plain.service',
          loadState: 'loaded',
          activeState: 'active',
          subState: 'exited',
          following: '',
          unitPath: '/org/freedesktop/systemd1/unit/plain_2eservice',
          jobId: 0,
          jobType: '',
          jobPath: '/',
        },
      ],
    });
    const all = JSON.parse((await cluster.ctl(`list-units --filter=bluechi-agent.service --json`)).stdout) as { units: Array<Record<string, unknown>> };
    expect(all.units.map((u) => [u.node, u.name, u.activeState])).toEqual([
      ['main', 'bluechi-agent.service', 'active'],
      ['worker1', 'bluechi-agent.service', 'active'],
    ]);
    await cluster.ctl('stop worker1 plain.service');
  });

  it('list-unit-files gives each file with its node, path and state', async () => {
    const r = await cluster.ctl(`list-unit-files worker1 '--filter=*/plain.service' --json`);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ unitFiles: [{ node: 'worker1', path: '/etc/systemd/system/plain.service', state: 'static' }] });
    const both = JSON.parse((await cluster.ctl(`list-unit-files '--filter=*/bluechi-agent.service' --json`)).stdout) as { unitFiles: Array<Record<string, unknown>> };
    expect(both.unitFiles.map((f) => f.node)).toEqual(['main', 'worker1']);
    for (const f of both.unitFiles) expect(Object.keys(f).sort()).toEqual(['node', 'path', 'state']);
  });

  it('is-enabled gives the state and whether it counts as enabled, with upstream exit codes', async () => {
    expect(await cluster.ctl('is-enabled worker1 installable.service --json')).toEqual({
      exitCode: 1,
      stdout: JSON.stringify({ node: 'worker1', unit: 'installable.service', state: 'disabled', enabled: false }, null, 2) + '\n',
      stderr: '',
    });
    await worker1().run('systemctl enable installable.service');
    expect(await cluster.ctl('is-enabled worker1 installable.service --json')).toEqual({
      exitCode: 0,
      stdout: JSON.stringify({ node: 'worker1', unit: 'installable.service', state: 'enabled', enabled: true }, null, 2) + '\n',
      stderr: '',
    });
    const statics = await cluster.ctl('is-enabled worker1 plain.service --json');
    expect(statics.exitCode).toBe(0);
    expect(JSON.parse(statics.stdout)).toEqual({ node: 'worker1', unit: 'plain.service', state: 'static', enabled: true });
  });
});
