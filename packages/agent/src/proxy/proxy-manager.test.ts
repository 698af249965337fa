import { describe, expect, it } from 'vitest';
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { ProxyManager, TIMEOUT_READ_DELAY_MS, type ProxyHost, type ProxyInfo } from './proxy-manager.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });
const SVC = 'bluechi-proxy@worker1_target.service';

function host(over: Partial<ProxyHost> = {}) {
  const calls = { announced: [] as ProxyInfo[], released: [] as number[], stopped: [] as string[] };
  const h: ProxyHost = {
    announce: async (p) => {
      calls.announced.push({ ...p });
    },
    release: (id) => calls.released.push(id),
    connected: () => true,
    stopService: async (name) => {
      calls.stopped.push(name);
    },
    startTimeout: async () => 0,
    ...over,
  };
  return { h, calls };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const active = { activeState: 'active', subState: 'running', reason: 'real' as const };

describe('ProxyManager', () => {
  it('announces a new proxy and answers once the target is active', async () => {
    const { h, calls } = host();
    const m = new ProxyManager(h, log, 1);
    const done = m.create(SVC, 'worker1', 'target.service');
    await tick();
    expect(calls.announced).toMatchObject([{ id: 1, node: 'worker1', unit: 'target.service', phase: 'waiting' }]);
    m.targetState(1, active);
    await expect(done).resolves.toBeUndefined();
    expect(m.list()).toMatchObject([{ id: 1, phase: 'active' }]);
  });

  it('fails at once with the controller refusal and does not release what was never counted', async () => {
    const refusal = new BluechiError(ErrorCodes.PROXY_NOT_ALLOWED, 'Proxy on node not allowed: …');
    const { h, calls } = host({ announce: async () => Promise.reject(refusal) });
    const m = new ProxyManager(h, log, 1);
    await expect(m.create(SVC, 'worker1', 'target.service')).rejects.toThrow('Proxy on node not allowed');
    expect(calls.released).toEqual([]);
    expect(m.list()).toEqual([]);
  });

  it('a refusal that arrives while the start timeout is still being read is not an unhandled rejection', async () => {
    const refusal = new BluechiError(ErrorCodes.PROXY_NOT_ALLOWED, 'Proxy on node not allowed: …');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const slowTimeout = () => new Promise<number>((r) => setTimeout(() => r(0), 20));
      const { h } = host({ announce: async () => Promise.reject(refusal), startTimeout: slowTimeout });
      const m = new ProxyManager(h, log, 1);
      await expect(m.create(SVC, 'worker1', 'target.service')).rejects.toThrow('Proxy on node not allowed');
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('waits for the connection instead of failing when the controller is away', async () => {
    let connected = false;
    const { h, calls } = host({ connected: () => connected });
    const m = new ProxyManager(h, log, 1);
    const done = m.create(SVC, 'worker1', 'target.service');
    await tick();
    expect(calls.announced).toEqual([]);
    connected = true;
    m.reannounce();
    await tick();
    expect(calls.announced).toHaveLength(1);
    m.targetState(1, active);
    await expect(done).resolves.toBeUndefined();
  });

  it('replaces a proxy that is still registered for the same service', async () => {
    const { h, calls } = host();
    const m = new ProxyManager(h, log, 1);
    const first = m.create(SVC, 'worker1', 'target.service');
    const second = m.create(SVC, 'worker1', 'target.service');
    await expect(first).rejects.toThrow(`replaced by a new request from ${SVC}`);
    expect(calls.released).toEqual([1]);
    m.targetState(2, active);
    await expect(second).resolves.toBeUndefined();
  });

  it('stops the proxy service when an active target really stops, and releases it', async () => {
    const { h, calls } = host();
    const m = new ProxyManager(h, log, 1);
    const done = m.create(SVC, 'worker1', 'target.service');
    m.targetState(1, active);
    await done;
    m.targetState(1, { activeState: 'inactive', subState: 'agent-offline', reason: 'virtual' });
    expect(calls.stopped).toEqual([]);
    m.targetState(1, { activeState: 'failed', subState: 'failed', reason: 'real' });
    await tick();
    expect(calls.stopped).toEqual([SVC]);
    expect(calls.released).toEqual([1]);
  });

  it('adopts a running proxy service: announced as reacquiring, resumed when the target is active', async () => {
    const { h, calls } = host();
    const m = new ProxyManager(h, log, 1);
    m.adopt(SVC, 'worker1', 'target.service');
    m.adopt(SVC, 'worker1', 'target.service');
    await tick();
    expect(calls.announced).toMatchObject([{ id: 1, node: 'worker1', unit: 'target.service', phase: 'reacquiring' }]);
    m.targetState(1, { activeState: 'inactive', subState: 'dead', reason: 'real' });
    expect(calls.stopped).toEqual([]);
    m.targetState(1, active);
    expect(m.list()).toMatchObject([{ id: 1, phase: 'active' }]);
    m.remove(SVC, 'worker1', 'target.service');
    expect(calls.released).toEqual([1]);
  });

  it('keeps an active proxy while the target node is offline, even if the target stopped meanwhile', async () => {
    const { h, calls } = host();
    const m = new ProxyManager(h, log, 1);
    const done = m.create(SVC, 'worker1', 'target.service');
    m.targetState(1, active);
    await done;
    m.targetState(1, { activeState: 'inactive', subState: 'agent-offline', reason: 'virtual' });
    expect(m.list()).toMatchObject([{ id: 1, phase: 'reacquiring' }]);
    // The node returns; the target was stopped while nobody watched, then is started again.
    m.targetState(1, { activeState: 'inactive', subState: 'dead', reason: 'virtual' });
    m.targetState(1, { activeState: 'inactive', subState: 'dead', reason: 'real' });
    m.targetState(1, active);
    await tick();
    expect(calls.stopped).toEqual([]);
    expect(m.list()).toMatchObject([{ id: 1, phase: 'active' }]);
  });

  it('times out with the node and unit named', async () => {
    const { h } = host({ startTimeout: async () => 30 });
    const m = new ProxyManager(h, log, 1);
    await expect(m.create(SVC, 'worker1', 'target.service')).rejects.toThrow(
      "timed out after 30 ms waiting for target.service on node 'worker1' to become active",
    );
  });

  it('reads the start timeout only for a proxy still waiting after a moment', async () => {
    let reads = 0;
    const { h } = host({
      startTimeout: async () => {
        reads++;
        return TIMEOUT_READ_DELAY_MS + 50;
      },
    });
    const m = new ProxyManager(h, log, 1);
    const fast = m.create(SVC, 'worker1', 'target.service');
    m.targetState(1, active);
    await fast;
    await new Promise((r) => setTimeout(r, TIMEOUT_READ_DELAY_MS + 20));
    expect(reads).toBe(0);

    await expect(m.create('bluechi-proxy@worker1_other.service', 'worker1', 'other.service')).rejects.toThrow(
      `timed out after ${TIMEOUT_READ_DELAY_MS + 50} ms`,
    );
    expect(reads).toBe(1);
  });

  it('RemoveProxy always succeeds and fails a pending request', async () => {
    const { h, calls } = host();
    const m = new ProxyManager(h, log, 1);
    m.remove(SVC, 'worker1', 'nothing.service');
    const pending = m.create(SVC, 'worker1', 'target.service');
    m.remove(SVC, 'worker1', 'target.service');
    await expect(pending).rejects.toThrow('proxy service stopped');
    expect(calls.released).toEqual([1]);
  });

  it('fails every pending request when the agent shuts down', async () => {
    const { h } = host();
    const m = new ProxyManager(h, log, 1);
    const pending = m.create(SVC, 'worker1', 'target.service');
    m.stopAll();
    await expect(pending).rejects.toThrow('Proxy service stopped: the agent is shutting down');
  });
});

describe('proxy ids', () => {
  it('start at a random id, so a restarted agent does not reuse the ids of the one before', () => {
    const firsts = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const m = new ProxyManager(host().h, log);
      m.adopt('bluechi-proxy@worker1_a.service', 'worker1', 'a.service');
      const [p] = m.list();
      expect(p!.id).toBeGreaterThanOrEqual(1);
      expect(p!.id).toBeLessThan(2 ** 31);
      firsts.add(p!.id);
    }
    expect(firsts.size).toBeGreaterThan(1);
  });

  it('wrap around from the largest 32-bit id to 1', () => {
    const m = new ProxyManager(host().h, log, 0xffffffff);
    m.adopt('bluechi-proxy@worker1_a.service', 'worker1', 'a.service');
    m.adopt('bluechi-proxy@worker1_b.service', 'worker1', 'b.service');
    expect(m.list().map((p) => p.id)).toEqual([0xffffffff, 1]);
  });
});
