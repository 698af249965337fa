/**
 * The Debian packages on real systemd, installed as a user installs them:
 * `dpkg -i` into fresh Debian 12 containers that have neither the staged
 * tree nor a Node of their own. A 3-node cluster comes up from the packages
 * alone and runs a cross-node proxy; then an upgrade to rebuilt packages, and
 * removal with `dpkg -r` (configuration kept) and `dpkg -P` (configuration
 * gone). A last machine has Debian's own nodejs 18: dpkg refuses the
 * packages, and every program, forced in, says what it needs.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, parseNodeStatus } from '../harness/cluster.js';
import { buildNodejsPackage, buildPackages, tempDir } from '../harness/debian-packages.js';
import { SystemdNode, distRoot } from '../harness/systemd-container.js';
import { waitFor } from '../harness/wait.js';
import { execFileSync } from 'node:child_process';

/** The version the staged programs report, and the one of the rebuilt packages. */
const VERSION = /^bluechictl version (\S+)\n$/.exec(execFileSync(process.execPath, [join(distRoot(), 'usr/lib/bluechi/bluechictl.cjs'), 'version'], { encoding: 'utf8' }))![1]!;
const UPGRADED = `${VERSION}+rebuilt1`;

const ALL = ['bluechi-controller', 'bluechi-agent', 'bluechi-ctl', 'bluechi-is-online'];
const AGENT_ONLY = ['bluechi-agent', 'bluechi-is-online'];
const debs = (dir: 'v1' | 'v2', names: string[]) => names.map((n) => `/pkgs/${dir}/${n}_*_all.deb`).join(' ');

/** Every man page the packages ship, by package. */
const MAN_PAGES: Record<string, string[]> = {
  'bluechi-controller': ['man8/bluechi-controller.8.gz', 'man5/bluechi-controller.conf.5.gz'],
  'bluechi-agent': ['man8/bluechi-agent.8.gz', 'man5/bluechi-agent.conf.5.gz', 'man1/bluechi-proxy.1.gz'],
  'bluechi-ctl': ['man1/bluechictl.1.gz', 'man1/ctl.1.gz'],
  'bluechi-is-online': ['man1/bluechi-is-online.1.gz'],
};

let pkgs: string;
let port: number;
let main: SystemdNode;
let worker1: SystemdNode;
let worker2: SystemdNode;

const dpkgStatus = async (node: SystemdNode, pkg: string) =>
  (await node.exec(`dpkg-query -W -f '\${db:Status-Status} \${Version}' ${pkg}`)).stdout;

async function mainPid(node: SystemdNode, unit: string): Promise<string> {
  return (await node.run(`systemctl show -P MainPID ${unit}`)).stdout.trim();
}

async function statusTable(): Promise<Record<string, string>> {
  const r = await main.exec('bluechictl status');
  if (r.exitCode !== 0) return {};
  return Object.fromEntries(parseNodeStatus(r.stdout).map((n) => [n.node, n.state]));
}

async function waitNodes(expected: Record<string, string>): Promise<void> {
  await waitFor(
    `nodes ${JSON.stringify(expected)}`,
    async () => {
      const seen = await statusTable();
      return Object.entries(expected).every(([node, state]) => seen[node] === state);
    },
    { timeoutMs: 60_000 },
  );
}

/** source.service on main wants target.service on worker1 through bluechi-proxy@; stopping it lets the target stop. */
async function proxyScenario(): Promise<void> {
  expect(await main.exec('bluechictl start main source.service')).toEqual({
    exitCode: 0,
    stdout: 'Unit source.service StartUnit operation result: done\n',
    stderr: '',
  });
  await waitFor('target.service active on worker1', async () => (await worker1.exec('systemctl is-active target.service')).stdout === 'active\n');
  expect((await main.exec('systemctl is-active bluechi-proxy@worker1_target.service')).stdout).toBe('active\n');
  expect((await worker1.exec('systemctl is-active bluechi-dep@target.service')).stdout).toBe('active\n');
  expect((await main.exec('bluechictl stop main source.service')).stdout).toBe('Unit source.service StopUnit operation result: done\n');
  await waitFor('target.service stopped on worker1', async () => (await worker1.exec('systemctl is-active target.service')).stdout === 'inactive\n');
}

