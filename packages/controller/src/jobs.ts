/**
 * Controller-assigned job ids and the waiters for their results. Ids are
 * controller-wide, start at 1 and are never reused while the daemon runs.
 */
import { BluechiError, ErrorCodes, Messages, type UnitOp } from '@bluechi-ts/protocol';

type Waiter = {
  node: string;
  unit: string;
  op: UnitOp;
  resolve: (result: string) => void;
  reject: (err: BluechiError) => void;
};

export class JobTracker {
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();

  allocate(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }

  /** Starts waiting for job `id` before the request is sent, so no result is missed. */
  track(id: number, node: string, unit: string, op: UnitOp): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { node, unit, op, resolve, reject });
    });
  }

  forget(id: number): void {
    this.waiters.delete(id);
  }

  get size(): number {
    return this.waiters.size;
  }

  /** A JobDone from `node`; ignored (returns false) unless that node owns the job. */
  complete(node: string, id: number, result: string): boolean {
    const w = this.waiters.get(id);
    if (!w || w.node !== node) return false;
    this.waiters.delete(id);
    w.resolve(result);
    return true;
  }

  /** Fails every job of a node that went away: its result can no longer arrive. */
  failNode(node: string): number {
    let n = 0;
    for (const [id, w] of this.waiters) {
      if (w.node !== node) continue;
      this.waiters.delete(id);
      w.reject(new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline));
      n++;
    }
    return n;
  }

  /** Ends every job with BlueChi's shutdown result. */
  cancelAll(): void {
    for (const [id, w] of this.waiters) {
      this.waiters.delete(id);
      w.resolve(Messages.cancelledDueToShutdown);
    }
  }
}
