import { BluechiError, ErrorCodes, Messages, nodeObjectPath } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { runSetLogLevel } from './set-loglevel.js';

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** A controller that checks the node and the level as the real one does. */
function cluster(): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2', 'offline')];
  client.handlers.SetLogLevel = ({ node, level }) => {
    if (node !== undefined) {
      const found = client.nodes.find((n) => n.name === node);
      if (!found) throw new BluechiError(ErrorCodes.NODE_NOT_FOUND, Messages.unknownNodeObject(nodeObjectPath(node)));
      if (found.status !== 'online') throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
    }
    if (!LEVELS.includes(level)) throw new BluechiError(ErrorCodes.INVALID_ARGS, Messages.invalidLogLevel);
    return {};
  };
  return client;
}

const args = (positionals: string[]) => ({ positionals, options: new Map() });

describe('set-loglevel', () => {
  it.each(LEVELS)("sets the controller's level to %s, silently", async (level) => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runSetLogLevel(args([level]), r.deps)).toBe(0);
    expect(r.stdout() + r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'SetLogLevel', params: { level } }]);
  });

  it("sets a node agent's level, silently", async () => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runSetLogLevel(args(['worker1', 'DEBUG']), r.deps)).toBe(0);
    expect(r.stdout() + r.stderr()).toBe('');
    expect(client.calls).toEqual([{ method: 'SetLogLevel', params: { node: 'worker1', level: 'DEBUG' } }]);
  });

  it.each([
    { argv: ['FOO'], name: 'without a node' },
    { argv: ['debug'], name: 'in lower case' },
    { argv: ['worker1', 'FOO'], name: 'for a node (upstream exits 0 there)' },
  ])('refuses an invalid level $name, exit 1', async ({ argv }) => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runSetLogLevel(args(argv), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Failed to issue method call: Invalid input for log level\n');
  });

  it.each([
    { node: 'x', message: "Unknown object '/org/eclipse/bluechi/node/x'." },
    { node: 'worker2', message: 'Node is offline' },
  ])('fails for node $node, exit 1', async ({ node, message }) => {
    const client = cluster();
    const r = recordingDeps(client);
    expect(await runSetLogLevel(args([node, 'INFO']), r.deps)).toBe(1);
    expect(r.stderr()).toBe(`Failed to issue method call: ${message}\n`);
  });
});
