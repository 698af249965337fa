/**
 * The fake systemd plus the one piece of dependency logic proxy services rely
 * on: `bluechi-dep@X.service` pulls in X.service and stops with it (BindsTo=),
 * and a target marked StopWhenUnneeded stops when its dep stops.
 */
import { depUnitName, type UnitOp } from '@bluechi-ts/protocol';
import { FakeSystemdManager, type FakeUnitOptions } from '../../packages/agent/src/systemd/fake-manager.js';
import type { QueuedJob } from '../../packages/agent/src/systemd/manager.js';

const DEP = /^bluechi-dep@(.+)\.service$/;

export class DepAwareFake extends FakeSystemdManager {
  readonly stopWhenUnneeded = new Set<string>();

  constructor(units: Record<string, FakeUnitOptions & { stopWhenUnneeded?: boolean }> = {}) {
    super(units);
    for (const [name, o] of Object.entries(units)) if (o.stopWhenUnneeded) this.stopWhenUnneeded.add(name);
    this.onStateChanged(({ unit, activeState }) => {
      if (activeState !== 'inactive' && activeState !== 'failed') return;
      const dep = depUnitName(unit);
      const d = this.unit(dep);
      if (d && d.activeState === 'active') this.setState(dep, 'inactive', 'dead');
    });
  }

  override async queueJob(op: UnitOp, unit: string, mode: string): Promise<QueuedJob> {
    const m = DEP.exec(unit);
    if (!m) return super.queueJob(op, unit, mode);
    const target = `${m[1]}.service`;
    if (op === 'start') {
      if (!this.unit(unit)) this.addUnit(unit, { runningSubState: 'exited' });
      await super.queueJob('start', target, mode);
      return super.queueJob(op, unit, mode);
    }
    const job = await super.queueJob(op, unit, mode);
    if (op === 'stop' && this.stopWhenUnneeded.has(target) && this.unit(target)?.activeState === 'active') {
      void job.done.then(() => super.queueJob('stop', target, mode));
    }
    return job;
  }
}
