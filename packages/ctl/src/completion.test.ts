import { describe, expect, it } from 'vitest';
import { LOG_LEVELS } from '@bluechi-ts/protocol';
import { complete } from './completion.js';
import type { CtlClient } from './deps.js';
import { FakeClient, nodeInfo, unitInfo } from './fake-client.js';
import { VERBS } from './verbs.js';

function cluster(): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2', 'offline')];
  client.units.set('main', [unitInfo('bluechi-controller.service'), unitInfo('bluechi-agent.service')]);
  client.units.set('worker1', [
    unitInfo('dbus.socket', 'active', 'listening'),
    unitInfo('bench.service'),
    unitInfo('basic.target'),
    { ...unitInfo('NetworkManager.service', 'inactive', 'dead'), loadState: 'not-found' },
  ]);
  client.units.set('worker2', [unitInfo('offline-only.service')]);
  client.unitFiles.set('worker1', [
    { path: '/etc/systemd/system/bench.service', state: 'disabled' },
    { path: '/lib/systemd/system/multi-user.target', state: 'static' },
    { path: '/lib/systemd/system/dbus.socket', state: 'static' },
    { path: '/etc/systemd/system/web.service', state: 'disabled' },
    { path: '/lib/systemd/system/getty@.service', state: 'static' },
  ]);
  return client;
}

type Outcome = { candidates: string[]; connects: number; client: FakeClient };

/** Completes the last word of `line` (split on spaces; a trailing space starts an empty word). */
async function completeLine(line: string, opts: { unreachable?: boolean } = {}): Promise<Outcome> {
  const client = cluster();
  const words = line.split(' ');
  let connects = 0;
  const connect = async (): Promise<CtlClient> => {
    connects++;
    if (opts.unreachable) throw new Error('ENOENT');
    return client;
  };
  const candidates = await complete(words, words.length - 1, connect);
  return { candidates, connects, client };
}

const visibleVerbs = VERBS.filter((v) => !v.hidden).map((v) => v.name);

