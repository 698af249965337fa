/**
 * The agent's public D-Bus API (org.eclipse.bluechi.Agent at /org/eclipse/bluechi)
 * on real systemd, read and called with busctl inside worker1's container, the
 * way a user at a shell there would (dbus-send where the error's name matters:
 * busctl prints only its message).
 *
 *   every member           introspection lists them with their types; every
 *                          property reads with its type and a plausible value
 *   LastSeenTimestamp      moves on with the controller's heartbeats (every 500 ms)
 *   controller stops       Status offline, DisconnectTimestamp set; PropertiesChanged
 *                          for Status on the way down and up again (busctl monitor)
 *   JobCancel              cancels the systemd job behind a controller job id;
 *                          an unknown id is Failed "No job with ID '<n>' found"
 *   SwitchController       to a second controller on main (its own port, API socket,
 *                          no Unix agent socket): answered while that controller is
 *                          not even running yet, so it cannot have waited for the
 *                          new connection; the node then comes online there;
 *                          the current address and an invalid one are refused
 *
 * Nothing here measures time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type BackgroundCommand } from '../harness/background.js';
import { freePort, startCluster, type Cluster } from '../harness/cluster.js';
import { shq, type ExecResult, type SystemdNode } from '../harness/systemd-container.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';
import { configureController2, CONTROLLER2, CONTROLLER2_API, startController2 } from './support/second-controller.js';

const NAME = 'org.eclipse.bluechi.Agent';
const PATH = '/org/eclipse/bluechi';
const IFACE = 'org.eclipse.bluechi.Agent';
const FAILED = 'org.freedesktop.DBus.Error.Failed';
const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';

const HANG = '[Service]\nType=oneshot\nExecStartPre=/bin/sleep infinity\nExecStart=/bin/true\n';

let cluster: Cluster;
let worker1: SystemdNode;
let port2: number;
const background: BackgroundCommand[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    agents: ['worker1'],
    localAgent: null,
    controllerConf: 'HeartbeatInterval=500',
    agentConf: { worker1: 'HeartbeatInterval=500' },
  });
  worker1 = cluster.node('worker1');
  await worker1.writeUnit('agent-dbus-hang.service', HANG);
  port2 = await freePort();
  await configureController2(cluster.main, port2, 'HeartbeatInterval=500\n');
});

afterAll(async () => {
  await Promise.allSettled(background.map((b) => b.kill()));
  await cluster?.stop();
});

function busctl(...args: string[]): Promise<ExecResult> {
  return worker1.exec(`busctl ${args.map(shq).join(' ')}`);
}

/** One property as busctl's JSON gives it: its D-Bus type and value. */
async function property(name: string): Promise<{ type: string; data: unknown }> {
  const r = await busctl('--json=short', 'get-property', NAME, PATH, IFACE, name);
  if (r.exitCode !== 0) throw new Error(`busctl get-property ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { type: string; data: unknown };
}

async function value(name: string): Promise<unknown> {
  return (await property(name)).data;
}

/** A method that must fail, through dbus-send: the error's name and message. */
async function failure(member: string, ...args: string[]): Promise<{ name: string; message: string }> {
  const r = await worker1.exec(`dbus-send --system --print-reply --dest=${NAME} ${PATH} ${IFACE}.${member} ${args.map(shq).join(' ')}`);
  const m = /^Error (\S+): (.*)$/s.exec(r.stderr.trim());
  if (r.exitCode === 0 || !m) throw new Error(`expected ${member} to fail; exit ${r.exitCode}\n${r.stdout}${r.stderr}`);
  return { name: m[1]!, message: m[2]! };
}

/** CLOCK_MONOTONIC in µs, read inside the container. */
async function monotonicNowUs(node: SystemdNode): Promise<number> {
  const r = await node.run(`node -e 'console.log(String(process.hrtime.bigint() / 1000n))'`);
  return Number(r.stdout.trim());
}

/** busctl monitor's JSON lines: the agent's PropertiesChanged signals, as their changed properties. */
function propertiesChanged(out: string): Array<Record<string, unknown>> {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; path: string; member: string; payload: { data: [string, Record<string, { data: unknown }>, string[]] } })
    .filter((m) => m.type === 'signal' && m.path === PATH && m.member === 'PropertiesChanged' && m.payload.data[0] === IFACE)
    .map((m) => Object.fromEntries(Object.entries(m.payload.data[1]).map(([k, v]) => [k, v.data])));
}

async function monitor(name: string): Promise<BackgroundCommand> {
  const m = await startBackground(worker1, name, `busctl monitor --json=short ${NAME}`, { timeoutS: 300 });
  background.push(m);
  await m.waitErr('busctl monitoring', (err) => err.includes('Monitoring bus message stream'));
  return m;
}

const statusOf = (node: string, api?: string) =>
  waitFor(`${node} listed by the controller${api ? ` on ${api}` : ''}`, async () => {
    const r = await cluster.main.exec(`${api ? `BLUECHI_API_SOCKET=${api} ` : ''}bluechictl status ${node}`);
    return r.exitCode === 0 && r.stdout;
  });

describe('org.eclipse.bluechi.Agent', () => {
  it('introspects every member with its type', async () => {
    const r = await busctl('introspect', NAME, PATH, IFACE);
    expect(r.exitCode).toBe(0);
    const rows = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('.'))
      .map((l) => l.trim().split(/\s+/).slice(0, 4).join(' '));
    expect(rows.sort()).toEqual(
      [
        '.ControllerAddress property s',
        '.CreateProxy method sss -',
        '.DisconnectTimestamp property t',
        '.DisconnectTimestampMonotonic property t',
        '.JobCancel method u -',
        '.LastSeenTimestamp property t',
        '.LastSeenTimestampMonotonic property t',
        '.LogLevel property s',
        '.LogTarget property s',
        '.RemoveProxy method sss -',
        '.Status property s',
        '.SwitchController method s -',
      ].map((row) => expect.stringMatching(new RegExp(`^${row.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))),
    );
    // The FLAGS column shows each property's declared EmitsChangedSignal.
    const flags = Object.fromEntries(
      r.stdout
        .split('\n')
        .filter((l) => / property /.test(l))
        .map((l) => {
          const cols = l.trim().split(/\s+/);
          return [cols[0]!.slice(1), cols.at(-1)!];
        }),
    );
    expect(flags).toMatchObject({ Status: 'emits-change', ControllerAddress: 'emits-change', LogTarget: 'const', LogLevel: '-', LastSeenTimestamp: '-' });
  });

  it('reads every property with its type while online', async () => {
    const started = await worker1.run('systemctl show -p ActiveEnterTimestampMonotonic --value bluechi-agent');
    const agentStartUs = Number(started.stdout.trim());
    const nowRealUs = Date.now() * 1000;
    expect(await property('Status')).toEqual({ type: 's', data: 'online' });
    expect(await property('LogLevel')).toEqual({ type: 's', data: 'INFO' });
    expect(await property('LogTarget')).toEqual({ type: 's', data: 'journald' });
    expect(await property('ControllerAddress')).toEqual({ type: 's', data: `tcp:host=127.0.0.1,port=${cluster.port}` });
    expect(await property('DisconnectTimestamp')).toEqual({ type: 't', data: 0 });
    expect(await property('DisconnectTimestampMonotonic')).toEqual({ type: 't', data: 0 });
    const seen = await property('LastSeenTimestamp');
    expect(seen.type).toBe('t');
    // Within the last minute (the containers share the host's clock).
    expect(seen.data).toBeGreaterThan(nowRealUs - 60_000_000);
    expect(seen.data).toBeLessThanOrEqual(Date.now() * 1000);
    const seenMono = await property('LastSeenTimestampMonotonic');
    expect(seenMono.type).toBe('t');
    expect(seenMono.data).toBeGreaterThan(agentStartUs);
    expect(seenMono.data).toBeLessThanOrEqual(await monotonicNowUs(worker1));
  });

  it("moves LastSeenTimestamp on with the controller's heartbeats", async () => {
    const first = (await value('LastSeenTimestamp')) as number;
    const firstMono = (await value('LastSeenTimestampMonotonic')) as number;
    // The two are read one after the other, so a heartbeat may fall between
    // them: wait until both have moved on.
    const later = await waitFor('a later LastSeenTimestamp and LastSeenTimestampMonotonic', async () => {
      const wall = (await value('LastSeenTimestamp')) as number;
      const mono = (await value('LastSeenTimestampMonotonic')) as number;
      return wall > first && mono > firstMono && { wall, mono };
    });
    expect(later.wall).toBeGreaterThan(first);
    expect(later.mono).toBeGreaterThan(firstMono);
  });

  it('goes offline with a disconnect time when the controller stops, signalling Status both ways', async () => {
    const watch = await monitor('agent-status');
    const seenBefore = (await value('LastSeenTimestampMonotonic')) as number;
    await cluster.main.run('systemctl stop bluechi-controller');
    await waitFor('agent Status offline', async () => (await value('Status')) === 'offline');
    const lost = (await value('DisconnectTimestamp')) as number;
    const lostMono = (await value('DisconnectTimestampMonotonic')) as number;
    expect(lost).toBeGreaterThan(Date.now() * 1000 - 60_000_000);
    expect(lost).toBeLessThanOrEqual(Date.now() * 1000);
    expect(lostMono).toBeGreaterThanOrEqual(seenBefore);
    expect(lostMono).toBeLessThanOrEqual(await monotonicNowUs(worker1));

    await cluster.main.run('systemctl start bluechi-controller');
    await waitFor('agent Status online', async () => (await value('Status')) === 'online');
    expect(await value('DisconnectTimestamp')).toBe(0);
    expect(await value('DisconnectTimestampMonotonic')).toBe(0);

    const signals = await watch.waitOut('Status online signalled', (out) => {
      const s = propertiesChanged(out);
      return s.length >= 2 && s;
    });
    expect(signals).toEqual([{ Status: 'offline' }, { Status: 'online' }]);
    await watch.kill();
  });
});

