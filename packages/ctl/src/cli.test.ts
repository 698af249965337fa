import { VERSION } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { ConnectError } from './api-client.js';
import { run, type Env } from './cli.js';
import { FakeClient, nodeInfo, unitInfo } from './fake-client.js';
import { globalUsage, VERBS } from './verbs.js';
import { renderVerbHelp } from './verbs/help.js';

type Result = { code: number; stdout: string; stderr: string; connects: number; client: FakeClient };

async function ctl(argv: string[], connectError?: Error, setup?: (client: FakeClient) => void): Promise<Result> {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1')];
  client.units.set('worker1', [unitInfo('dbus.socket', 'active', 'listening'), unitInfo('bench.service')]);
  setup?.(client);
  let stdout = '';
  let stderr = '';
  let connects = 0;
  const env: Env = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    connect: async () => {
      connects++;
      if (connectError) throw connectError;
      return client;
    },
    clock: { now: () => 0, offsetMinutes: () => 0, sleep: async () => {} },
    stopSignal: () => AbortSignal.abort(),
  };
  const code = await run(argv, env);
  return { code, stdout, stderr, connects, client };
}

const USAGE = globalUsage();

describe('bluechictl command line', () => {
  it('prints usage and "No command given" without a command, exit 1', async () => {
    expect(await ctl([])).toMatchObject({ code: 1, stdout: USAGE, stderr: 'No command given\n', connects: 0 });
  });

  it.each([['--help'], ['-h'], ['help']])('prints the global usage for %s, exit 0', async (arg) => {
    expect(await ctl([arg])).toMatchObject({ code: 0, stdout: USAGE, stderr: '', connects: 0 });
  });

  it('reports an unknown verb and prints usage, exit 1', async () => {
    expect(await ctl(['foo'])).toMatchObject({ code: 1, stdout: USAGE, stderr: 'Method foo not found\n', connects: 0 });
    expect(await ctl(['-h', 'foo'])).toMatchObject({ code: 1, stderr: 'Method foo not found\n' });
  });

  it.each([
    { argv: ['list-units', '--bogus'], stderr: "bluechictl: unrecognized option '--bogus'\n" },
    { argv: ['-Q'], stderr: "bluechictl: invalid option -- 'Q'\n" },
    { argv: ['status', '-wQ'], stderr: "bluechictl: invalid option -- 'Q'\n" },
    { argv: ['list-units', '--filter'], stderr: "bluechictl: option '--filter' requires an argument\n" },
    { argv: ['status', '--watch=yes'], stderr: "bluechictl: option '--watch' doesn't allow an argument\n" },
  ])('reports getopt errors like getopt, with usage on stdout: $argv', async ({ argv, stderr }) => {
    expect(await ctl(argv)).toMatchObject({ code: 1, stdout: USAGE, stderr, connects: 0 });
  });

  it.each([
    { argv: ['start'], stderr: 'Too few arguments for method start\n' },
    { argv: ['start', 'main'], stderr: 'Too few arguments for method start\n' },
    { argv: ['start', 'a', 'b', 'c'], stderr: 'Too many arguments for method start\n' },
    { argv: ['stop', 'a'], stderr: 'Too few arguments for method stop\n' },
    { argv: ['restart', 'a', 'b', 'c'], stderr: 'Too many arguments for method restart\n' },
    { argv: ['reload'], stderr: 'Too few arguments for method reload\n' },
    { argv: ['list-units', 'a', 'b'], stderr: 'Too many arguments for method list-units\n' },
    { argv: ['version', 'x'], stderr: 'Too many arguments for method version\n' },
    { argv: ['help', 'x'], stderr: 'Too many arguments for method help\n' },
  ])('checks argument counts: $argv', async ({ argv, stderr }) => {
    expect(await ctl(argv)).toMatchObject({ code: 1, stdout: '', stderr, connects: 0 });
  });

  it.each([
    { argv: ['start', 'a', 'b', '-w'], stderr: "Unsupported option 'watch' for method 'start'\n" },
    { argv: ['list-units', '--force'], stderr: "Unsupported option 'force' for method 'list-units'\n" },
    { argv: ['status', '--filter=x*'], stderr: "Unsupported option 'filter' for method 'status'\n" },
    { argv: ['stop', 'a', 'b', '--signal=9'], stderr: "Unsupported option 'signal' for method 'stop'\n" },
    { argv: ['version', '--json'], stderr: "Unsupported option 'json' for method 'version'\n" },
    { argv: ['status', '--runtime', '--no-reload'], stderr: "Unsupported option 'runtime' for method 'status'\n" },
  ])('rejects options the verb does not take: $argv', async ({ argv, stderr }) => {
    expect(await ctl(argv)).toMatchObject({ code: 1, stdout: '', stderr, connects: 0 });
  });

  it('checks argument counts before options', async () => {
    expect(await ctl(['start', '-w'])).toMatchObject({ code: 1, stderr: 'Too few arguments for method start\n' });
  });

  it.each(VERBS.filter((v) => v.help).map((v) => v.name))('prints the help of %s without connecting or counting args', async (name) => {
    const verb = VERBS.find((v) => v.name === name)!;
    const r = await ctl([name, '--help', 'a', 'b', 'c', 'd']);
    expect(r).toMatchObject({ code: 0, stdout: renderVerbHelp(verb.help!), stderr: '', connects: 0 });
  });

  it('prints the global usage for verbs without their own help', async () => {
    expect(await ctl(['version', '--help'])).toMatchObject({ code: 0, stdout: USAGE });
    expect(await ctl(['help', '-h'])).toMatchObject({ code: 0, stdout: USAGE });
  });

  it('prints the version without connecting', async () => {
    expect(await ctl(['version'])).toMatchObject({ code: 0, stdout: `bluechictl version ${VERSION}\n`, connects: 0 });
  });

  it('accepts options anywhere, also before the verb', async () => {
    const after = await ctl(['list-units', 'worker1', '--filter=dbus*']);
    const before = await ctl(['--filter', 'dbus*', 'list-units', 'worker1']);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('worker1 | dbus.socket');
    expect(after.stdout).not.toContain('bench.service');
    expect(before.stdout).toBe(after.stdout);
  });

  it('treats everything after -- as arguments', async () => {
    expect(await ctl(['status', '--', '-w'])).toMatchObject({ code: 1, stderr: 'Node -w not found\n' });
  });

  it('runs a lifecycle verb over the connection and closes it', async () => {
    const r = await ctl(['start', 'worker1', 'bench.service']);
    expect(r).toMatchObject({ code: 0, stdout: 'Unit bench.service StartUnit operation result: done\n', connects: 1 });
    expect(r.client.closed).toBe(true);
  });

  it('returns the verb exit code and still closes the connection', async () => {
    const r = await ctl(['start', 'nosuchnode', 'bench.service']);
    expect(r.code).toBe(1);
    expect(r.client.closed).toBe(true);
  });

  it.each([
    {
      errno: 'ENOENT',
      reason: 'No such file or directory',
      stderr:
        'Failed to connect to the controller at /run/bluechi/api.sock: No such file or directory (is bluechi-controller running?)\n',
    },
    {
      errno: 'EACCES',
      reason: 'Permission denied',
      stderr: 'Failed to connect to the controller at /run/bluechi/api.sock: Permission denied (the API socket is for root only)\n',
    },
  ])('explains a failed connection ($errno), exit 1', async ({ errno, reason, stderr }) => {
    const r = await ctl(['status'], new ConnectError('/run/bluechi/api.sock', reason, errno));
    expect(r).toMatchObject({ code: 1, stdout: '', stderr, connects: 1 });
  });

  it('turns an unexpected handler failure into exit 1 with one line', async () => {
    const client = new FakeClient();
    const env: Env = {
      out: () => {},
      err: (t) => (stderr += t),
      connect: async () => client,
      clock: { now: () => 0, offsetMinutes: () => 0, sleep: async () => {} },
      stopSignal: () => AbortSignal.abort(),
    };
    let stderr = '';
    // A reply the verb cannot digest: the handler throws past its own error handling.
    client.handlers.ListUnitRows = async () => ({ nodes: null }) as never;
    expect(await run(['list-units'], env)).toBe(1);
    expect(stderr).toMatch(/^bluechictl: [^\n]+\n$/);
    expect(client.closed).toBe(true);
  });
});

