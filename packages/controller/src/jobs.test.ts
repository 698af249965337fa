import { describe, expect, it } from 'vitest';
import { JobRegistry, type Job, type JobOutcome } from './jobs.js';

type Event = [string, number, string?];

function recorded(): { jobs: JobRegistry; events: Event[] } {
  const jobs = new JobRegistry(() => 1_000, () => 5);
  const events: Event[] = [];
  jobs.on('new', (j: Job) => events.push(['new', j.id]));
  jobs.on('state', (j: Job) => events.push(['state', j.id, j.state]));
  jobs.on('removed', (j: Job, o: JobOutcome) => events.push(['removed', j.id, o.error ? `${o.result} (${o.error.message})` : o.result]));
  return { jobs, events };
}

describe('JobRegistry', () => {
  it('numbers jobs from 1 across nodes and never reuses an id, even a refused one', () => {
    const { jobs } = recorded();
    const a = jobs.create('worker1', 'a.service', 'start');
    jobs.refuse(a);
    const b = jobs.create('worker2', 'a.service', 'stop');
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(b.path).toBe('/org/eclipse/bluechi/job/2');
  });

  it('announces a job once accepted, then its state, then its removal', () => {
    const { jobs, events } = recorded();
    const j = jobs.create('worker1', 'a.service', 'start');
    expect(events).toEqual([]);
    jobs.accept(j);
    expect(jobs.list().map((x) => x.info())).toEqual([
      { id: 1, node: 'worker1', unit: 'a.service', type: 'start', state: 'waiting', createdAt: 1_000 },
    ]);
    expect(jobs.stateChanged('worker1', 1, 'running')).toBe(true);
    expect(jobs.done('worker1', 1, 'done')).toBe(true);
    expect(events).toEqual([['new', 1], ['state', 1, 'running'], ['removed', 1, 'done']]);
    expect(jobs.size).toBe(0);
  });

  it('keeps a result that overtakes the agent reply and reports it right after JobNew', () => {
    const { jobs, events } = recorded();
    const j = jobs.create('worker1', 'a.service', 'start');
    expect(jobs.done('worker1', 1, 'done')).toBe(true);
    expect(events).toEqual([]);
    jobs.accept(j);
    expect(events).toEqual([['new', 1], ['removed', 1, 'done']]);
  });

  it('announces nothing for a refused job, even one whose node dropped meanwhile', () => {
    const { jobs, events } = recorded();
    const j = jobs.create('worker1', 'a.service', 'start');
    jobs.failNode('worker1');
    jobs.refuse(j);
    expect(events).toEqual([]);
    expect(jobs.size).toBe(0);
  });

  it('ignores results and states from a node that does not own the job', () => {
    const { jobs, events } = recorded();
    jobs.accept(jobs.create('worker1', 'a.service', 'start'));
    expect(jobs.done('worker2', 1, 'done')).toBe(false);
    expect(jobs.stateChanged('worker2', 1, 'running')).toBe(false);
    expect(jobs.done('worker1', 99, 'done')).toBe(false);
    expect(events).toEqual([['new', 1]]);
  });

  it('ends the jobs of a node that drops with Node is offline, and no others', () => {
    const { jobs, events } = recorded();
    jobs.accept(jobs.create('worker1', 'a.service', 'start'));
    jobs.accept(jobs.create('worker2', 'a.service', 'start'));
    expect(jobs.failNode('worker1')).toBe(1);
    expect(events.at(-1)).toEqual(['removed', 1, 'failed (Node is offline)']);
    expect(jobs.list().map((j) => j.id)).toEqual([2]);
  });

  it("ends every job with 'cancelled due to shutdown'", () => {
    const { jobs, events } = recorded();
    jobs.accept(jobs.create('worker1', 'a.service', 'start'));
    jobs.accept(jobs.create('worker2', 'b.service', 'restart'));
    jobs.cancelAll();
    expect(events.filter((e) => e[0] === 'removed')).toEqual([
      ['removed', 1, 'cancelled due to shutdown'],
      ['removed', 2, 'cancelled due to shutdown'],
    ]);
  });

  it('hides jobs that are not accepted yet from get and list', () => {
    const { jobs } = recorded();
    const j = jobs.create('worker1', 'a.service', 'start');
    expect(jobs.get(j.id)).toBeUndefined();
    expect(jobs.list()).toEqual([]);
    jobs.accept(j);
    expect(jobs.get(j.id)).toBe(j);
  });
});