beforeAll(async () => {
  pkgs = await tempDir('packages');
  await Promise.all([
    buildPackages(join(pkgs, 'v1')),
    buildPackages(join(pkgs, 'v2'), { version: UPGRADED }),
    buildNodejsPackage(join(pkgs, 'node')),
  ]);
  port = await freePort();
  const binds = [{ source: pkgs, target: '/pkgs' }];
  [main, worker1, worker2] = await Promise.all(
    ['main', 'worker1', 'worker2'].map((name) => SystemdNode.start({ name, bare: true, readOnlyBinds: binds })),
  );
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([main, worker1, worker2].filter(Boolean).map((n) => n.stop()));
  if (pkgs) await rm(pkgs, { recursive: true, force: true });
});

describe('the Debian packages on three fresh Debian 12 machines', () => {
  it('a bare machine has no node and no bluechi until the packages are installed', async () => {
    expect((await main.exec('command -v node bluechictl')).exitCode).not.toBe(0);
    expect((await main.exec('ls /pkgs/v1')).stdout.split('\n').filter(Boolean).sort()).toEqual(
      ALL.map((n) => `${n}_${VERSION}-1_all.deb`).sort(),
    );
  });

  it('dpkg -i installs them with their nodejs dependency; nothing is enabled or started', async () => {
    for (const node of [main, worker1, worker2]) await node.run('dpkg -i /pkgs/node/nodejs_*.deb');
    await main.run(`dpkg -i ${debs('v1', ALL)} </dev/null`);
    for (const node of [worker1, worker2]) await node.run(`dpkg -i ${debs('v1', AGENT_ONLY)} </dev/null`);

    for (const pkg of ALL) expect(await dpkgStatus(main, pkg)).toBe(`installed ${VERSION}-1`);
    expect(await dpkgStatus(worker1, 'bluechi-controller')).toBe('');
    expect((await worker1.exec('test -e /usr/libexec/bluechi-controller')).exitCode).toBe(1);
    expect((await main.run('bluechictl version')).stdout).toBe(`bluechictl version ${VERSION}\n`);
    expect((await main.run('ctl version')).stdout).toBe(`bluechictl version ${VERSION}\n`);
    expect((await worker1.run('bluechi-is-online version')).stdout).toBe(`bluechi-is-online version ${VERSION}\n`);
    // Enabling and starting is the administrator's call.
    expect((await main.exec('systemctl is-enabled bluechi-controller.service bluechi-agent.service')).stdout).toBe('disabled\ndisabled\n');
    expect((await main.exec('systemctl is-active bluechi-controller.service bluechi-agent.service')).stdout).toBe('inactive\ninactive\n');
    // postinst: the readers group, the runtime folder, units known to systemd.
    expect((await main.exec('getent group bluechi-readers')).exitCode).toBe(0);
    expect((await worker1.exec('getent group bluechi-readers')).exitCode).toBe(0);
    expect((await main.run('stat -c %a /run/bluechi')).stdout).toBe('700\n');
    expect((await main.run('systemctl show -P LoadState bluechi-proxy@x_y.service')).stdout).toBe('loaded\n');
    // The administrator's files are conffiles.
    expect((await main.run('dpkg-query -W -f \'${Conffiles}\' bluechi-controller')).stdout).toMatch(/^ \/etc\/bluechi\/controller\.conf [0-9a-f]{32}$/m);
    expect((await main.run('dpkg-query -W -f \'${Conffiles}\' bluechi-agent')).stdout).toMatch(/^ \/etc\/bluechi\/agent\.conf [0-9a-f]{32}$/m);
  });

  it('ships every man page, and systemd-analyze verify passes on every unit, man: links included', async () => {
    for (const [pkg, pages] of Object.entries(MAN_PAGES)) {
      const listed = (await main.run(`dpkg -L ${pkg}`)).stdout;
      for (const page of pages) expect(listed).toContain(`/usr/share/man/${page}`);
    }
    for (const page of ['bluechictl', 'ctl', 'bluechi-is-online', 'bluechi-proxy', 'bluechi-controller', 'bluechi-agent', 'bluechi-controller.conf', 'bluechi-agent.conf']) {
      const r = await main.exec(`man -w ${page}`);
      expect(r.exitCode, `${page}: ${r.stderr}`).toBe(0);
    }
    const rendered = await main.run('MANWIDTH=80 man bluechictl 2>&1 | head -n 5');
    expect(rendered.stdout).toMatch(/^BLUECHICTL\(1\)/);
    const units = (await main.run('dpkg -L bluechi-controller bluechi-agent | grep "^/usr/lib/systemd/system/"')).stdout.trim().split('\n');
    expect(units.length).toBeGreaterThanOrEqual(7);
    // An on-demand socket listens where its instance's drop-in says (as
    // docs/on-demand-activation.md sets it up); the template has no address.
    await main.writeFile('/etc/systemd/system/bluechi-ondemand@worker1_dbus.socket.d/listen.conf', '[Socket]\nListenStream=127.0.0.1:18080\n');
    await main.run('systemctl daemon-reload');
    for (const file of units) {
      // A template is verified through an instance of it: bluechi-dep@ names
      // a unit that must exist (dbus.service does), the others a NODE_UNIT pair.
      const base = file.split('/').pop()!;
      const name = base.startsWith('bluechi-dep@') ? base.replace('@.', '@dbus.') : base.replace('@.', '@worker1_dbus.');
      const r = await main.exec(`systemd-analyze verify --man=yes ${name}`);
      expect({ unit: name, ...r }).toEqual({ unit: name, exitCode: 0, stdout: '', stderr: '' });
    }
  });

  it('a 3-node cluster comes up from the packages alone and runs a cross-node proxy', async () => {
    await main.writeFile(
      '/etc/bluechi/controller.conf.d/50-cluster.conf',
      `[bluechi-controller]\nControllerPort=${port}\nAllowedNodeNames=main,worker1,worker2\n\n[node main]\nAllowDependenciesOn=worker1\n[node worker2]\nAllowDependenciesOn=worker1\n`,
    );
    await main.writeFile('/etc/bluechi/agent.conf.d/50-node.conf', '[bluechi-agent]\nNodeName=main\nControllerAddress=unix:path=/run/bluechi/bluechi.sock\n');
    for (const [name, node] of [['worker1', worker1], ['worker2', worker2]] as const) {
      await node.writeFile('/etc/bluechi/agent.conf.d/50-node.conf', `[bluechi-agent]\nNodeName=${name}\nControllerHost=127.0.0.1\nControllerPort=${port}\n`);
    }
    await main.run('systemctl enable --now bluechi-controller.service && systemctl enable --now bluechi-agent.service');
    await Promise.all([worker1, worker2].map((n) => n.run('systemctl enable --now bluechi-agent.service')));
    await waitNodes({ main: 'online', worker1: 'online', worker2: 'online' });
    // Logged under the daemon's name, and without V8's warning about flags.
    const agentLog = (await worker1.run('journalctl -b -t bluechi-agent -o cat')).stdout;
    expect(agentLog).toContain(`Starting bluechi-agent ${VERSION} as node 'worker1'`);
    expect(agentLog).not.toContain('Warning:');

    await worker1.writeUnit('target.service', '[Unit]\nStopWhenUnneeded=yes\n\n[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n');
    await main.writeUnit(
      'source.service',
      '[Unit]\nWants=bluechi-proxy@worker1_target.service\nAfter=bluechi-proxy@worker1_target.service\n\n[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n',
    );
    await proxyScenario();
  });

  it('an upgrade to rebuilt packages keeps the configuration and restarts the running daemons', async () => {
    await main.run("printf '# kept across upgrades\\n' >> /etc/bluechi/controller.conf");
    // A cross-node dependency that runs through the upgrade: worker2's agent
    // restarts while the (already upgraded) controller runs.
    await worker2.writeUnit(
      'source2.service',
      '[Unit]\nWants=bluechi-proxy@worker1_target.service\nAfter=bluechi-proxy@worker1_target.service\n\n[Service]\nType=simple\nExecStart=/bin/true\nRemainAfterExit=yes\n',
    );
    expect((await main.exec('bluechictl start worker2 source2.service')).stdout).toBe('Unit source2.service StartUnit operation result: done\n');
    await waitFor('target.service active on worker1', async () => (await worker1.exec('systemctl is-active target.service')).stdout === 'active\n');
    const before = { controller: await mainPid(main, 'bluechi-controller'), agent: await mainPid(worker1, 'bluechi-agent') };

    // stdin closed: a conffile question would fail the install instead of waiting.
    await main.run(`dpkg -i ${debs('v2', ALL)} </dev/null`);
    for (const node of [worker1, worker2]) await node.run(`dpkg -i ${debs('v2', AGENT_ONLY)} </dev/null`);

    for (const pkg of ALL) expect(await dpkgStatus(main, pkg)).toBe(`installed ${UPGRADED}-1`);
    expect((await main.run('bluechictl version')).stdout).toBe(`bluechictl version ${UPGRADED}\n`);
    expect((await main.run('cat /etc/bluechi/controller.conf')).stdout).toContain('# kept across upgrades\n');
    expect((await main.run('cat /etc/bluechi/controller.conf.d/50-cluster.conf')).stdout).toContain(`ControllerPort=${port}`);
    // Running daemons were restarted on the new files; still enabled.
    expect(await mainPid(main, 'bluechi-controller')).not.toBe(before.controller);
    expect(await mainPid(worker1, 'bluechi-agent')).not.toBe(before.agent);
    expect((await main.exec('systemctl is-enabled bluechi-controller.service')).stdout).toBe('enabled\n');
    await waitNodes({ main: 'online', worker1: 'online', worker2: 'online' });
    expect((await main.run('journalctl -b -u bluechi-controller -o cat')).stdout).toContain(`Starting bluechi-controller ${UPGRADED}\n`);
    // The restarted agent announced its running proxy under a new id; the
    // controller counts it once, so the target stops as soon as the source does.
    await waitFor('proxy announced again', async () =>
      /Node 'worker2' announced its proxy for target\.service on node worker1 again as proxy \d+ \(was \d+\)/.test(
        (await main.run('journalctl -b -u bluechi-controller -o cat')).stdout,
      ),
    );
    expect((await worker1.exec('systemctl is-active target.service')).stdout).toBe('active\n');
    expect((await main.exec('bluechictl stop worker2 source2.service')).stdout).toBe('Unit source2.service StopUnit operation result: done\n');
    await waitFor('target.service stopped on worker1', async () => (await worker1.exec('systemctl is-active target.service')).stdout === 'inactive\n');
    await proxyScenario();
  });

  it('dpkg -r removes the programs and stops the daemon but keeps the configuration', async () => {
    await worker2.run(`dpkg -r ${AGENT_ONLY.join(' ')}`);
    expect(await dpkgStatus(worker2, 'bluechi-agent')).toBe(`config-files ${UPGRADED}-1`);
    expect((await worker2.exec('test -e /usr/libexec/bluechi-agent || test -e /usr/lib/bluechi || test -e /usr/bin/bluechi-is-online')).exitCode).toBe(1);
    expect((await worker2.run('systemctl show -P LoadState bluechi-agent.service')).stdout).toBe('not-found\n');
    // [b]: the pattern must not match the shell that runs pgrep.
    expect((await worker2.exec("pgrep -f '[b]luechi-agent'")).exitCode).toBe(1);
    expect((await worker2.run('ls /etc/bluechi /etc/bluechi/agent.conf.d')).stdout).toBe(
      '/etc/bluechi:\nagent.conf\nagent.conf.d\n\n/etc/bluechi/agent.conf.d:\n50-node.conf\n',
    );
    await waitNodes({ main: 'online', worker1: 'online', worker2: 'offline' });
  });

  it('dpkg -P removes the configuration too, and nothing of the packages is left', async () => {
    await worker2.run(`dpkg -P ${AGENT_ONLY.join(' ')}`);
    expect(await dpkgStatus(worker2, 'bluechi-agent')).toBe('');
    expect((await worker2.exec('test -e /etc/bluechi')).exitCode).toBe(1);
    // (man's own cache of formatted pages is man-db's to expire.)
    expect((await worker2.run("find /etc /usr /var -name '*bluechi*' ! -path '/var/log/*' ! -path '/var/cache/man/*'")).stdout).toBe('');

    // On main: everything at once, while the cluster runs.
    await main.run(`dpkg -r ${ALL.join(' ')}`);
    expect((await main.exec('systemctl is-active bluechi-controller.service bluechi-agent.service')).stdout).toMatch(/^(inactive|unknown)\n(inactive|unknown)\n$/);
    expect((await main.exec("pgrep -f '[b]luechi-(controller|agent)'")).exitCode).toBe(1);
    expect((await main.run('ls /etc/bluechi')).stdout).toBe('agent.conf\nagent.conf.d\ncontroller.conf\ncontroller.conf.d\n');
    await main.run(`dpkg -P ${ALL.join(' ')}`);
    expect((await main.exec('test -e /etc/bluechi')).exitCode).toBe(1);
    // Only the administrator's own files are left: the drop-in written for
    // the on-demand socket, and source.service, which names a proxy.
    expect((await main.run("find /etc /usr /var -name '*bluechi*' ! -path '/var/log/*' ! -path '/var/cache/man/*'")).stdout).toBe(
      '/etc/systemd/system/bluechi-ondemand@worker1_dbus.socket.d\n',
    );
    expect((await main.run('ls /etc/systemd/system')).stdout).toContain('source.service');
  });
});

