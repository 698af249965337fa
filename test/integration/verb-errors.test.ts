/**
 * The refusals of freeze, thaw, kill, reset-failed, enable, disable,
 * is-enabled, daemon-reload, list-unit-files, get-default, set-default and
 * set-loglevel, word for word with upstream: an unknown node, a node that is
 * offline (its agent stopped), a unit systemd does not know (in systemd's
 * words), too few or too many arguments, options the verb does not take, and
 * bad option values. Each verb keeps upstream's own wording: kill names its
 * method, reset-failed of a node names the node, enable and disable print two
 * lines, the second without a newline.
 *
 * Deliberate differences (documented in the ctl sources): set-default with a
 * non-target and set-loglevel NODE with an invalid level exit 1, and a failed
 * disable exits 1 even when the daemon-reload after it succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { parseListUnitFiles, unitFileCallFailure, unknownNodeMessage } from '../harness/expected-output.js';
import type { ExecResult, SystemdNode } from '../harness/systemd-container.js';
import { waitForNodeState } from '../harness/wait.js';

const fail = (stderr: string, stdout = ''): ExecResult => ({ exitCode: 1, stdout, stderr });

/** Runs each command line and compares all results at once, so one failure shows the whole table. */
async function expectAll(cluster: Cluster, cases: Array<[args: string, expected: ExecResult]>): Promise<void> {
  const actual: Record<string, ExecResult> = {};
  const expected: Record<string, ExecResult> = {};
  for (const [args, want] of cases) {
    actual[args] = await cluster.ctl(args);
    expected[args] = want;
  }
  expect(actual).toEqual(expected);
}

