import { describe, expect, it } from 'vitest';
import { VERSION } from '@bluechi-ts/protocol';
import { fakeServices, recordingSession as session } from './fake-services.js';

/** Nodes n1 and n2, both offline until `online`. */
function setup() {
  const { ops, calls, levels, online, offline } = fakeServices({ nodes: ['n1', 'n2'], attached: [] });
  /** The requests to the agents, as `Method {params as JSON}`. */
  const agentCalls = () => calls.map((c) => `${c.method} ${JSON.stringify(c.params)}`);
  return { ops, agentCalls, levels, online, offline };
}

describe('node operations', () => {
  it('report the version and every configured node in order', async () => {
    const { ops, online } = setup();
    online('n2');
    const { ctx } = session();
    expect(await ops.Version({}, ctx)).toEqual({ version: VERSION });
    expect((await ops.ListNodes({}, ctx)).nodes).toEqual([
      { name: 'n1', status: 'offline', peerIp: '', lastSeen: 0, connectedSince: 0 },
      { name: 'n2', status: 'online', peerIp: '10.0.0.1', lastSeen: 1_000, connectedSince: 1_000 },
    ]);
  });

  it('WatchNodes sends every status change once, however often it is asked, until the session closes', async () => {
    const { ops, online, offline } = setup();
    const a = session();
    await ops.WatchNodes({}, a.ctx);
    await ops.WatchNodes({}, a.ctx);
    online('n1');
    offline('n1');
    expect(a.signals).toEqual(['NodeStatusChanged {"node":"n1","status":"online"}', 'NodeStatusChanged {"node":"n1","status":"offline"}']);
    a.close();
    online('n2');
    expect(a.signals).toHaveLength(2);
  });

  it("SetLogLevel without a node changes the controller's level", async () => {
    const { ops, levels, agentCalls } = setup();
    await ops.SetLogLevel({ level: 'DEBUG' }, session().ctx);
    expect(levels).toEqual(['DEBUG']);
    expect(agentCalls()).toEqual([]);
  });

  it("SetLogLevel with a node forwards it to that node's agent", async () => {
    const { ops, levels, agentCalls, online } = setup();
    online('n1');
    await ops.SetLogLevel({ node: 'n1', level: 'WARN' }, session().ctx);
    expect(agentCalls()).toEqual(['SetLogLevel {"level":"WARN"}']);
    expect(levels).toEqual([]);
    await expect(ops.SetLogLevel({ node: 'n2', level: 'WARN' }, session().ctx)).rejects.toMatchObject({ code: 'NODE_OFFLINE' });
  });

  it.each([['debug'], ['TRACE'], ['']])("refuses the level '%s' for the controller and for nodes", async (level) => {
    const { ops, levels, agentCalls, online } = setup();
    online('n1');
    for (const node of [undefined, 'n1']) {
      await expect(ops.SetLogLevel({ node, level }, session().ctx)).rejects.toMatchObject({ code: 'INVALID_ARGS', message: 'Invalid input for log level' });
    }
    expect(levels).toEqual([]);
    expect(agentCalls()).toEqual([]);
  });
});