describe('shell completion candidates', () => {
  it('offers every verb of the global usage for the first word, without connecting', async () => {
    const r = await completeLine('bluechictl ');
    expect(r.candidates).toEqual(visibleVerbs);
    expect(r.candidates).toContain('list-units');
    expect(r.connects).toBe(0);
  });

  it('narrows verbs to what is typed', async () => {
    expect((await completeLine('bluechictl st')).candidates).toEqual(['start', 'stop', 'status']);
    expect((await completeLine('bluechictl list-u')).candidates).toEqual(['list-unit-files', 'list-units']);
    expect((await completeLine('bluechictl nonsense')).candidates).toEqual([]);
  });

  it('finds the verb after options given before it', async () => {
    expect((await completeLine('bluechictl --json st')).candidates).toEqual(['start', 'stop', 'status']);
    expect((await completeLine('bluechictl -o wide status wor')).candidates).toEqual(['worker1', 'worker2']);
  });

  it.each(['start', 'stop', 'restart', 'reload', 'freeze', 'thaw', 'kill', 'status', 'list-units', 'list-unit-files', 'enable', 'disable', 'is-enabled', 'reset-failed', 'daemon-reload', 'get-default', 'set-default', 'monitor'])(
    'offers the node names where %s takes a node',
    async (verb) => {
      const r = await completeLine(`bluechictl ${verb} `);
      expect(r.candidates).toEqual(['main', 'worker1', 'worker2']);
      expect(r.client.calledMethods()).toEqual(['ListNodes']);
      expect(r.client.closed).toBe(true);
    },
  );

  it('narrows node names to what is typed', async () => {
    expect((await completeLine('bluechictl start w')).candidates).toEqual(['worker1', 'worker2']);
    expect((await completeLine('bluechictl start m')).candidates).toEqual(['main']);
  });

  it.each(['stop', 'reload', 'freeze', 'thaw', 'kill', 'reset-failed'])('offers the loaded units of the node where %s takes a unit, not the not-found ones', async (verb) => {
    const r = await completeLine(`bluechictl ${verb} worker1 `);
    expect(r.candidates).toEqual(['basic.target', 'bench.service', 'dbus.socket']);
    expect(r.client.calls).toEqual([{ method: 'ListUnits', params: { node: 'worker1' } }]);
  });

  it.each(['start', 'restart', 'status'])('offers loaded units and installed unit files (no templates) where %s takes a unit', async (verb) => {
    const r = await completeLine(`bluechictl ${verb} worker1 `);
    expect(r.candidates).toEqual(['basic.target', 'bench.service', 'dbus.socket', 'multi-user.target', 'web.service']);
    expect(r.client.calledMethods().sort()).toEqual(['ListUnitFiles', 'ListUnits']);
  });

  it('narrows unit names to what is typed, on the node named before', async () => {
    expect((await completeLine('bluechictl stop worker1 b')).candidates).toEqual(['basic.target', 'bench.service']);
    expect((await completeLine('bluechictl stop main b')).candidates).toEqual(['bluechi-agent.service', 'bluechi-controller.service']);
  });

  it('keeps offering units for verbs that take several, and none past the last argument', async () => {
    expect((await completeLine('bluechictl status worker1 bench.service d')).candidates).toEqual(['dbus.socket']);
    expect((await completeLine('bluechictl start worker1 bench.service ')).candidates).toEqual([]);
    expect((await completeLine('bluechictl daemon-reload worker1 ')).candidates).toEqual([]);
    expect((await completeLine('bluechictl version ')).candidates).toEqual([]);
  });

  it('offers the base names of unit files for enable, disable and is-enabled', async () => {
    const files = ['bench.service', 'dbus.socket', 'getty@.service', 'multi-user.target', 'web.service'];
    expect((await completeLine('bluechictl enable worker1 ')).candidates).toEqual(files);
    expect((await completeLine('bluechictl enable worker1 bench.service ')).candidates).toEqual(files);
    expect((await completeLine('bluechictl disable worker1 d')).candidates).toEqual(['dbus.socket']);
    const r = await completeLine('bluechictl is-enabled worker1 ');
    expect(r.candidates).toEqual(files);
    expect(r.client.calls).toEqual([{ method: 'ListUnitFiles', params: { node: 'worker1' } }]);
  });

  it('offers only targets for set-default', async () => {
    expect((await completeLine('bluechictl set-default worker1 ')).candidates).toEqual(['multi-user.target']);
  });

  it('completes the last item of the comma-separated units of monitor', async () => {
    expect((await completeLine('bluechictl monitor worker1 bench.service,d')).candidates).toEqual(['bench.service,dbus.socket']);
  });

  it('offers no units of an offline or unknown node', async () => {
    expect((await completeLine('bluechictl start worker2 ')).candidates).toEqual([]);
    expect((await completeLine('bluechictl start nowhere ')).candidates).toEqual([]);
  });

  it("offers the verb's options and --help for a word starting with '-', without connecting", async () => {
    const r = await completeLine('bluechictl start worker1 -');
    expect(r.candidates).toEqual(['--help', '--json', '--no-block']);
    expect(r.connects).toBe(0);
    expect((await completeLine('bluechictl enable --')).candidates).toEqual(['--help', '--force', '--runtime', '--no-reload']);
    expect((await completeLine('bluechictl status --w')).candidates).toEqual(['--watch']);
    expect((await completeLine('bluechictl -')).candidates).toEqual(['--help']);
  });

  it("ends options that take a value with '=' so the value follows", async () => {
    expect((await completeLine('bluechictl kill worker1 bench.service --')).candidates).toEqual(['--help', '--kill-whom=', '--signal=']);
    expect((await completeLine('bluechictl list-units --f')).candidates).toEqual(['--filter=']);
  });

  it('offers the values of --kill-whom and -o/--output in every spelling', async () => {
    expect((await completeLine('bluechictl kill worker1 bench.service --kill-whom=')).candidates).toEqual(['--kill-whom=all', '--kill-whom=main', '--kill-whom=control']);
    expect((await completeLine('bluechictl kill worker1 bench.service --kill-whom=m')).candidates).toEqual(['--kill-whom=main']);
    expect((await completeLine('bluechictl kill worker1 bench.service --kill-whom c')).candidates).toEqual(['control']);
    expect((await completeLine('bluechictl kill --kill=a')).candidates).toEqual(['--kill=all']);
    expect((await completeLine('bluechictl status -o ')).candidates).toEqual(['wide']);
    expect((await completeLine('bluechictl status -wo ')).candidates).toEqual(['wide']);
    expect((await completeLine('bluechictl status --output ')).candidates).toEqual(['wide']);
    expect((await completeLine('bluechictl status --output=')).candidates).toEqual(['--output=wide']);
  });

  it('skips option values when counting arguments', async () => {
    expect((await completeLine('bluechictl status -o wide ')).candidates).toEqual(['main', 'worker1', 'worker2']);
    expect((await completeLine('bluechictl list-units --filter x ')).candidates).toEqual(['main', 'worker1', 'worker2']);
    expect((await completeLine('bluechictl status -owide worker1 d')).candidates).toEqual(['dbus.socket']);
    expect((await completeLine('bluechictl --signal ')).candidates).toEqual([]);
  });

  it("treats every word after '--' as an argument", async () => {
    expect((await completeLine('bluechictl start -- -')).candidates).toEqual([]);
    expect((await completeLine('bluechictl start -- w')).candidates).toEqual(['worker1', 'worker2']);
  });

  it('offers the metrics subcommands', async () => {
    expect((await completeLine('bluechictl metrics ')).candidates).toEqual(['enable', 'disable', 'listen']);
    expect((await completeLine('bluechictl metrics l')).candidates).toEqual(['listen']);
    expect((await completeLine('bluechictl metrics listen ')).candidates).toEqual([]);
  });

  it('offers nodes and log levels for set-loglevel, then levels after a node', async () => {
    expect((await completeLine('bluechictl set-loglevel ')).candidates).toEqual(['main', 'worker1', 'worker2', ...LOG_LEVELS]);
    expect((await completeLine('bluechictl set-loglevel worker1 ')).candidates).toEqual([...LOG_LEVELS]);
    expect((await completeLine('bluechictl set-loglevel worker1 W')).candidates).toEqual(['WARN']);
    expect((await completeLine('bluechictl set-loglevel INFO ')).candidates).toEqual([]);
  });

  it('offers what it knows without the controller when it cannot be reached', async () => {
    expect(await completeLine('bluechictl sta', { unreachable: true })).toMatchObject({ candidates: ['start', 'status'], connects: 0 });
    expect(await completeLine('bluechictl start ', { unreachable: true })).toMatchObject({ candidates: [], connects: 1 });
    expect((await completeLine('bluechictl set-loglevel ', { unreachable: true })).candidates).toEqual([...LOG_LEVELS]);
  });

  it('offers nothing when the controller fails the call', async () => {
    const client = cluster();
    client.handlers.ListNodes = () => Promise.reject(new Error('boom'));
    expect(await complete(['bluechictl', 'start', ''], 2, async () => client)).toEqual([]);
    expect(client.closed).toBe(true);
  });

  it('completes a word in the middle of the line, ignoring the words after it', async () => {
    const client = cluster();
    expect(await complete(['bluechictl', 'start', 'w', 'bench.service'], 2, async () => client)).toEqual(['worker1', 'worker2']);
  });

  it('offers nothing for a nonsensical index', async () => {
    const client = cluster();
    expect(await complete(['bluechictl', 'start'], 0, async () => client)).toEqual([]);
    expect(await complete(['bluechictl', 'start'], Number.NaN, async () => client)).toEqual([]);
    expect(await complete(['bluechictl', 'st'], 5, async () => client)).toEqual([]);
  });
});
