/**
 * `org.eclipse.bluechi.Job` at `/org/eclipse/bluechi/job/<id>` (reference
 * §2.3): on the bus from JobNew to JobRemoved. Cancel asks the node to cancel
 * the systemd job; the job then ends through JobRemoved.
 */
import { JobInterface, type Json } from '@bluechi-ts/protocol';
import type { Job } from '../jobs.js';
import type { DbusSessions } from './dbus-sessions.js';
import type { BusObject } from './object-tree.js';

export class JobObject implements BusObject {
  readonly interfaces = [JobInterface];

  constructor(
    private readonly job: Job,
    private readonly sessions: DbusSessions,
  ) {}

  properties(): Record<string, Json> {
    const j = this.job;
    return { Id: j.id, Node: j.node, Unit: j.unit, JobType: j.type, State: j.state };
  }

  async call(_iface: string, _member: string, _args: Json[], caller: string): Promise<Json[]> {
    await this.sessions.invoke(caller, 'CancelJob', { jobId: this.job.id });
    return [];
  }
}