describe('usage texts', () => {
  it('lists every verb in table order with its usage line', () => {
    const names = [...USAGE.matchAll(/^ {2}- ([a-z-]+): /gm)].map((m) => m[1]);
    expect(names).toEqual(VERBS.map((v) => v.name));
    for (const v of VERBS) expect(USAGE).toContain(`    usage: ${v.usage}\n`);
  });

  it('starts with the banner and a Usage block, like upstream', () => {
    expect(USAGE.startsWith('bluechictl is a ')).toBe(true);
    expect(USAGE).toContain('\n\nUsage: \n  bluechictl [command]\n');
  });

  it.each(VERBS.filter((v) => v.help).map((v) => [v.name, v] as const))('documents every option %s accepts', (_name, verb) => {
    const text = renderVerbHelp(verb.help!);
    expect(text).toContain('Usage: \n');
    for (const o of ['help', ...verb.options]) expect(text).toContain(`--${o}`);
  });
});

/** Upstream's argument counts (its method table), then ours: [verb, min, max]. */
const ARGUMENT_COUNTS: Array<[string, number, number]> = [
  ['help', 0, 0],
  ['list-unit-files', 0, 1],
  ['list-units', 0, 1],
  ['start', 2, 2],
  ['stop', 2, 2],
  ['freeze', 2, 2],
  ['thaw', 2, 2],
  ['reload', 2, 2],
  ['restart', 2, 2],
  ['reset-failed', 0, Infinity],
  ['kill', 2, 2],
  ['enable', 2, Infinity],
  ['disable', 2, Infinity],
  ['is-enabled', 2, 2],
  ['metrics', 1, 1],
  ['monitor', 0, 2],
  ['status', 0, Infinity],
  ['daemon-reload', 1, 1],
  ['set-loglevel', 1, 2],
  ['get-default', 1, 1],
  ['set-default', 2, 2],
  ['version', 0, 0],
];

