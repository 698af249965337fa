/**
 * A configuration the daemons cannot read stops them, and the journal names
 * the file and the line: a line without '=' in a drop-in, and a port that is
 * not a number. Fixing the file lets them start. Also the daemons' own
 * --help and --version.
 *
 * The units are Type=notify and the daemons exit 78 (EX_CONFIG) before they
 * report READY=1, so `systemctl start` itself fails; the unit ends up `failed`
 * with Result=exit-code and status 78, and is not restarted
 * (RestartPreventExitStatus=78).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { waitForJournalLine } from '../harness/wait.js';

type Daemon = { unit: string; program: string; dropInDir: string; section: string };
const CONTROLLER: Daemon = {
  unit: 'bluechi-controller',
  program: '/usr/libexec/bluechi-controller',
  dropInDir: '/etc/bluechi/controller.conf.d',
  section: 'bluechi-controller',
};
const AGENT: Daemon = {
  unit: 'bluechi-agent',
  program: '/usr/libexec/bluechi-agent',
  dropInDir: '/etc/bluechi/agent.conf.d',
  section: 'bluechi-agent',
};

describe('configuration errors stop the daemons', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ agents: [], start: false });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Writes a broken drop-in, starts the daemon, waits for it to fail; returns the journal lines. */
  async function startWithBrokenDropIn(daemon: Daemon, body: string, expectedLine: string): Promise<string[]> {
    const main = cluster.main;
    const file = `${daemon.dropInDir}/5-broken.conf`;
    await main.writeFile(file, `[${daemon.section}]\n${body}\n`);
    try {
      const start = await main.exec(`systemctl reset-failed ${daemon.unit} 2>/dev/null; systemctl start ${daemon.unit}`);
      expect(start.exitCode).not.toBe(0);
      expect(start.stderr).toContain(`Job for ${daemon.unit}.service failed`);
      expect((await main.exec(`systemctl is-failed ${daemon.unit}`)).stdout).toBe('failed\n');
      const show = await main.run(`systemctl show -p Result,ExecMainStatus,NRestarts ${daemon.unit}`);
      expect(show.stdout).toBe('Result=exit-code\nNRestarts=0\nExecMainStatus=78\n');
      const journal = await waitForJournalLine(main, daemon.unit, expectedLine);
      expect(journal).toContain(`${daemon.unit}.service: Main process exited, code=exited, status=78/CONFIG`);
      return journal;
    } finally {
      await main.run(`rm -f ${file}; systemctl reset-failed ${daemon.unit}`);
    }
  }

  it('stops the controller on a drop-in line without "="', async () => {
    await startWithBrokenDropIn(
      CONTROLLER,
      'this line has no equals sign',
      "bluechi-controller: Error parsing configuration file '/etc/bluechi/controller.conf.d/5-broken.conf' on line 2",
    );
  });

  it('stops the controller on an invalid port', async () => {
    await startWithBrokenDropIn(
      CONTROLLER,
      'ControllerPort=542O',
      "bluechi-controller: Invalid port format '542O' in '/etc/bluechi/controller.conf.d/5-broken.conf' on line 2",
    );
  });

  it('stops the agent on a drop-in line without "="', async () => {
    await startWithBrokenDropIn(
      AGENT,
      'this line has no equals sign',
      "bluechi-agent: Error parsing configuration file '/etc/bluechi/agent.conf.d/5-broken.conf' on line 2",
    );
  });

  it('stops the agent on an invalid port', async () => {
    await startWithBrokenDropIn(
      AGENT,
      'ControllerPort=542O',
      "bluechi-agent: Invalid port format '542O' in '/etc/bluechi/agent.conf.d/5-broken.conf' on line 2",
    );
  });

  it('starts both once the broken drop-ins are gone', async () => {
    await cluster.startServices();
    await cluster.waitOnline(['main'], 20_000);
    expect((await cluster.main.systemctl('is-active', 'bluechi-controller', 'bluechi-agent')).stdout).toBe('active\nactive\n');
  });

  it('an unknown LogLevel or key is ignored, as upstream does, but logged under the daemon\'s own journal tag', async () => {
    const main = cluster.main;
    for (const daemon of [CONTROLLER, AGENT]) await main.writeFile(`${daemon.dropInDir}/5-loglevel.conf`, `[${daemon.section}]\nLogLevel=LOUD\nLogLevl=DEBUG\n`);
    try {
      await main.run('systemctl restart bluechi-controller bluechi-agent');
      await cluster.waitOnline(['main'], 20_000);
      for (const daemon of [CONTROLLER, AGENT]) {
        const line = `Ignoring LogLevel=LOUD ('${daemon.dropInDir}/5-loglevel.conf' line 2): not one of DEBUG, INFO, WARN, ERROR; using INFO`;
        await waitForJournalLine(main, daemon.unit, line);
        await waitForJournalLine(main, daemon.unit, `Ignoring the unknown key LogLevl= in [${daemon.section}] ('${daemon.dropInDir}/5-loglevel.conf' line 3)`);
        // SyslogIdentifier= in the units: the lines carry the daemon's name, not "env".
        expect((await main.run(`journalctl -b -t ${daemon.unit} -o cat`)).stdout).toContain(line);
      }
      expect((await main.systemctl('is-active', 'bluechi-controller', 'bluechi-agent')).stdout).toBe('active\nactive\n');
    } finally {
      await main.run(`rm -f ${CONTROLLER.dropInDir}/5-loglevel.conf ${AGENT.dropInDir}/5-loglevel.conf`);
    }
  });

  for (const daemon of [CONTROLLER, AGENT]) {
    const name = daemon.unit;

    it(`${name}: --version and -v print the version`, async () => {
      const long = await cluster.main.exec(`${daemon.program} --version`);
      expect(long.exitCode).toBe(0);
      expect(long.stderr).toBe('');
      expect(long.stdout).toMatch(new RegExp(`^${name} version \\d+\\.\\d+\\.\\d+\\S*\\n$`));
      expect(await cluster.main.exec(`${daemon.program} -v`)).toEqual(long);
      expect((await cluster.ctl('version')).stdout).toBe(long.stdout.replace(name, 'bluechictl'));
    });

    it(`${name}: --help and -h print the usage`, async () => {
      const long = await cluster.main.exec(`${daemon.program} --help`);
      expect(long.exitCode).toBe(0);
      expect(long.stderr).toBe('');
      expect(long.stdout).toMatch(new RegExp(`^Usage: ${name} \\[options\\]\\n`));
      for (const option of ['-h, --help', '-v, --version', '-p, --port PORT', '-c, --config FILE']) {
        expect(long.stdout).toContain(`  ${option} `);
      }
      expect(await cluster.main.exec(`${daemon.program} -h`)).toEqual(long);
    });

    it(`${name}: an unknown option prints the usage on stderr, exit 1`, async () => {
      const usage = (await cluster.main.exec(`${daemon.program} --help`)).stdout;
      expect(await cluster.main.exec(`${daemon.program} --bogus`)).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: `${name}: unrecognized option '--bogus'\n${usage}`,
      });
    });
  }
});
