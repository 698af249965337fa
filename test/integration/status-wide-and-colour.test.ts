/**
 * `bluechictl status -o wide` on real systemd: for a unit, since when and for
 * how long it is in its state, its main PID (the one systemd reports on the
 * node), how often systemd restarted it, its memory and how its last run
 * ended; an Upholds= target that keeps exiting (transcript §6.5) is seen
 * being started again from the controller. For nodes, since when each is
 * connected. And colour: the state words are coloured on a terminal only,
 * never with NO_COLOR and never in piped output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { LOOPBACK_IP, MAIN_AND_WORKER1_ONLINE, nodeTable, unitTableHeader, unitTableRow } from '../harness/expected-output.js';
import { shq } from '../harness/systemd-container.js';
import { waitFor, waitForNodeState } from '../harness/wait.js';

const WIDE_UNIT_HEADERS = ['UNIT', 'LOADED', 'ACTIVE', 'SUB', 'FREEZER', 'ENABLED', 'SINCE', 'FOR', 'MAIN PID', 'RESTARTS', 'MEMORY', 'RESULT'];
const WIDE_NODE_HEADERS = ['NODE', 'STATE', 'IP', 'LAST SEEN', 'CONNECTED SINCE', 'FOR'];
/** Local time without zone, as SINCE shows it. */
const SINCE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
/** systemd-style age, its two largest units: 0s, 42s, 3min 5s, 2h 1min, 6d 3h. */
const AGE = /^\d+(d|h|min|s)( \d+(h|min|s))?$/;
/** '-' when not accounted, else a size like systemctl's: 812K, 12.3M. */
const MEMORY = /^(-|\d+B|\d+(\.\d)?[KMGT])$/;

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';
const ESC = '\x1b';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ agents: ['worker1'], controllerConf: '[node main]\nAllowDependenciesOn=worker1\n' });
  const worker1 = cluster.node('worker1');
  const units: Record<string, string> = {
    'svc.service': '[Service]\nExecStart=/bin/sleep infinity\nRestart=always\nRestartSec=1\n',
    'fail.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n',
    // The Upholds= scenario of transcript §6.5, with a target that exits every 2 s.
    'target.service': '[Unit]\nStopWhenUnneeded=yes\n\n[Service]\nType=simple\nExecStart=/bin/sleep 2\n',
  };
  for (const [name, text] of Object.entries(units)) await worker1.writeFile(`/etc/systemd/system/${name}`, text);
  await worker1.run('systemctl daemon-reload');
  await cluster.main.writeUnit(
    'source.service',
    '[Unit]\nUpholds=bluechi-proxy@worker1_target.service\nAfter=bluechi-proxy@worker1_target.service\n\n' +
      '[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n',
  );
});

afterAll(async () => {
  await cluster?.stop();
});

/**
 * Parses a `|`-separated wide table: checks the layout (header, a rule of `=`
 * as long as every line, every line padded to the same width) and returns the
 * rows as header -> value.
 */
function parseWide(stdout: string, headers: string[]): Array<Record<string, string>> {
  const lines = stdout.split('\n');
  expect(lines.pop()).toBe('');
  const [head, rule, ...rows] = lines as [string, string, ...string[]];
  expect(head.split(' | ').map((c) => c.trimEnd())).toEqual(headers);
  expect(rule).toBe('='.repeat(head.length));
  for (const line of rows) expect(line.length).toBe(head.length);
  return rows.map((line) => {
    const cells = line.split(' | ').map((c) => c.trimEnd());
    expect(cells).toHaveLength(headers.length);
    return Object.fromEntries(headers.map((h, i) => [h, cells[i]!]));
  });
}

async function wide(node: string, unit: string): Promise<Record<string, string>> {
  const r = await cluster.ctl(`status ${node} ${unit} -o wide`);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const rows = parseWide(r.stdout, WIDE_UNIT_HEADERS);
  expect(rows.map((row) => row.UNIT)).toEqual([unit]);
  return rows[0]!;
}

/** A Unix time in seconds as `YYYY-MM-DD HH:MM:SS` in main's local time, by `date`. */
async function localTime(seconds: number): Promise<string> {
  return (await cluster.main.run(`date -d @${seconds} '+%Y-%m-%d %H:%M:%S'`)).stdout.trim();
}

