import { describe, expect, it } from 'vitest';
import { NodeRegistry } from './node-registry.js';
import type { AgentPeer } from './agent-peer.js';

const peer = {} as AgentPeer;

describe('NodeRegistry', () => {
  const make = () => new NodeRegistry([{ name: 'main', allowDependenciesOn: [] }, { name: 'worker1', allowDependenciesOn: [] }]);

  it('lists every configured node, online or not, in config order', () => {
    const r = make();
    expect(r.list().map((n) => [n.name, n.status])).toEqual([
      ['main', 'offline'],
      ['worker1', 'offline'],
    ]);
  });

  it('refuses unknown names and names already online', () => {
    const r = make();
    expect(r.decideRegister('intruder')).toMatchObject({ ok: false, code: 'UNEXPECTED_NODE_NAME', message: 'Unexpected node name' });
    const d = r.decideRegister('worker1');
    expect(d.ok).toBe(true);
    if (d.ok) d.node.attach(peer, '::ffff:127.0.0.1', 2000, 1000, 1);
    expect(r.decideRegister('worker1')).toMatchObject({ ok: false, code: 'NODE_ALREADY_CONNECTED', message: 'The node is already connected' });
  });

  it('derives status from the attached connection and clears it on detach', () => {
    const r = make();
    const n = r.find('main')!;
    n.attach(peer, '', 2000, 5000, 1);
    expect(n.info()).toEqual({ name: 'main', status: 'online', peerIp: '', lastSeen: 5000, connectedSince: 5000 });
    expect(n.detach({} as AgentPeer)).toBe(false);
    expect(n.detach(peer)).toBe(true);
    expect(n.info()).toEqual({ name: 'main', status: 'offline', peerIp: '', lastSeen: 5000, connectedSince: 0 });
  });

  it('reports an unknown node with the object-path wording', () => {
    expect(() => make().require('bad/node')).toThrow("Unknown object '/org/eclipse/bluechi/node/bad_2fnode'.");
  });
});