describe('verb errors match upstream bluechictl', () => {
  let cluster: Cluster;
  let worker1: SystemdNode;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1', 'worker2'] });
    worker1 = cluster.node('worker1');
    await worker1.writeFile('/etc/systemd/system/bench.service', '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n');
    await worker1.writeFile('/etc/systemd/system/fail-w1.service', '[Service]\nType=oneshot\nExecStart=/bin/false\n');
    await worker1.run('systemctl daemon-reload');
    // worker2 goes offline: its agent stops, the controller still knows the node.
    await cluster.node('worker2').run('systemctl stop bluechi-agent');
    await waitForNodeState(cluster, 'worker2', 'offline');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('an unknown node', () => {
    const unknown = unknownNodeMessage('nosuchnode');

    it('is refused as an unknown object by every verb that names a node', async () => {
      const method = fail(`Failed to issue method call: ${unknown}\n`);
      await expectAll(cluster, [
        ['freeze nosuchnode bench.service', method],
        ['thaw nosuchnode bench.service', method],
        ['is-enabled nosuchnode bench.service', method],
        ['daemon-reload nosuchnode', method],
        ['list-unit-files nosuchnode', method],
        ['get-default nosuchnode', method],
        ['set-default nosuchnode multi-user.target', method],
        ['set-loglevel nosuchnode DEBUG', method],
        // The node is checked before the level.
        ['set-loglevel nosuchnode FOO', method],
      ]);
    });

    it("keeps each verb's own wording: kill, reset-failed, enable and disable", async () => {
      await expectAll(cluster, [
        ['kill nosuchnode bench.service', fail(`Failed to issue method call for KillUnit: ${unknown}\n`)],
        ['reset-failed nosuchnode', fail(`Couldn't reset failed state of all units on node 'nosuchnode': ${unknown}\n`)],
        ['reset-failed nosuchnode bench.service', fail(`Failed to issue method call: ${unknown}\n`, '1 bench.service\n')],
        ['enable nosuchnode bench.service', fail(unitFileCallFailure('enable', 'nosuchnode', unknown, 'Invalid request descriptor'))],
        // disable goes on to the daemon-reload, which fails as well.
        [
          'disable nosuchnode bench.service',
          fail(unitFileCallFailure('disable', 'nosuchnode', unknown, 'Invalid request descriptor') + `Failed to issue method call: ${unknown}\n`),
        ],
        ['disable nosuchnode bench.service --no-reload', fail(unitFileCallFailure('disable', 'nosuchnode', unknown, 'Invalid request descriptor'))],
      ]);
    });

    it('escapes the node name into the object path', async () => {
      await expectAll(cluster, [
        ["is-enabled 'bad/node' bench.service", fail(`Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/bad_2fnode'.\n`)],
        ["kill 'node-1' bench.service", fail(`Failed to issue method call for KillUnit: Unknown object '/org/eclipse/bluechi/node/node_2d1'.\n`)],
        ['daemon-reload 9lives', fail(`Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/_39lives'.\n`)],
      ]);
    });

    it('treats an empty node name as an unknown node, and an empty unit name as an invalid one', async () => {
      await expectAll(cluster, [
        ["start '' bench.service", fail("Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/_'.\n")],
        ["list-units ''", fail("Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/_'.\n")],
        ["set-loglevel '' DEBUG", fail("Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/_'.\n")],
        ["start worker1 ''", fail('Failed to issue method call: Unit name  is not valid.\n')],
      ]);
    });
  });

  describe('an offline node', () => {
    it('is refused with "Node is offline" by every verb that names it', async () => {
      const offline = fail('Failed to issue method call: Node is offline\n');
      await expectAll(cluster, [
        ['freeze worker2 bench.service', offline],
        ['thaw worker2 bench.service', offline],
        ['is-enabled worker2 bench.service', offline],
        ['daemon-reload worker2', offline],
        ['list-unit-files worker2', offline],
        ['get-default worker2', offline],
        ['set-default worker2 multi-user.target', offline],
        ['set-loglevel worker2 DEBUG', offline],
        ['set-loglevel worker2 FOO', offline],
        ['kill worker2 bench.service', fail('Failed to issue method call for KillUnit: Node is offline\n')],
        ['reset-failed worker2', fail("Couldn't reset failed state of all units on node 'worker2': Node is offline\n")],
        ['reset-failed worker2 bench.service', fail('Failed to issue method call: Node is offline\n', '1 bench.service\n')],
        ['enable worker2 bench.service', fail(unitFileCallFailure('enable', 'worker2', 'Node is offline', 'Input/output error'))],
        [
          'disable worker2 bench.service',
          fail(unitFileCallFailure('disable', 'worker2', 'Node is offline', 'Input/output error') + 'Failed to issue method call: Node is offline\n'),
        ],
        ['disable worker2 bench.service --no-reload', fail(unitFileCallFailure('disable', 'worker2', 'Node is offline', 'Input/output error'))],
      ]);
    });

    it('is reported by reset-failed of all nodes, which still resets the others; the exit status is the last node\'s', async () => {
      await worker1.exec('systemctl start fail-w1.service');
      expect((await worker1.systemctl('is-failed', 'fail-w1.service')).stdout).toBe('failed\n');
      // worker2 is the last node in configuration order.
      expect(await cluster.ctl('reset-failed')).toEqual(
        fail("Couldn't reset failed state of all units on node 'worker2': Node is offline\n"),
      );
      expect((await worker1.systemctl('is-failed', 'fail-w1.service')).stdout).not.toBe('failed\n');
    });

    it('is left out of list-unit-files of all nodes', async () => {
      const result = await cluster.ctl("list-unit-files --filter='*bluechi-agent.service'");
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      expect(parseListUnitFiles(result.stdout).map((r) => r.node)).toEqual(['main', 'worker1']);
    });
  });

  describe('a unit systemd does not know', () => {
    it("is refused in systemd's words", async () => {
      await expectAll(cluster, [
        ['freeze worker1 nosuch.service', fail('Failed to issue method call: Unit nosuch.service not loaded.\n')],
        ['thaw worker1 nosuch.service', fail('Failed to issue method call: Unit nosuch.service not loaded.\n')],
        ['kill worker1 nosuch.service', fail('Failed to issue method call for KillUnit: Unit nosuch.service not loaded.\n')],
        ['reset-failed worker1 nosuch.service', fail('Failed to issue method call: Unit nosuch.service not loaded.\n', '1 nosuch.service\n')],
        ['is-enabled worker1 nosuch.service', fail('Failed to issue method call: No such file or directory\n')],
        ['set-default worker1 nosuch.target', fail('Failed to issue method call: Unit file nosuch.target does not exist.\n')],
        [
          'enable worker1 nosuch.service',
          fail(unitFileCallFailure('enable', 'worker1', 'Unit file nosuch.service does not exist.', 'No such file or directory')),
        ],
        // The daemon-reload after it succeeds; the failed disable still exits 1.
        [
          'disable worker1 nosuch.service',
          fail(unitFileCallFailure('disable', 'worker1', 'Unit file nosuch.service does not exist.', 'No such file or directory')),
        ],
      ]);
    });

    it('agrees with what systemctl on the node gets from systemd', async () => {
      const systemctl = async (cmd: string) => (await worker1.exec(`systemctl ${cmd}`)).stderr.trimEnd();
      expect(await systemctl('kill nosuch.service')).toBe('Failed to kill unit nosuch.service: Unit nosuch.service not loaded.');
      expect(await systemctl('enable nosuch.service')).toBe('Failed to enable unit: Unit file nosuch.service does not exist.');
      expect(await systemctl('is-enabled nosuch.service')).toBe('Failed to get unit file state for nosuch.service: No such file or directory');
    });
  });

  describe('arguments', () => {
    it('counts the positional arguments of every verb', async () => {
      const few = (verb: string) => fail(`Too few arguments for method ${verb}\n`);
      const many = (verb: string) => fail(`Too many arguments for method ${verb}\n`);
      await expectAll(cluster, [
        ['freeze worker1', few('freeze')],
        ['freeze worker1 a.service b.service', many('freeze')],
        ['thaw', few('thaw')],
        ['thaw worker1 a.service b.service', many('thaw')],
        ['kill worker1', few('kill')],
        ['kill worker1 a.service b.service', many('kill')],
        ['enable', few('enable')],
        ['enable worker1', few('enable')],
        ['disable worker1', few('disable')],
        ['is-enabled worker1', few('is-enabled')],
        ['is-enabled worker1 a.service b.service', many('is-enabled')],
        ['daemon-reload', few('daemon-reload')],
        ['daemon-reload worker1 worker2', many('daemon-reload')],
        ['list-unit-files worker1 worker2', many('list-unit-files')],
        ['get-default', few('get-default')],
        ['get-default worker1 worker2', many('get-default')],
        ['set-default worker1', few('set-default')],
        ['set-default worker1 multi-user.target graphical.target', many('set-default')],
        ['set-loglevel', few('set-loglevel')],
        ['set-loglevel worker1 DEBUG INFO', many('set-loglevel')],
      ]);
    });

    it('refuses options the verb does not take, by their long name', async () => {
      const unsupported = (option: string, verb: string) => fail(`Unsupported option '${option}' for method '${verb}'\n`);
      await expectAll(cluster, [
        ['freeze worker1 bench.service --force', unsupported('force', 'freeze')],
        ['thaw worker1 bench.service -f', unsupported('force', 'thaw')],
        ["kill worker1 bench.service --filter='*'", unsupported('filter', 'kill')],
        ['reset-failed --no-reload', unsupported('no-reload', 'reset-failed')],
        ['reset-failed worker1 bench.service --runtime', unsupported('runtime', 'reset-failed')],
        ["enable worker1 bench.service --filter='*'", unsupported('filter', 'enable')],
        ['enable worker1 bench.service --kill-whom=all', unsupported('kill-whom', 'enable')],
        ['disable worker1 bench.service --force', unsupported('force', 'disable')],
        ['is-enabled worker1 bench.service --runtime', unsupported('runtime', 'is-enabled')],
        ['is-enabled worker1 bench.service -w', unsupported('watch', 'is-enabled')],
        ['daemon-reload worker1 --no-reload', unsupported('no-reload', 'daemon-reload')],
        ['list-unit-files worker1 --force', unsupported('force', 'list-unit-files')],
        ["get-default worker1 --filter='*'", unsupported('filter', 'get-default')],
        ['set-default worker1 multi-user.target --force', unsupported('force', 'set-default')],
        ['set-loglevel worker1 DEBUG --signal=9', unsupported('signal', 'set-loglevel')],
      ]);
    });

    it('refuses bad --kill-whom and --signal values before asking the node', async () => {
      const whom = (v: string) => fail(`Value '${v}' of option --kill-whom is invalid\n`);
      const signal = (v: string) => fail(`Value '${v}' of option --signal is invalid\n`);
      await expectAll(cluster, [
        ['kill worker1 bench.service --kill-whom=foo', whom('foo')],
        ['kill worker1 bench.service --kill-whom=Main', whom('Main')],
        ['kill worker1 bench.service --kill-whom=', whom('')],
        ['kill worker1 bench.service --signal=0', signal('0')],
        ['kill worker1 bench.service --signal=32', signal('32')],
        ['kill worker1 bench.service --signal=-9', signal('-9')],
        ['kill worker1 bench.service --signal=TERM', signal('TERM')],
        ['kill worker1 bench.service --signal=9x', signal('9x')],
        ['kill worker1 bench.service --signal=', signal('')],
        // Checked before the node: even an unknown node gets the value's refusal.
        ['kill nosuchnode bench.service --signal=99', signal('99')],
      ]);
    });

    it('refuses a set-default target that is not a target unit, exit 1', async () => {
      await expectAll(cluster, [
        ['set-default worker1 bench.service', fail("Error: Unit 'bench.service' is not a target unit\n")],
        ['set-default worker1 multi-user.targets', fail("Error: Unit 'multi-user.targets' is not a target unit\n")],
      ]);
      expect(await cluster.ctl('get-default worker1')).toEqual({
        exitCode: 0,
        stdout: (await worker1.run('systemctl get-default')).stdout,
        stderr: '',
      });
    });

    it('refuses an invalid log level with and without a node, exit 1', async () => {
      const invalid = fail('Failed to issue method call: Invalid input for log level\n');
      await expectAll(cluster, [
        ['set-loglevel FOO', invalid],
        ['set-loglevel debug', invalid],
        ['set-loglevel worker1 FOO', invalid],
        ['set-loglevel main debug', invalid],
      ]);
    });
  });
});
