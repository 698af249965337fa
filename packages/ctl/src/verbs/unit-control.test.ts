import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { checkKill, freezeHandler, killOptions, parseSignal, runDaemonReload, runKill, runResetFailed } from './unit-control.js';

function cluster(): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2', 'offline')];
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });

const systemdError = (message: string, dbusName: string) => new BluechiError(ErrorCodes.SYSTEMD_ERROR, message, { dbusName });

/** The node errors every node verb reports the same way, with the prefix of its failure line. */
const NODE_ERRORS = [
  { name: 'unknown node', node: 'x', message: "Unknown object '/org/eclipse/bluechi/node/x'." },
  { name: 'offline node', node: 'worker2', message: 'Node is offline' },
];

describe('freeze, thaw', () => {
  it.each(['freeze', 'thaw'] as const)('%s prints upstream line and exits 0', async (verb) => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await freezeHandler(verb)(args(['worker1', 'bench.service']), r.deps)).toBe(0);
    expect(r.stdout()).toBe(`Unit bench.service ${verb} operation done\n`);
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: verb === 'freeze' ? 'FreezeUnit' : 'ThawUnit', params: { node: 'worker1', unit: 'bench.service' } }]);
  });

  it.each(NODE_ERRORS)('fails on an $name, exit 1', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await freezeHandler('freeze')(args([node, 'bench.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Failed to issue method call: ${message}\n`);
  });

  it("passes systemd's refusal through, exit 1", async () => {
    const client = cluster();
    client.failNext.set('ThawUnit', systemdError("Unit 'bench.service' does not support freezing.", 'org.freedesktop.DBus.Error.NotSupported'));
    const r = recordingDeps(client);
    expect(await freezeHandler('thaw')(args(['worker1', 'bench.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe("Failed to issue method call: Unit 'bench.service' does not support freezing.\n");
  });
});

describe('kill', () => {
  it('sends SIGTERM to all processes by default and prints nothing', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runKill(args(['worker1', 'bench.service']), r.deps)).toBe(0);
    expect(r.stdout() + r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'KillUnit', params: { node: 'worker1', unit: 'bench.service', whom: 'all', signal: 15 } }]);
  });

  it.each([
    { whom: 'main', signal: '9', sent: 9 },
    { whom: 'control', signal: '1', sent: 1 },
    { whom: 'all', signal: '31', sent: 31 },
  ])('sends signal $signal to $whom', async ({ whom, signal, sent }) => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runKill(args(['worker1', 'bench.service'], [['kill-whom', whom], ['signal', signal]]), r.deps)).toBe(0);
    expect(client.calls[0]!.params).toEqual({ node: 'worker1', unit: 'bench.service', whom, signal: sent });
  });

  it("words systemd's refusal like upstream, exit 1", async () => {
    const client = cluster();
    client.failNext.set('KillUnit', systemdError('No main process to kill', 'org.freedesktop.systemd1.NoSuchProcess'));
    const r = recordingDeps(client);
    expect(await runKill(args(['worker1', 'bench.service'], [['signal', '9'], ['kill-whom', 'main']]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Failed to issue method call for KillUnit: No main process to kill\n');
  });

  it.each(NODE_ERRORS)('fails on an $name, exit 1', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await runKill(args([node, 'bench.service']), r.deps)).toBe(1);
    expect(r.stderr()).toBe(`Failed to issue method call for KillUnit: ${message}\n`);
  });

  it('refuses a bad value without sending anything', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runKill(args(['worker1', 'bench.service'], [['signal', '0']]), r.deps)).toBe(1);
    expect(r.stderr()).toBe("Value '0' of option --signal is invalid\n");
    expect(client.calls).toEqual([]);
  });

  it.each([
    { options: [['kill-whom', 'foo']], error: "Value 'foo' of option --kill-whom is invalid\n" },
    { options: [['kill-whom', '']], error: "Value '' of option --kill-whom is invalid\n" },
    { options: [['kill-whom', 'ALL']], error: "Value 'ALL' of option --kill-whom is invalid\n" },
    { options: [['signal', 'x']], error: "Value 'x' of option --signal is invalid\n" },
    { options: [['signal', '0']], error: "Value '0' of option --signal is invalid\n" },
    { options: [['signal', '32']], error: "Value '32' of option --signal is invalid\n" },
    { options: [['signal', '-9']], error: "Value '-9' of option --signal is invalid\n" },
    { options: [['signal', '9x']], error: "Value '9x' of option --signal is invalid\n" },
    { options: [['signal', '9 ']], error: "Value '9 ' of option --signal is invalid\n" },
    { options: [['signal', '']], error: "Value '' of option --signal is invalid\n" },
    { options: [['signal', 'SIGTERM']], error: "Value 'SIGTERM' of option --signal is invalid\n" },
    { options: [['kill-whom', 'foo'], ['signal', 'x']], error: "Value 'foo' of option --kill-whom is invalid\n" },
  ] as Array<{ options: Array<[string, string]>; error: string }>)('checks $options before connecting', ({ options, error }) => {
    expect(checkKill(args(['worker1', 'bench.service'], options))).toBe(error);
  });

  it.each([
    ['1', 1],
    ['15', 15],
    ['31', 31],
    ['+9', 9],
    ['09', 9],
    [' 9', 9],
  ] as const)('reads --signal=%j as %i, as strtol does', (raw, signal) => {
    expect(parseSignal(raw)).toBe(signal);
    expect(killOptions(args(['n', 'u'], [['signal', raw]]))).toEqual({ whom: 'all', signal });
    expect(checkKill(args(['n', 'u'], [['signal', raw]]))).toBeUndefined();
  });
});