describe('JobCancel', () => {
  it("refuses an unknown controller job id with upstream's error", async () => {
    const r = await busctl('call', NAME, PATH, IFACE, 'JobCancel', 'u', '999999');
    expect(r).toEqual({ exitCode: 1, stdout: '', stderr: "Call failed: No job with ID '999999' found\n" });
    expect(await failure('JobCancel', 'uint32:999999')).toEqual({ name: FAILED, message: "No job with ID '999999' found" });
  });

  it('cancels the systemd job behind a controller job id', async () => {
    await cluster.waitOnline();
    const start = await cluster.main.run('bluechictl start worker1 agent-dbus-hang.service --no-block --json');
    const { jobId } = JSON.parse(start.stdout) as { jobId: number };
    await waitFor('the start job running on worker1', async () => {
      const jobs = await worker1.run('systemctl list-jobs --no-legend');
      return /agent-dbus-hang\.service\s+start\s+running/.test(jobs.stdout);
    });
    expect(await busctl('call', NAME, PATH, IFACE, 'JobCancel', 'u', String(jobId))).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    await waitFor('the job gone from systemd', async () => {
      const jobs = await worker1.run('systemctl list-jobs --no-legend');
      return !jobs.stdout.includes('agent-dbus-hang.service');
    });
    // The controller forgot it too: a second cancel finds nothing.
    await waitFor('the job gone from the agent', async () => (await busctl('call', NAME, PATH, IFACE, 'JobCancel', 'u', String(jobId))).exitCode === 1);
    expect(await failure('JobCancel', `uint32:${jobId}`)).toEqual({ name: FAILED, message: `No job with ID '${jobId}' found` });
    await worker1.run('systemctl stop agent-dbus-hang.service');
  });
});

