/**
 * The installed `bluechi-is-online` on a node where no BlueChi daemon runs:
 * an executable at /usr/bin started through `/usr/bin/env node`, upstream's
 * help text byte for byte (upstream-transcripts §5, written out here as the
 * oracle), `version`, the usage errors with exit 1, and every component
 * reported offline (never a stack trace) when its daemon is not there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemdNode } from '../harness/systemd-container.js';
import { run } from './support/is-online.js';

const UPSTREAM_HELP =
  'bluechi-is-online checks and monitors the connection state of BlueChi components\n' +
  '\n' +
  'Usage: \n' +
  '  bluechi-is-online [agent|node|system] [OPTIONS]\n' +
  '\n' +
  'Available commands:\n' +
  '  help: \t shows this help message\n' +
  '  version: \t shows the version of bluechi-is-online\n' +
  '  agent: \t on the agent machine check and/or monitor the connection of the agent to the controller\n' +
  '  node [name]: \t on the controller machine check and/or monitor the connection of the given node to the controller\n' +
  '  system: \t on the controller machine check and/or monitor the connection of all nodes to the controller\n' +
  'Available options:\n' +
  '  --monitor: \t\t keeps monitoring as long as [agent|node|system] is online and exits if it detects an offline state.\n' +
  '  --wait: \t\t Wait n milliseconds for [agent|node|system] to get online.\n' +
  '  --switch-timeout: \t Only for [agent]. Wait n milliseconds for after switching controller to get online again.\n';

let node: SystemdNode;

beforeAll(async () => {
  node = await SystemdNode.start({ name: 'main' });
});

afterAll(async () => {
  await node?.stop();
});

describe('the installed program', () => {
  it('is an executable at /usr/bin (a link to its launcher) started by /usr/bin/env node', async () => {
    expect((await node.run('readlink /usr/bin/bluechi-is-online')).stdout).toBe('../lib/bluechi/bluechi-is-online.cjs\n');
    expect((await node.run('stat -L -c %a /usr/bin/bluechi-is-online')).stdout).toBe('755\n');
    expect((await node.run('head -n 1 /usr/bin/bluechi-is-online')).stdout).toBe('#!/usr/bin/env node\n');
    expect((await node.run('command -v bluechi-is-online')).stdout).toBe('/usr/bin/bluechi-is-online\n');
  });

  it.each(['--help', '-h', 'help', 'agent --help', 'node -h'])('%s prints upstream help, exit 0', async (args) => {
    expect(await run(node, args)).toEqual({ exitCode: 0, stdout: UPSTREAM_HELP, stderr: '' });
  });

  it('version prints the same version as bluechictl', async () => {
    const ctl = await node.run('bluechictl version');
    expect(await run(node, 'version')).toEqual({ exitCode: 0, stdout: ctl.stdout.replace('bluechictl', 'bluechi-is-online'), stderr: '' });
  });
});

describe('bad usage: a clear message and exit 1', () => {
  it.each([
    { args: '', stderr: 'No command given\n', help: true },
    { args: 'bogus', stderr: 'Method bogus not found\n', help: true },
    { args: 'agent --bogus', stderr: "bluechi-is-online: unrecognized option '--bogus'\n", help: true },
    { args: '-v', stderr: "bluechi-is-online: invalid option -- 'v'\n", help: true },
    { args: 'agent --wait', stderr: "bluechi-is-online: option '--wait' requires an argument\n", help: true },
    { args: 'agent --monitor=1', stderr: "bluechi-is-online: option '--monitor' doesn't allow an argument\n", help: true },
    { args: 'node', stderr: 'Too few arguments for method node\n', help: false },
    { args: 'node a b', stderr: 'Too many arguments for method node\n', help: false },
    { args: 'system extra', stderr: 'Too many arguments for method system\n', help: false },
    { args: 'agent --wait=soon', stderr: "Value 'soon' of option --wait is invalid\n", help: false },
    { args: 'agent --wait=-100', stderr: "Value '-100' of option --wait is invalid\n", help: false },
    { args: 'agent --switch-timeout=1.5', stderr: "Value '1.5' of option --switch-timeout is invalid\n", help: false },
    { args: 'agent --initial-wait=x', stderr: "Value 'x' of option --initial-wait is invalid\n", help: false },
    { args: 'node n1 --switch-timeout=100', stderr: "Unsupported option 'switch-timeout' for method 'node'\n", help: false },
    { args: 'agent --wait=1 --initial-wait=1', stderr: 'Options --wait and --initial-wait cannot be used together\n', help: false },
  ])('bluechi-is-online $args', async ({ args, stderr, help }) => {
    expect(await run(node, args)).toEqual({ exitCode: 1, stdout: help ? UPSTREAM_HELP : '', stderr });
  });
});

describe('no BlueChi daemon on the bus', () => {
  it.each([
    { args: 'agent', bus: 'org.eclipse.bluechi.Agent' },
    { args: 'agent --monitor', bus: 'org.eclipse.bluechi.Agent' },
    { args: 'agent --wait=300', bus: 'org.eclipse.bluechi.Agent' },
    { args: 'node n1', bus: 'org.eclipse.bluechi' },
    { args: 'system', bus: 'org.eclipse.bluechi' },
    { args: 'system --initial-wait=300', bus: 'org.eclipse.bluechi' },
  ])('$args: offline, exit 1', async ({ args, bus }) => {
    expect(await run(node, args)).toEqual({ exitCode: 1, stdout: '', stderr: `Failed to get property: No route to host\n${bus} is offline\n` });
  });

  it('without a system bus at all: offline, exit 1', async () => {
    expect(await node.exec('DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/nothing-here bluechi-is-online agent')).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'Failed to connect to the system bus: No such file or directory\norg.eclipse.bluechi.Agent is offline\n',
    });
  });
});
