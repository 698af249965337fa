import { VERSION } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { ConnectError } from './api-client.js';
import { run, type Env } from './cli.js';
import { FakeClient, nodeInfo, unitInfo } from './fake-client.js';
import { globalUsage, VERBS } from './verbs.js';
import { renderVerbHelp } from './verbs/help.js';

type Result = { code: number; stdout: string; stderr: string; connects: number; client: FakeClient };

async function ctl(argv: string[], connectError?: Error): Promise<Result> {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1')];
  client.units.set('worker1', [unitInfo('dbus.socket', 'active', 'listening'), unitInfo('bench.service')]);
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
    client.handlers.ListUnits = async () => ({ nodes: null }) as never;
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