const words = (n: number) => Array.from({ length: n }, (_, i) => `arg${i + 1}`);

describe('argument counts of every verb', () => {
  it('knows the count of every verb in the table', () => {
    expect(ARGUMENT_COUNTS.map(([name]) => name).sort()).toEqual(VERBS.map((v) => v.name).sort());
  });

  it.each(ARGUMENT_COUNTS.filter(([, min]) => min > 0))('%s with one argument too few', async (name, min) => {
    expect(await ctl([name, ...words(min - 1)])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `Too few arguments for method ${name}\n`,
      connects: 0,
    });
  });

  it.each(ARGUMENT_COUNTS.filter(([, , max]) => Number.isFinite(max)))('%s with one argument too many', async (name, _min, max) => {
    expect(await ctl([name, ...words(max + 1)])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `Too many arguments for method ${name}\n`,
      connects: 0,
    });
  });

  it.each(ARGUMENT_COUNTS.filter(([, , max]) => !Number.isFinite(max)))('%s takes any number of arguments', async (name) => {
    const r = await ctl([name, 'worker1', ...words(40)]);
    expect(r.stderr).not.toContain('arguments for method');
  });
});

describe('options a verb does not take', () => {
  it.each([
    ['disable', 'a', 'b', '--force'],
    ['disable', 'a', 'b', '-f'],
    ['freeze', 'a', 'b', '--json'],
    ['thaw', 'a', 'b', '--no-block'],
    ['kill', 'a', 'b', '--watch'],
    ['monitor', '--filter=x'],
    ['is-enabled', 'a', 'b', '--runtime'],
    ['metrics', 'enable', '--force'],
    ['set-default', 'a', 'b.target', '--json'],
    ['get-default', 'a', '-w'],
    ['daemon-reload', 'a', '--no-reload'],
    ['reset-failed', '--json'],
    ['enable', 'a', 'b', '--json'],
    ['list-unit-files', '--no-block'],
    ['set-loglevel', 'INFO', '--kill-whom=main'],
    ['help', '--json'],
  ])('refuses %s %s %s %s before connecting', async (...argv) => {
    const option = argv.find((a) => a.startsWith('-'))!;
    const long = { '-f': 'force', '-w': 'watch' }[option] ?? option.slice(2).split('=')[0];
    expect(await ctl(argv)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `Unsupported option '${long}' for method '${argv[0]}'\n`,
      connects: 0,
    });
  });

  it('names the first option the verb does not take', async () => {
    expect(await ctl(['kill', 'a', 'b', '--signal=0', '--json', '--watch'])).toMatchObject({
      code: 1,
      stderr: "Unsupported option 'json' for method 'kill'\n",
    });
  });

  it('accepts disable --runtime, as its usage says', async () => {
    const r = await ctl(['disable', 'worker1', 'bench.service', '--runtime'], undefined, (c) => {
      c.handlers.DisableUnitFiles = () => ({ changes: [] });
    });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '', connects: 1 });
    expect(r.client.calls[0]).toEqual({ method: 'DisableUnitFiles', params: { node: 'worker1', files: ['bench.service'], runtime: true } });
  });
});

