import { BluechiError, ErrorCodes, Messages, nodeObjectPath, type UnitFileChange } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { ENABLED_STATES, changeLine, changeList, runDisable, runEnable, runGetDefault, runIsEnabled, runSetDefault } from './unit-files.js';

const WANTS = '/etc/systemd/system/multi-user.target.wants/bench.service';
const FILE = '/etc/systemd/system/bench.service';
const symlink: UnitFileChange = { type: 'symlink', file: WANTS, destination: FILE };
const unlink: UnitFileChange = { type: 'unlink', file: WANTS, destination: '' };

/** Throws what the controller answers for a node that is not configured or not connected. */
function requireOnline(client: FakeClient, name: string): void {
  const node = client.nodes.find((n) => n.name === name);
  if (!node) throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.unknownNodeObject(nodeObjectPath(name)));
  if (node.status !== 'online') throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
}

type Files = { carriesInstallInfo?: boolean; changes?: UnitFileChange[]; state?: string; target?: string };

function cluster(files: Files = {}): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2', 'offline')];
  client.handlers.EnableUnitFiles = ({ node }) => {
    requireOnline(client, node);
    return { carriesInstallInfo: files.carriesInstallInfo ?? true, changes: files.changes ?? [] };
  };
  client.handlers.DisableUnitFiles = ({ node }) => {
    requireOnline(client, node);
    return { changes: files.changes ?? [] };
  };
  client.handlers.GetUnitFileState = ({ node }) => {
    requireOnline(client, node);
    return { state: files.state ?? 'enabled' };
  };
  client.handlers.GetDefaultTarget = ({ node }) => {
    requireOnline(client, node);
    return { target: files.target ?? 'graphical.target' };
  };
  client.handlers.SetDefaultTarget = ({ node }) => {
    requireOnline(client, node);
    return { changes: files.changes ?? [] };
  };
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });

const noSuchFile = () =>
  new BluechiError(ErrorCodes.SYSTEMD_ERROR, 'Unit file nosuch.service does not exist.', { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' });

/** Node errors and the errno text upstream derives from their D-Bus names. */
const NODE_ERRORS = [
  { name: 'unknown node', node: 'x', message: "Unknown object '/org/eclipse/bluechi/node/x'.", errno: 'Invalid request descriptor' },
  { name: 'offline node', node: 'worker2', message: 'Node is offline', errno: 'Input/output error' },
];

describe('enable', () => {
  it('reports the changes on stderr as upstream does, then reloads systemd', async () => {
    const client = cluster({ carriesInstallInfo: true, changes: [symlink] });
    const r = recordingDeps(client);
    expect(await runEnable(args(['worker1', 'bench.service']), r.deps)).toBe(0);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`The unit files included enablement information\nCreated symlink ${WANTS} -> ${FILE}\n`);
    expect(client.calls).toEqual([
      { method: 'EnableUnitFiles', params: { node: 'worker1', files: ['bench.service'], runtime: false, force: false } },
      { method: 'Reload', params: { node: 'worker1' } },
    ]);
  });

  it('says so when the files have no [Install] section', async () => {
    const r = recordingDeps(cluster({ carriesInstallInfo: false }));
    expect(await runEnable(args(['worker1', 'bench.service']), r.deps)).toBe(0);
    expect(r.stderr()).toBe('The unit files did not include any enablement information\n');
  });

  it('prints one line per change, in order', async () => {
    const other = { type: 'symlink', file: '/etc/systemd/system/b.service', destination: '/usr/lib/systemd/system/b.service' };
    const r = recordingDeps(cluster({ changes: [unlink, symlink, other] }));
    expect(await runEnable(args(['worker1', 'bench.service', 'b.service']), r.deps)).toBe(0);
    expect(r.stderr()).toBe(
      'The unit files included enablement information\n' +
        `Removed "${WANTS}".\n` +
        `Created symlink ${WANTS} -> ${FILE}\n` +
        'Created symlink /etc/systemd/system/b.service -> /usr/lib/systemd/system/b.service\n',
    );
  });

  it('passes --runtime and --force, and skips the reload with --no-reload', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    const options: Array<[string, true]> = [['runtime', true], ['force', true], ['no-reload', true]];
    expect(await runEnable(args(['worker1', 'a.service', 'b.service'], options), r.deps)).toBe(0);
    expect(client.calls).toEqual([
      { method: 'EnableUnitFiles', params: { node: 'worker1', files: ['a.service', 'b.service'], runtime: true, force: true } },
    ]);
  });

  it("reports systemd's refusal in two lines, the second without a newline, and does not reload", async () => {
    const client = cluster();
    client.failNext.set('EnableUnitFiles', noSuchFile());
    const r = recordingDeps(client);
    expect(await runEnable(args(['worker1', 'nosuch.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(
      'Failed to issue call: Unit file nosuch.service does not exist.\nFailed to enable the units on node [worker1] - No such file or directory',
    );
    expect(client.calledMethods()).toEqual(['EnableUnitFiles']);
  });

  it.each(NODE_ERRORS)('reports an $name with the errno text of its D-Bus name', async ({ node, message, errno }) => {
    const r = recordingDeps(cluster());
    expect(await runEnable(args([node, 'bench.service']), r.deps)).toBe(1);
    expect(r.stderr()).toBe(`Failed to issue call: ${message}\nFailed to enable the units on node [${node}] - ${errno}`);
  });

  it('words a failed reload as daemon-reload does, exit 1', async () => {
    const client = cluster({ carriesInstallInfo: true, changes: [symlink] });
    client.failNext.set('Reload', new BluechiError(ErrorCodes.NODE_OFFLINE, 'Node is offline'));
    const r = recordingDeps(client);
    expect(await runEnable(args(['worker1', 'bench.service']), r.deps)).toBe(1);
    expect(r.stderr()).toBe(
      `The unit files included enablement information\nCreated symlink ${WANTS} -> ${FILE}\nFailed to issue method call: Node is offline\n`,
    );
  });
});

describe('disable', () => {
  it('reports removed links on stderr, then reloads systemd', async () => {
    const client = cluster({ changes: [unlink] });
    const r = recordingDeps(client);
    expect(await runDisable(args(['worker1', 'bench.service']), r.deps)).toBe(0);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Removed "${WANTS}".\n`);
    expect(client.calls).toEqual([
      { method: 'DisableUnitFiles', params: { node: 'worker1', files: ['bench.service'], runtime: false } },
      { method: 'Reload', params: { node: 'worker1' } },
    ]);
  });

  it('prints nothing when nothing changed', async () => {
    const r = recordingDeps(cluster());
    expect(await runDisable(args(['worker1', 'bench.service']), r.deps)).toBe(0);
    expect(r.stdout() + r.stderr()).toBe('');
  });

  it('passes --runtime and skips the reload with --no-reload', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runDisable(args(['worker1', 'bench.service'], [['runtime', true], ['no-reload', true]]), r.deps)).toBe(0);
    expect(client.calls).toEqual([{ method: 'DisableUnitFiles', params: { node: 'worker1', files: ['bench.service'], runtime: true } }]);
  });

  it('reports a failure in two lines, still reloads like upstream, and exits 1', async () => {
    const client = cluster();
    client.failNext.set('DisableUnitFiles', noSuchFile());
    const r = recordingDeps(client);
    expect(await runDisable(args(['worker1', 'nosuch.service']), r.deps)).toBe(1);
    expect(r.stderr()).toBe(
      'Failed to issue call: Unit file nosuch.service does not exist.\nFailed to disable the units on node [worker1] - No such file or directory',
    );
    expect(client.calledMethods()).toEqual(['DisableUnitFiles', 'Reload']);
  });

  it('does not reload after a failure with --no-reload', async () => {
    const client = cluster();
    client.failNext.set('DisableUnitFiles', noSuchFile());
    const r = recordingDeps(client);
    expect(await runDisable(args(['worker1', 'nosuch.service'], [['no-reload', true]]), r.deps)).toBe(1);
    expect(client.calledMethods()).toEqual(['DisableUnitFiles']);
  });

  it.each(NODE_ERRORS)('reports an $name, then the failed reload right after it', async ({ node, message, errno }) => {
    const r = recordingDeps(cluster());
    expect(await runDisable(args([node, 'bench.service']), r.deps)).toBe(1);
    expect(r.stderr()).toBe(
      `Failed to issue call: ${message}\nFailed to disable the units on node [${node}] - ${errno}Failed to issue method call: ${message}\n`,
    );
  });
});

describe('unit file change lines', () => {
  it.each([
    { change: symlink, line: `Created symlink ${WANTS} -> ${FILE}\n` },
    { change: unlink, line: `Removed "${WANTS}".\n` },
    { change: { type: 'is-mask', file: FILE, destination: '' }, line: 'Unknown operation: is-mask\n' },
  ])('words a $change.type change like upstream', ({ change, line }) => {
    expect(changeLine(change)).toBe(line);
  });
});

describe('is-enabled', () => {
  it.each([
    ['enabled', 0],
    ['enabled-runtime', 0],
    ['static', 0],
    ['alias', 0],
    ['indirect', 0],
    ['generated', 0],
    ['disabled', 1],
    ['masked', 1],
    ['masked-runtime', 1],
    ['linked', 1],
    ['linked-runtime', 1],
    ['transient', 1],
    ['bad', 1],
    ['', 1],
  ] as const)('prints %j and exits %i', async (state, code) => {
    const client = cluster({ state });
    const r = recordingDeps(client);
    expect(await runIsEnabled(args(['worker1', 'bench.service']), r.deps)).toBe(code);
    expect(r.stdout()).toBe(`${state}\n`);
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'GetUnitFileState', params: { node: 'worker1', file: 'bench.service' } }]);
  });

  it('lists the states that exit 0', () => {
    expect(ENABLED_STATES).toEqual(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated']);
  });

  it.each([
    { state: 'enabled', code: 0, enabled: true },
    { state: 'disabled', code: 1, enabled: false },
  ])('prints one JSON object with --json ($state)', async ({ state, code, enabled }) => {
    const r = recordingDeps(cluster({ state }));
    expect(await runIsEnabled(args(['worker1', 'bench.service'], [['json', true]]), r.deps)).toBe(code);
    expect(r.stdout()).toBe(JSON.stringify({ node: 'worker1', unit: 'bench.service', state, enabled }, null, 2) + '\n');
  });

  it('fails for a file systemd does not know, exit 1', async () => {
    const client = cluster();
    client.failNext.set(
      'GetUnitFileState',
      new BluechiError(ErrorCodes.SYSTEMD_ERROR, 'No such file or directory', { dbusName: 'org.freedesktop.DBus.Error.FileNotFound' }),
    );
    const r = recordingDeps(client);
    expect(await runIsEnabled(args(['worker1', 'nosuch.service'], [['json', true]]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Failed to issue method call: No such file or directory\n');
  });

  it.each(NODE_ERRORS)('fails on an $name, exit 1', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await runIsEnabled(args([node, 'bench.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Failed to issue method call: ${message}\n`);
  });
});

describe('get-default', () => {
  it('prints the default target', async () => {
    const client = cluster({ target: 'multi-user.target' });
    const r = recordingDeps(client);
    expect(await runGetDefault(args(['worker1']), r.deps)).toBe(0);
    expect(r.stdout()).toBe('multi-user.target\n');
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'GetDefaultTarget', params: { node: 'worker1' } }]);
  });

  it.each(NODE_ERRORS)('fails on an $name, exit 1', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await runGetDefault(args([node]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Failed to issue method call: ${message}\n`);
  });
});

describe('set-default', () => {
  const target = '/lib/systemd/system/graphical.target';
  const link = '/etc/systemd/system/default.target';

  it("prints systemd's changes on one line, as upstream does", async () => {
    const changes = [
      { type: 'unlink', file: link, destination: '' },
      { type: 'symlink', file: link, destination: target },
    ];
    const client = cluster({ changes });
    const r = recordingDeps(client);
    expect(await runSetDefault(args(['worker1', 'graphical.target']), r.deps)).toBe(0);
    expect(r.stdout()).toBe(`[(unlink ${link} ),(symlink ${link} ${target}),]\n`);
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'SetDefaultTarget', params: { node: 'worker1', target: 'graphical.target', force: true } }]);
  });

  it('prints an empty list when nothing changed', async () => {
    const r = recordingDeps(cluster());
    expect(await runSetDefault(args(['worker1', 'graphical.target']), r.deps)).toBe(0);
    expect(r.stdout()).toBe('[]\n');
    expect(changeList([])).toBe('[]\n');
  });

  it.each(['bench.service', 'graphical.target.wants', 'x.targets'])('refuses %s without asking the node, exit 1', async (name) => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runSetDefault(args(['worker1', name]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Error: Unit '${name}' is not a target unit\n`);
    expect(client.calls).toEqual([]);
  });

  it("accepts any name ending in target, like upstream's glob *target", async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runSetDefault(args(['worker1', 'notatarget']), r.deps)).toBe(0);
    expect(client.calledMethods()).toEqual(['SetDefaultTarget']);
  });

  it.each(NODE_ERRORS)('fails on an $name, exit 1', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await runSetDefault(args([node, 'multi-user.target']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Failed to issue method call: ${message}\n`);
  });
});