describe('reset-failed', () => {
  it('resets every node in turn and goes on past an offline one', async () => {
    const client = cluster();
    client.nodes.push(nodeInfo('worker3'));
    const r = recordingDeps(client);
    expect(await runResetFailed(args([]), r.deps)).toBe(0);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe("Couldn't reset failed state of all units on node 'worker2': Node is offline\n");
    expect(client.calls).toEqual([
      { method: 'ListNodes', params: {} },
      { method: 'ResetFailed', params: { node: 'main' } },
      { method: 'ResetFailed', params: { node: 'worker1' } },
      { method: 'ResetFailed', params: { node: 'worker2' } },
      { method: 'ResetFailed', params: { node: 'worker3' } },
    ]);
  });

  it('exits with the status of the last node', async () => {
    const r = recordingDeps(cluster());
    expect(await runResetFailed(args([]), r.deps)).toBe(1);
    expect(r.stderr()).toBe("Couldn't reset failed state of all units on node 'worker2': Node is offline\n");
  });

  it('reports a failed node list, exit 1', async () => {
    const client = cluster();
    client.failNext.set('ListNodes', new BluechiError(ErrorCodes.INTERNAL, 'boom'));
    const r = recordingDeps(client);
    expect(await runResetFailed(args([]), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to issue method call: boom\n');
    expect(client.calledMethods()).toEqual(['ListNodes']);
  });

  it('resets one node silently', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runResetFailed(args(['worker1']), r.deps)).toBe(0);
    expect(r.stdout() + r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'ResetFailed', params: { node: 'worker1' } }]);
  });

  it.each(NODE_ERRORS)('words a failed node like upstream: $name, exit 1', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await runResetFailed(args([node]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Couldn't reset failed state of all units on node '${node}': ${message}\n`);
  });

  it('announces each unit by its position before resetting it', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runResetFailed(args(['worker1', 'a.service', 'b.service']), r.deps)).toBe(0);
    expect(r.stdout()).toBe('1 a.service\n2 b.service\n');
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([
      { method: 'ResetFailedUnit', params: { node: 'worker1', unit: 'a.service' } },
      { method: 'ResetFailedUnit', params: { node: 'worker1', unit: 'b.service' } },
    ]);
  });

  it('stops at the first unit that fails, with its status', async () => {
    const client = cluster();
    client.failNext.set('ResetFailedUnit', systemdError('Unit a.service not loaded.', 'org.freedesktop.systemd1.NoSuchUnit'));
    const r = recordingDeps(client);
    expect(await runResetFailed(args(['worker1', 'a.service', 'b.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('1 a.service\n');
    expect(r.stderr()).toBe('Failed to issue method call: Unit a.service not loaded.\n');
    expect(client.calledMethods()).toEqual(['ResetFailedUnit']);
  });

  it('exits 1 when the last unit fails', async () => {
    const client = cluster();
    client.handlers.ResetFailedUnit = ({ unit }) => {
      if (unit === 'b.service') throw systemdError('Unit b.service not loaded.', 'org.freedesktop.systemd1.NoSuchUnit');
      return {};
    };
    const r = recordingDeps(client);
    expect(await runResetFailed(args(['worker1', 'a.service', 'b.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('1 a.service\n2 b.service\n');
    expect(r.stderr()).toBe('Failed to issue method call: Unit b.service not loaded.\n');
  });

  it.each(NODE_ERRORS)('announces the unit, then fails on an $name', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await runResetFailed(args([node, 'bench.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('1 bench.service\n');
    expect(r.stderr()).toBe(`Failed to issue method call: ${message}\n`);
  });
});

describe('daemon-reload', () => {
  it('reloads systemd on the node and prints nothing', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runDaemonReload(args(['worker1']), r.deps)).toBe(0);
    expect(r.stdout() + r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'Reload', params: { node: 'worker1' } }]);
  });

  it.each(NODE_ERRORS)('fails on an $name, exit 1', async ({ node, message }) => {
    const r = recordingDeps(cluster());
    expect(await runDaemonReload(args([node]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe(`Failed to issue method call: ${message}\n`);
  });
});