describe('kill option values, checked before connecting', () => {
  it.each([
    { argv: ['--kill-whom=foo'], stderr: "Value 'foo' of option --kill-whom is invalid\n" },
    { argv: ['--kill-whom', ''], stderr: "Value '' of option --kill-whom is invalid\n" },
    { argv: ['--signal=x'], stderr: "Value 'x' of option --signal is invalid\n" },
    { argv: ['--signal=0'], stderr: "Value '0' of option --signal is invalid\n" },
    { argv: ['--signal=32'], stderr: "Value '32' of option --signal is invalid\n" },
    { argv: ['--signal', '-1'], stderr: "Value '-1' of option --signal is invalid\n" },
  ])('refuses $argv', async ({ argv, stderr }) => {
    expect(await ctl(['kill', 'worker1', 'bench.service', ...argv])).toMatchObject({ code: 1, stdout: '', stderr, connects: 0 });
  });

  it.each([
    { argv: [], whom: 'all', signal: 15 },
    { argv: ['--signal=1'], whom: 'all', signal: 1 },
    { argv: ['--signal=31', '--kill-whom=control'], whom: 'control', signal: 31 },
    { argv: ['--sig', '9', '--kill', 'main'], whom: 'main', signal: 9 },
  ])('sends $argv as $whom/$signal', async ({ argv, whom, signal }) => {
    const r = await ctl(['kill', 'worker1', 'bench.service', ...argv]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '', connects: 1 });
    expect(r.client.calls).toEqual([{ method: 'KillUnit', params: { node: 'worker1', unit: 'bench.service', whom, signal } }]);
  });
});

describe('status option checks', () => {
  it.each([
    { argv: ['status', '-o', 'bogus'], stderr: "Value 'bogus' of option --output is invalid (only 'wide' is known)\n" },
    { argv: ['status', '--output='], stderr: "Value '' of option --output is invalid (only 'wide' is known)\n" },
    { argv: ['status', '-w', '--json'], stderr: 'The options --watch and --json cannot be used together\n' },
  ])('refuses $argv before connecting', async ({ argv, stderr }) => {
    expect(await ctl(argv)).toMatchObject({ code: 1, stdout: '', stderr, connects: 0 });
  });

  it('reports a missing -o value like getopt, with the usage', async () => {
    expect(await ctl(['status', '-o'])).toMatchObject({
      code: 1,
      stdout: USAGE,
      stderr: "bluechictl: option requires an argument -- 'o'\n",
      connects: 0,
    });
  });

  it.each([[['status', '-owide']], [['status', '--output', 'wide']], [['status', '-o', 'wide', '--json']]])('accepts %j', async (argv) => {
    expect(await ctl(argv)).toMatchObject({ code: 0, stderr: '', connects: 1 });
  });
});

describe('metrics through the command line', () => {
  it('prints an unknown subcommand without a newline, exit 1', async () => {
    expect(await ctl(['metrics', 'bogus'])).toMatchObject({ code: 1, stdout: '', stderr: 'Unknown metrics command: bogus' });
  });

  it('needs a subcommand', async () => {
    expect(await ctl(['metrics'])).toMatchObject({ code: 1, stdout: '', stderr: 'Too few arguments for method metrics\n', connects: 0 });
  });

  it('switches metrics on', async () => {
    const r = await ctl(['metrics', 'enable']);
    expect(r).toMatchObject({ code: 0, stdout: 'Done\n', stderr: '' });
    expect(r.client.calledMethods()).toEqual(['EnableMetrics']);
  });
});