describe('SwitchController', () => {
  it('refuses the current address', async () => {
    const current = `tcp:host=127.0.0.1,port=${cluster.port}`;
    expect(await busctl('call', NAME, PATH, IFACE, 'SwitchController', 's', current)).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'Call failed: Failed to switch controller because already connected to the controller\n',
    });
    expect(await failure('SwitchController', `string:${current}`)).toEqual({
      name: FAILED,
      message: 'Failed to switch controller because already connected to the controller',
    });
    expect(await value('Status')).toBe('online');
  });

  it.each([
    ['tcp:host=127.0.0.1', "Invalid ControllerAddress 'tcp:host=127.0.0.1': tcp addresses need host= and port="],
    ['tcp:host=127.0.0.1,port=70000', "Invalid port format '70000'"],
    ['carrier-pigeon', "Invalid ControllerAddress 'carrier-pigeon': expected tcp:host=H,port=P, unix:path=P or a ws:// URL"],
  ])('refuses the address %s with InvalidArgs', async (address, message) => {
    expect(await failure('SwitchController', `string:${address}`)).toEqual({ name: INVALID_ARGS, message });
    expect(await value('ControllerAddress')).toBe(`tcp:host=127.0.0.1,port=${cluster.port}`);
    expect(await value('Status')).toBe('online');
  });

  it('answers while the new controller is unreachable, and the node comes online there once it runs', async () => {
    const watch = await monitor('agent-switch');
    const address = `tcp:host=127.0.0.1,port=${port2}`;

    // Nothing listens on the new port yet: had the call waited for the new
    // connection it could not have returned.
    expect(await busctl('call', NAME, PATH, IFACE, 'SwitchController', 's', address)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await value('ControllerAddress')).toBe(address);
    expect(await value('Status')).toBe('offline');
    await waitForNodeState(cluster, 'worker1', 'offline');

    await startController2(cluster.main);
    await waitFor('worker1 online on the second controller', async () => /\|\s*online\s*\|/.test(await statusOf('worker1', CONTROLLER2_API)));
    await waitFor('agent Status online', async () => (await value('Status')) === 'online');
    expect(await value('ControllerAddress')).toBe(address);
    expect(await statusOf('worker1')).toMatch(/\|\s*offline\s*\|/);

    const signals = await watch.waitOut('the switch signalled', (out) => {
      const s = propertiesChanged(out);
      return s.length >= 3 && s;
    });
    expect(signals).toEqual([{ ControllerAddress: address }, { Status: 'offline' }, { Status: 'online' }]);
    await watch.kill();

    // The same address again is refused, now that it is the current one.
    expect(await failure('SwitchController', `string:${address}`)).toEqual({
      name: FAILED,
      message: 'Failed to switch controller because already connected to the controller',
    });
  });

  it('keeps the switched address across a reconnect, and can switch back', async () => {
    const address = `tcp:host=127.0.0.1,port=${port2}`;
    await cluster.main.run(`systemctl restart ${CONTROLLER2}`);
    await waitFor('worker1 back on the second controller', async () => /\|\s*online\s*\|/.test(await statusOf('worker1', CONTROLLER2_API)));
    expect(await value('ControllerAddress')).toBe(address);
    expect(await statusOf('worker1')).toMatch(/\|\s*offline\s*\|/);

    const original = `tcp:host=127.0.0.1,port=${cluster.port}`;
    expect(await busctl('call', NAME, PATH, IFACE, 'SwitchController', 's', original)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    await waitForNodeState(cluster, 'worker1', 'online');
    expect(await value('ControllerAddress')).toBe(original);
    await cluster.main.run(`systemctl stop ${CONTROLLER2}`);
  });
});
