import { describe, expect, it } from 'vitest';
import { JobTracker } from './jobs.js';

describe('JobTracker', () => {
  it('assigns increasing ids from 1', () => {
    const t = new JobTracker();
    expect([t.allocate(), t.allocate(), t.allocate()]).toEqual([1, 2, 3]);
  });

  it('resolves a job only with a result from the node that owns it', async () => {
    const t = new JobTracker();
    const id = t.allocate();
    const p = t.track(id, 'worker1', 'a.service', 'start');
    expect(t.complete('worker2', id, 'done')).toBe(false);
    expect(t.complete('worker1', id, 'failed')).toBe(true);
    await expect(p).resolves.toBe('failed');
    expect(t.complete('worker1', id, 'done')).toBe(false);
  });

  it('fails the jobs of a node that went offline with Node is offline', async () => {
    const t = new JobTracker();
    const a = t.track(t.allocate(), 'worker1', 'a.service', 'start');
    const b = t.track(t.allocate(), 'worker2', 'b.service', 'stop');
    expect(t.failNode('worker1')).toBe(1);
    await expect(a).rejects.toMatchObject({ code: 'NODE_OFFLINE', message: 'Node is offline' });
    expect(t.size).toBe(1);
    t.complete('worker2', 2, 'done');
    await expect(b).resolves.toBe('done');
  });

  it('ends every job with the shutdown result', async () => {
    const t = new JobTracker();
    const a = t.track(t.allocate(), 'worker1', 'a.service', 'start');
    t.cancelAll();
    await expect(a).resolves.toBe('cancelled due to shutdown');
  });
});