async function show(node: string, unit: string, property: string): Promise<string> {
  return (await cluster.node(node).run(`systemctl show -p ${property} --value --timestamp=unix ${shq(unit)}`)).stdout.trim();
}

describe('bluechictl status NODE UNIT -o wide', () => {
  it('shows since when and for how long, the main PID, restarts, memory and result of a running service', async () => {
    expect(await cluster.ctl('start worker1 svc.service')).toEqual({ exitCode: 0, stdout: 'Unit svc.service StartUnit operation result: done\n', stderr: '' });
    const row = await wide('worker1', 'svc.service');
    const since = Number((await show('worker1', 'svc.service', 'StateChangeTimestamp')).replace(/^@/, ''));
    expect(row).toEqual({
      UNIT: 'svc.service',
      LOADED: 'loaded',
      ACTIVE: 'active',
      SUB: 'running',
      FREEZER: 'running',
      ENABLED: 'static',
      SINCE: await localTime(since),
      FOR: expect.stringMatching(AGE),
      'MAIN PID': await show('worker1', 'svc.service', 'MainPID'),
      RESTARTS: '0',
      MEMORY: expect.stringMatching(MEMORY),
      RESULT: 'success',
    });
    expect(row['SINCE']).toMatch(SINCE);
    expect(Number(row['MAIN PID'])).toBeGreaterThan(0);
  });

  it('counts the restarts of a service that systemd restarts after SIGKILL', async () => {
    let pid = (await wide('worker1', 'svc.service'))['MAIN PID']!;
    for (const restarts of ['1', '2']) {
      await cluster.node('worker1').run(`kill -KILL ${pid}`);
      const row = await waitFor(`svc.service restarted (${restarts})`, async () => {
        const r = await wide('worker1', 'svc.service');
        return r.RESTARTS === restarts && r.ACTIVE === 'active' && r;
      }, { timeoutMs: 30_000 });
      expect(row['MAIN PID']).not.toBe(pid);
      const mainPid = await show('worker1', 'svc.service', 'MainPID');
      expect(row['MAIN PID']).toBe(mainPid);
      expect(await show('worker1', 'svc.service', 'NRestarts')).toBe(restarts);
      expect(row.RESULT).toBe('success');
      pid = row['MAIN PID']!;
    }
  });

  it('shows how a failed unit ended, and no main PID', async () => {
    expect(await cluster.ctl('start worker1 fail.service')).toEqual({ exitCode: 0, stdout: 'Unit fail.service StartUnit operation result: failed\n', stderr: '' });
    const row = await wide('worker1', 'fail.service');
    expect(row).toMatchObject({ ACTIVE: 'failed', SUB: 'failed', 'MAIN PID': '-', RESTARTS: '0', RESULT: 'exit-code' });
    expect(row.MEMORY).toMatch(MEMORY);
    expect(row.SINCE).toBe(await localTime(Number((await show('worker1', 'fail.service', 'StateChangeTimestamp')).replace(/^@/, ''))));
  });

  it('sees an Upholds= target that keeps exiting being started again from the controller', async () => {
    expect(await cluster.ctl('start main source.service')).toEqual({ exitCode: 0, stdout: 'Unit source.service StartUnit operation result: done\n', stderr: '' });
    const first = await waitFor('target.service running', async () => {
      const r = await wide('worker1', 'target.service');
      return r.ACTIVE === 'active' && r['MAIN PID'] !== '-' && r;
    });
    expect(first.SUB).toBe('running');
    // `sleep 2` exits; the proxy on main stops, Upholds= starts it again, and
    // the controller starts the target again: a new process, a later SINCE.
    const again = await waitFor('target.service started again', async () => {
      const r = await wide('worker1', 'target.service');
      return r.ACTIVE === 'active' && r['MAIN PID'] !== '-' && r['MAIN PID'] !== first['MAIN PID'] && r;
    }, { timeoutMs: 30_000 });
    expect(again.SINCE > first.SINCE).toBe(true);
    // Fresh start jobs, not Restart= restarts: systemd's counter stays at 0 (as upstream observed).
    expect(again.RESTARTS).toBe('0');
    expect(again['MAIN PID']).toBe(await show('worker1', 'target.service', 'MainPID'));
    const started = await cluster.node('worker1').run("journalctl --no-pager -o cat -u target.service | grep -c '^Started target.service'");
    expect(Number(started.stdout.trim())).toBeGreaterThanOrEqual(2);

    expect(await cluster.ctl('stop main source.service')).toEqual({ exitCode: 0, stdout: 'Unit source.service StopUnit operation result: done\n', stderr: '' });
    await waitFor('target.service stopped', async () => (await wide('worker1', 'target.service')).ACTIVE === 'inactive', { timeoutMs: 30_000 });
  });
});