describe("on Debian 12 with Debian's own nodejs 18", () => {
  let old: SystemdNode;

  beforeAll(async () => {
    old = await SystemdNode.start({ name: 'node18', bare: true, readOnlyBinds: [{ source: pkgs, target: '/pkgs' }] });
    await old.run('DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs >/dev/null');
  }, 600_000);

  afterAll(async () => {
    await old?.stop();
  });

  it('dpkg refuses the packages: they depend on nodejs (>= 20.19)', async () => {
    expect((await old.run('node --version')).stdout).toMatch(/^v18\./);
    const r = await old.exec(`dpkg -i ${debs('v1', ['bluechi-agent'])} </dev/null`);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/bluechi-agent depends on nodejs \(>= 20\.19\); however:\n\s+Version of nodejs on system is 18\./);
  });

  it('forced in anyway, every program says which Node it needs instead of failing inside', async () => {
    await old.exec(`dpkg --force-depends -i ${debs('v1', ALL)} </dev/null`);
    const needs = (program: string) => new RegExp(`^${program}: needs Node\\.js 20\\.19 or newer, but \\S+ is Node\\.js 18\\.\\d+\\.\\d+\\.\\n${program}: install Node\\.js 20\\.19 or newer as \`node\` on PATH`);
    for (const [command, program, status] of [
      ['bluechictl version', 'bluechictl', 1],
      ['bluechi-is-online version', 'bluechi-is-online', 1],
      ['/usr/libexec/bluechi-controller --help', 'bluechi-controller', 78],
      ['/usr/libexec/bluechi-agent --help', 'bluechi-agent', 78],
    ] as const) {
      const r = await old.exec(command);
      expect(r.stdout, command).toBe('');
      expect(r.stderr, command).toMatch(needs(program));
      expect(r.exitCode, command).toBe(status);
    }
    // As a service: status 78, which the unit does not restart on, and the reason in the journal.
    expect((await old.exec('systemctl start bluechi-agent.service')).exitCode).not.toBe(0);
    await waitFor('bluechi-agent failed', async () => (await old.exec('systemctl is-failed bluechi-agent.service')).stdout === 'failed\n');
    expect((await old.run('systemctl show -P ExecMainStatus bluechi-agent.service')).stdout).toBe('78\n');
    expect((await old.run('systemctl show -P NRestarts bluechi-agent.service')).stdout).toBe('0\n');
    expect(await old.journal('bluechi-agent.service')).toContain('bluechi-agent: needs Node.js 20.19 or newer');
  });
});