describe('every verb reaches its handler', () => {
  const setup = (c: FakeClient) => {
    c.nodes.push(nodeInfo('worker2', 'offline'));
    c.handlers.EnableUnitFiles = () => ({ carriesInstallInfo: false, changes: [] });
    c.handlers.DisableUnitFiles = () => ({ changes: [{ type: 'unlink', file: '/etc/x.wants/bench.service', destination: '' }] });
    c.handlers.GetUnitFileState = () => ({ state: 'static' });
    c.handlers.GetDefaultTarget = () => ({ target: 'multi-user.target' });
    c.handlers.SetDefaultTarget = ({ target }) => ({ changes: [{ type: 'symlink', file: '/etc/systemd/system/default.target', destination: `/lib/systemd/system/${target}` }] });
  };

  it.each([
    { argv: ['freeze', 'worker1', 'bench.service'], code: 0, stdout: 'Unit bench.service freeze operation done\n', stderr: '', methods: ['FreezeUnit'] },
    { argv: ['thaw', 'worker1', 'bench.service'], code: 0, stdout: 'Unit bench.service thaw operation done\n', stderr: '', methods: ['ThawUnit'] },
    {
      argv: ['freeze', 'x', 'bench.service'],
      code: 1,
      stdout: '',
      stderr: "Failed to issue method call: Unknown object '/org/eclipse/bluechi/node/x'.\n",
      methods: ['FreezeUnit'],
    },
    {
      argv: ['kill', 'worker2', 'bench.service'],
      code: 1,
      stdout: '',
      stderr: 'Failed to issue method call for KillUnit: Node is offline\n',
      methods: ['KillUnit'],
    },
    {
      argv: ['reset-failed'],
      code: 1,
      stdout: '',
      stderr: "Couldn't reset failed state of all units on node 'worker2': Node is offline\n",
      methods: ['ListNodes', 'ResetFailed', 'ResetFailed', 'ResetFailed'],
    },
    { argv: ['reset-failed', 'worker1', 'a.service', 'b.service'], code: 0, stdout: '1 a.service\n2 b.service\n', stderr: '', methods: ['ResetFailedUnit', 'ResetFailedUnit'] },
    {
      argv: ['enable', 'worker1', 'bench.service'],
      code: 0,
      stdout: '',
      stderr: 'The unit files did not include any enablement information\n',
      methods: ['EnableUnitFiles', 'Reload'],
    },
    {
      argv: ['enable', 'worker1', 'bench.service', '--no-reload', '-f'],
      code: 0,
      stdout: '',
      stderr: 'The unit files did not include any enablement information\n',
      methods: ['EnableUnitFiles'],
    },
    { argv: ['disable', 'worker1', 'bench.service'], code: 0, stdout: '', stderr: 'Removed "/etc/x.wants/bench.service".\n', methods: ['DisableUnitFiles', 'Reload'] },
    { argv: ['is-enabled', 'worker1', 'bench.service'], code: 0, stdout: 'static\n', stderr: '', methods: ['GetUnitFileState'] },
    { argv: ['daemon-reload', 'worker1'], code: 0, stdout: '', stderr: '', methods: ['Reload'] },
    { argv: ['get-default', 'worker1'], code: 0, stdout: 'multi-user.target\n', stderr: '', methods: ['GetDefaultTarget'] },
    {
      argv: ['set-default', 'worker1', 'graphical.target'],
      code: 0,
      stdout: '[(symlink /etc/systemd/system/default.target /lib/systemd/system/graphical.target),]\n',
      stderr: '',
      methods: ['SetDefaultTarget'],
    },
    { argv: ['set-default', 'worker1', 'bench.service'], code: 1, stdout: '', stderr: "Error: Unit 'bench.service' is not a target unit\n", methods: [] },
    { argv: ['set-loglevel', 'DEBUG'], code: 0, stdout: '', stderr: '', methods: ['SetLogLevel'] },
    { argv: ['set-loglevel', 'worker1', 'DEBUG'], code: 0, stdout: '', stderr: '', methods: ['SetLogLevel'] },
    {
      argv: ['monitor', 'worker1', 'bench.service,dbus.socket'],
      code: 0,
      stdout:
        "Monitor path: /org/eclipse/bluechi/monitor/1\nSubscribing to node 'worker1' and unit 'bench.service'\nSubscribing to node 'worker1' and unit 'dbus.socket'\n",
      stderr: '',
      methods: ['CreateMonitor', 'SubscribeList'],
    },
  ])('$argv', async ({ argv, code, stdout, stderr, methods }) => {
    const r = await ctl(argv, undefined, setup);
    expect(r).toMatchObject({ code, stdout, stderr, connects: 1 });
    expect(r.client.calledMethods()).toEqual(methods);
    expect(r.client.closed).toBe(true);
  });
});