describe('bluechictl status -o wide', () => {
  it('adds since when and for how long each node is connected', async () => {
    const r = await cluster.ctl('status -o wide');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const rows = parseWide(r.stdout, WIDE_NODE_HEADERS);
    const json = JSON.parse((await cluster.ctl('status --json')).stdout) as { nodes: Array<{ name: string; connectedSince: number }> };
    const expected = [];
    for (const n of json.nodes) {
      expected.push({
        NODE: n.name,
        STATE: 'online',
        IP: n.name === 'main' ? '' : LOOPBACK_IP,
        'LAST SEEN': 'now',
        'CONNECTED SINCE': await localTime(Math.floor(n.connectedSince / 1000)),
        FOR: expect.stringMatching(AGE),
      });
    }
    expect(rows).toEqual(expected);
    expect(rows.map((row) => row.NODE)).toEqual(['main', 'worker1']);
  });
});

describe('colour', () => {
  const PLAIN = MAIN_AND_WORKER1_ONLINE;
  /** `script` gives bluechictl a terminal; the terminal turns \n into \r\n. */
  const onTty = async (args: string, env = '') => {
    const r = await cluster.main.exec(`${env} script -qec ${shq(`bluechictl ${args}`)} /dev/null`);
    expect(r.exitCode).toBe(0);
    return r.stdout.replace(/\r\n/g, '\n');
  };
  const uncolour = (text: string) => text.replace(/\x1b\[\d+m/g, '');

  it('colours the STATE column on a terminal', async () => {
    const out = await onTty('status');
    expect(out).toBe(PLAIN.replace(/\| online    \|/g, `| ${GREEN}online${RESET}    |`));
    expect(uncolour(out)).toBe(PLAIN);
  });

  it('colours unit states on a terminal too', async () => {
    const units = ['svc.service', 'fail.service'];
    const out = await onTty('status worker1 svc.service fail.service');
    expect(out).toBe(
      unitTableHeader(units) +
        unitTableRow(units, 'svc.service', ['loaded', 'active', 'running', 'running', 'static']).replace('| active\t', `| ${GREEN}active${RESET}\t`) +
        unitTableRow(units, 'fail.service', ['loaded', 'failed', 'failed', 'running', 'static']).replace('| failed\t| failed', `| ${RED}failed${RESET}\t| failed`),
    );
  });

  it('never colours with NO_COLOR set, nor when the output is piped', async () => {
    expect(await onTty('status', 'NO_COLOR=1')).toBe(PLAIN);
    expect(await onTty('status worker1 svc.service', 'NO_COLOR=1')).not.toContain(ESC);
    const piped = await cluster.main.exec('bluechictl status | cat');
    expect(piped).toEqual({ exitCode: 0, stdout: PLAIN, stderr: '' });
    const list = await cluster.main.exec('bluechictl list-units worker1 | cat');
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain('| active ');
    expect(list.stdout).not.toContain(ESC);
    expect((await cluster.ctl('status worker1 svc.service -o wide')).stdout).not.toContain(ESC);
  });

  it('shows an offline node in red on a terminal', async () => {
    await cluster.node('worker1').run('systemctl stop bluechi-agent');
    try {
      const row = await waitForNodeState(cluster, 'worker1', 'offline', { timeoutMs: 15_000 });
      const out = await onTty('status worker1');
      expect(out).toBe(nodeTable([['worker1', 'offline', '', row.lastSeen]]).replace('| offline   |', `| ${RED}offline${RESET}   |`));
    } finally {
      await cluster.node('worker1').run('systemctl start bluechi-agent');
    }
    await waitForNodeState(cluster, 'worker1', 'online', { timeoutMs: 30_000 });
  });
});
