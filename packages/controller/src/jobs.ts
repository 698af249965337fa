/**
 * The controller's jobs (reference §2.3): one object per lifecycle request,
 * with a controller-wide id (from 1, never reused while the daemon runs), its
 * node, unit, type and state (`waiting`, then `running`), and three events:
 *
 *   new       systemd accepted the job (JobNew)
 *   state     systemd started running it (JobStateChanged)
 *   removed   it ended: systemd's result, `cancelled due to shutdown`, or an
 *             error when its node dropped (JobRemoved)
 *
 * A job is created before the request goes to the agent, so a state or a
 * result that overtakes the agent's reply is kept and reported right after `new`.
 */
import { EventEmitter } from 'node:events';
import {
  BluechiError,
  ErrorCodes,
  Messages,
  jobObjectPath,
  type JobInfo,
  type JobState,
  type UnitOp,
} from '@bluechi-ts/protocol';

export type JobOutcome = { result: string; error?: BluechiError };

export class Job {
  state: JobState = 'waiting';
  /** Set once the agent accepted the job (JobNew was emitted). */
  accepted = false;
  /** The outcome, once known (it may arrive before `accepted`). */
  outcome: JobOutcome | undefined;

  constructor(
    readonly id: number,
    readonly node: string,
    readonly unit: string,
    readonly type: UnitOp,
    /** Wall clock (ms since the epoch) when the request arrived. */
    readonly createdAt: number,
    /** Monotonic clock (ms) when the request arrived, for metrics. */
    readonly createdMono: number,
  ) {}

  get path(): string {
    return jobObjectPath(this.id);
  }

  info(): JobInfo {
    return { id: this.id, node: this.node, unit: this.unit, type: this.type, state: this.state, createdAt: this.createdAt };
  }
}

type JobEvents = {
  new: [job: Job];
  state: [job: Job];
  removed: [job: Job, outcome: JobOutcome];
};

export class JobRegistry extends EventEmitter<JobEvents> {
  private nextId = 1;
  private readonly jobs = new Map<number, Job>();

  constructor(
    private readonly wallNow: () => number = Date.now,
    private readonly monoNow: () => number = () => performance.now(),
  ) {
    super();
    // Every API session and the metrics follow jobs; none of them is a leak.
    this.setMaxListeners(0);
  }

  /** Allocates an id and tracks the job; nothing is announced until accept(). */
  create(node: string, unit: string, type: UnitOp): Job {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const job = new Job(id, node, unit, type, this.wallNow(), this.monoNow());
    this.jobs.set(id, job);
    return job;
  }

  get(id: number): Job | undefined {
    const job = this.jobs.get(id);
    return job?.accepted ? job : undefined;
  }

  /** Accepted jobs that have not ended, oldest first. */
  list(): Job[] {
    return [...this.jobs.values()].filter((j) => j.accepted);
  }

  get size(): number {
    return this.jobs.size;
  }

  /**
   * The agent queued the job: JobNew, then whatever overtook the agent's
   * reply: JobStateChanged if the job runs already, JobRemoved if it ended.
   */
  accept(job: Job): void {
    if (job.accepted || !this.jobs.has(job.id)) return;
    job.accepted = true;
    this.emit('new', job);
    if (job.state !== 'waiting') this.emit('state', job);
    if (job.outcome) this.remove(job, job.outcome);
  }

  /** The request was refused before a job existed: the id is used up, nothing is announced. */
  refuse(job: Job): void {
    if (!job.accepted) this.jobs.delete(job.id);
  }

  /** JobStateChanged from `node`; ignored unless that node owns the job. */
  stateChanged(node: string, id: number, state: JobState): boolean {
    const job = this.jobs.get(id);
    if (!job || job.node !== node || job.outcome || job.state === state) return false;
    job.state = state;
    if (job.accepted) this.emit('state', job);
    return true;
  }

  /** JobDone from `node`; ignored (returns false) unless that node owns the job. */
  done(node: string, id: number, result: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.node !== node || job.outcome) return false;
    this.finish(job, { result });
    return true;
  }

  /** Ends every job of a node that went away: their results can no longer arrive. */
  failNode(node: string): number {
    let n = 0;
    for (const job of [...this.jobs.values()]) {
      if (job.node !== node || job.outcome) continue;
      this.finish(job, { result: 'failed', error: new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline) });
      n++;
    }
    return n;
  }

  /** Ends every job with BlueChi's shutdown result. */
  cancelAll(): void {
    for (const job of [...this.jobs.values()]) {
      if (!job.outcome) this.finish(job, { result: Messages.cancelledDueToShutdown });
    }
  }

  private finish(job: Job, outcome: JobOutcome): void {
    job.outcome = outcome;
    if (job.accepted) this.remove(job, outcome);
    // Not accepted yet: accept() reports it, or refuse() drops it.
  }

  private remove(job: Job, outcome: JobOutcome): void {
    this.jobs.delete(job.id);
    this.emit('removed', job, outcome);
  }
}
