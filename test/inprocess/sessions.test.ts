/** API sessions: a request cancelled by its client, or cut off by its client leaving, is cancelled on the node too. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext, UnitInfo } from '@bluechi-ts/protocol';
import { FakeSystemdManager } from '../../packages/agent/src/systemd/fake-manager.js';
import { recordSignals, startAgent, startCluster, waitFor, type ApiClient, type TestAgent, type TestController } from './fixture.js';

/** A systemd whose ListUnits, once held, answers only when released. */
class SlowListing extends FakeSystemdManager {
  hold = false;
  private readonly waiting: Array<() => void> = [];
  get listings(): number {
    return this.waiting.length;
  }
  override async listUnits(): Promise<UnitInfo[]> {
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.listUnits();
  }
  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

let ctl: TestController;
let w1: TestAgent;
let api: ApiClient;
let stop: () => Promise<void>;
let systemd: SlowListing;
/** The AbortSignal of every ListUnits the agent served. */
let served: AbortSignal[];

beforeEach(async () => {
  systemd = new SlowListing({ 'a.service': {} });
  ({ ctl, api, stop, agents: [w1] } = await startCluster({ worker1: { systemd } }));
  // Watch the agent's side of the link: the handler is the agent's own, only observed.
  const peer = w1.agent.link.connection!;
  const listUnits = peer.handlers.ListUnits!;
  served = [];
  systemd.hold = true;
  peer.handlers = {
    ...peer.handlers,
    ListUnits: (params: Record<string, never>, ctx: RequestContext) => {
      served.push(ctx.signal);
      return listUnits(params, ctx);
    },
  };
});

afterEach(async () => {
  systemd.release();
  await stop();
});

const node = () => ctl.controller.registry.find('worker1')!;

describe('API sessions', () => {
  it('a request the client cancels fails at once and is cancelled on the node', async () => {
    const ac = new AbortController();
    const pending = api.call('ListUnits', { node: 'worker1' }, { signal: ac.signal });
    await waitFor('the agent serving the request', () => served.length >= 1 && systemd.listings >= 1);
    expect(node().connection!.pendingCount).toBe(1);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await waitFor('the controller stopped waiting for the node', () => node().connection!.pendingCount === 0);
    await waitFor('the agent saw the cancel', () => served[0]!.aborted);
    expect(served[0]!.reason).toMatchObject({ code: 'CANCELLED' });
    systemd.release();
    await waitFor('the agent finished', () => w1.agent.link.connection!.servingCount === 0);
    systemd.hold = false;
    expect((await api.call('ListUnits', { node: 'worker1' })).nodes[0]!.units.map((u) => u.name)).toEqual(['a.service']);
  });

  it('a client that goes away cancels what it was waiting for', async () => {
    const client = await ctl.api();
    const pending = client.call('ListUnits', {});
    await waitFor('the agent serving the request', () => served.length >= 1);
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    await waitFor('the agent saw the cancel', () => served[0]!.aborted);
    expect(node().connection!.pendingCount).toBe(0);
  });

  it('a session that watches nodes gets every status change', async () => {
    const watcher = await ctl.api();
    const rec = recordSignals(watcher, ['NodeStatusChanged']);
    await watcher.call('WatchNodes', {});
    await watcher.call('WatchNodes', {});
    const w2 = startAgent('worker2', `unix:path=${ctl.agentSocket}`);
    await waitFor('worker2 online', () => rec.seen.length >= 1);
    await w2.stop();
    await waitFor('worker2 offline', () => rec.seen.length >= 2);
    expect(rec.seen.map((s) => s.params)).toEqual([
      { node: 'worker2', status: 'online' },
      { node: 'worker2', status: 'offline' },
    ]);
  });
});
