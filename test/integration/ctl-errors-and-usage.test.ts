/**
 * bluechictl's refusals, word for word with upstream: unknown, escaped and
 * offline nodes, unknown and invalid units, argument counts, unknown verbs and
 * options; the usage text on -h/--help/help; `version`; and the `ctl` alias,
 * which behaves exactly like bluechictl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import type { ExecResult } from '../harness/systemd-container.js';

const fail = (stderr: string): ExecResult => ({ exitCode: 1, stdout: '', stderr });

describe('bluechictl errors and usage', () => {
  let cluster: Cluster;
  let usage: string;

  beforeAll(async () => {
    cluster = await startCluster({
      agents: ['worker1'],
      // Configured, never connected: offline.
      controllerConf: '[node ghost]\nAllowed=true',
    });
    await cluster.node('worker1').writeUnit('bench.service', '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n');
    usage = (await cluster.ctl('--help')).stdout;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('nodes', () => {
    it('refuses an unknown node for start, stop and list-units', async () => {
      const unknown = fail("Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/nosuchnode'.\n");
      expect(await cluster.ctl('start nosuchnode bench.service')).toEqual(unknown);
      expect(await cluster.ctl('stop nosuchnode bench.service')).toEqual(unknown);
      expect(await cluster.ctl('restart nosuchnode bench.service')).toEqual(unknown);
      expect(await cluster.ctl('reload nosuchnode bench.service')).toEqual(unknown);
      expect(await cluster.ctl('list-units nosuchnode')).toEqual(unknown);
    });

    it('escapes a node name into its object path as upstream does', async () => {
      expect(await cluster.ctl(`start 'bad/node' bench.service`)).toEqual(
        fail("Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/bad_2fnode'.\n"),
      );
    });

    it('refuses a configured node that is offline', async () => {
      expect(await cluster.ctl('start ghost bench.service')).toEqual(fail('Failed to issue method call: Node is offline\n'));
      expect(await cluster.ctl('stop ghost bench.service')).toEqual(fail('Failed to issue method call: Node is offline\n'));
      expect(await cluster.ctl('list-units ghost')).toEqual(fail('Failed to issue method call: Node is offline\n'));
    });
  });

  describe('units', () => {
    it('passes on systemd\'s refusal of an unknown unit', async () => {
      expect(await cluster.ctl('start worker1 nosuch.service')).toEqual(fail('Failed to issue method call: Unit nosuch.service not found.\n'));
      expect(await cluster.ctl('restart worker1 nosuch.service')).toEqual(fail('Failed to issue method call: Unit nosuch.service not found.\n'));
      expect(await cluster.ctl('stop worker1 nosuch.service')).toEqual(fail('Failed to issue method call: Unit nosuch.service not loaded.\n'));
    });

    it('refuses an invalid unit name before asking the node', async () => {
      expect(await cluster.ctl(`start worker1 'bad unit name'`)).toEqual(
        fail('Failed to issue method call: Unit name bad unit name is not valid.\n'),
      );
      expect(await cluster.ctl(`stop worker1 'bad unit name'`)).toEqual(
        fail('Failed to issue method call: Unit name bad unit name is not valid.\n'),
      );
    });
  });

  describe('arguments', () => {
    it('counts the arguments of start', async () => {
      expect(await cluster.ctl('start')).toEqual(fail('Too few arguments for method start\n'));
      expect(await cluster.ctl('start main')).toEqual(fail('Too few arguments for method start\n'));
      expect(await cluster.ctl('start a b c')).toEqual(fail('Too many arguments for method start\n'));
      expect(await cluster.ctl('stop worker1')).toEqual(fail('Too few arguments for method stop\n'));
    });

    it('names an unknown verb and prints the usage on stdout', async () => {
      expect(await cluster.ctl('foo')).toEqual({ exitCode: 1, stdout: usage, stderr: 'Method foo not found\n' });
    });

    it('prints the usage and "No command given" without a command', async () => {
      expect(await cluster.ctl('')).toEqual({ exitCode: 1, stdout: usage, stderr: 'No command given\n' });
    });

    it('refuses an unknown option with getopt\'s words and the usage', async () => {
      expect(await cluster.ctl('--bogus')).toEqual({
        exitCode: 1,
        stdout: usage,
        stderr: "bluechictl: unrecognized option '--bogus'\n",
      });
      expect(await cluster.ctl('list-units --bogus')).toEqual({
        exitCode: 1,
        stdout: usage,
        stderr: "bluechictl: unrecognized option '--bogus'\n",
      });
    });
  });

  describe('help and version', () => {
    it('prints the same usage for -h, --help and help, exit 0', async () => {
      expect(usage).toMatch(/^bluechictl is .*\n\nUsage: \n  bluechictl \[command\]\n\nAvailable commands:\n/);
      // Every upstream verb, in upstream's order, then ours.
      const verbs = [...usage.matchAll(/\n  - ([a-z-]+): /g)].map((m) => m[1]);
      expect(verbs).toEqual([
        'help', 'list-unit-files', 'list-units', 'start', 'stop', 'freeze', 'thaw', 'reload', 'restart', 'reset-failed',
        'kill', 'enable', 'disable', 'is-enabled', 'metrics', 'monitor', 'status', 'daemon-reload', 'set-loglevel',
        'get-default', 'set-default', 'version',
      ]);
      expect(usage).toContain('\n    usage: start nodename unitname [--no-block] [--json]\n');
      expect(usage).toMatch(/\n    usage: list-units \[nodename\] \[--filter=glob\]( |\n)/);
      expect(await cluster.ctl('-h')).toEqual({ exitCode: 0, stdout: usage, stderr: '' });
      expect(await cluster.ctl('--help')).toEqual({ exitCode: 0, stdout: usage, stderr: '' });
      expect(await cluster.ctl('help')).toEqual({ exitCode: 0, stdout: usage, stderr: '' });
    });

    it('prints the version of the build', async () => {
      const daemon = await cluster.main.exec('/usr/libexec/bluechi-controller --version');
      const version = daemon.stdout.replace(/^bluechi-controller version /, '').trimEnd();
      expect(version).toMatch(/^\d+\.\d+\.\d+/);
      expect(await cluster.ctl('version')).toEqual({ exitCode: 0, stdout: `bluechictl version ${version}\n`, stderr: '' });
    });
  });

  describe('the ctl alias', () => {
    it('gives exactly the output of bluechictl', async () => {
      for (const args of ['status', 'status worker1', 'status nosuchnode', '--help', 'foo', 'version', 'start nosuchnode bench.service', 'list-units worker1 --filter=bench.service', 'status worker1 bench.service']) {
        const viaAlias = await cluster.main.exec(`ctl ${args}`);
        expect(viaAlias, `ctl ${args}`).toEqual(await cluster.ctl(args));
      }
    });

    it('runs jobs like bluechictl', async () => {
      expect(await cluster.main.exec('ctl start worker1 bench.service')).toEqual({
        exitCode: 0,
        stdout: 'Unit bench.service StartUnit operation result: done\n',
        stderr: '',
      });
      expect(await cluster.main.exec('ctl stop worker1 bench.service')).toEqual({
        exitCode: 0,
        stdout: 'Unit bench.service StopUnit operation result: done\n',
        stderr: '',
      });
    });
  });
});
