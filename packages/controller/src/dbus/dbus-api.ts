/**
 * The public D-Bus API `org.eclipse.bluechi` (reference §2.1-§2.5): a thin
 * adapter over the controller operations, as the local API socket is. It puts
 * the controller, every configured node, each job (JobNew to JobRemoved), each
 * monitor a D-Bus client created and, while metrics are on, the metrics object
 * on the bus, and turns the registries' events into signals:
 *
 *   jobs        Controller.JobNew / JobRemoved (broadcast), Job.State changes
 *   nodes       Node.Status changes, Controller.Status changes
 *   metrics     Metrics.StartUnitJobMetrics / AgentJobMetrics (broadcast)
 *   monitors    unicast to their owner and peers (dbus-sessions.ts)
 */
import {
  CONTROLLER_OBJECT_PATH,
  ControllerInterface,
  JobInterface,
  METRICS_OBJECT_PATH,
  MetricsInterface,
  NodeInterface,
  type LogTarget,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { Job, JobOutcome } from '../jobs.js';
import type { AgentJobMetrics, StartUnitJobMetrics } from '../metrics.js';
import type { Monitor } from '../monitors.js';
import type { ControllerNode } from '../node.js';
import type { ApiOperations, Services } from '../operations/index.js';
import type { BusServer } from './bus-server.js';
import { ControllerObject } from './controller-object.js';
import { DbusSessions } from './dbus-sessions.js';
import { JobObject } from './job-object.js';
import { MonitorObject } from './monitor-object.js';
import { NodeObject } from './node-object.js';
import { ObjectTree } from './object-tree.js';

export type DbusApiOptions = {
  bus: BusServer;
  services: Services;
  operations: ApiOperations;
  logTarget: LogTarget;
  log: Logger;
};

const METRICS_OBJECT = { interfaces: [MetricsInterface], properties: () => ({}), call: () => [] };

export class DbusApi {
  private readonly tree: ObjectTree;
  private readonly sessions: DbusSessions;
  private readonly detach: Array<() => void> = [];
  private systemStatus: string;

  constructor(private readonly opts: DbusApiOptions) {
    const { bus, services: s, operations } = opts;
    this.tree = new ObjectTree(bus);
    this.sessions = new DbusSessions(this.tree, operations, s.monitors);
    this.systemStatus = s.registry.systemStatus();

    const controller = new ControllerObject(s, this.sessions, opts.logTarget, (id, path) => this.tree.add(path, new MonitorObject(id, this.sessions)));
    this.tree.add(CONTROLLER_OBJECT_PATH, controller);
    for (const node of s.registry.list()) this.tree.add(node.path, new NodeObject(node, this.sessions));
    if (s.metrics.enabled) this.tree.add(METRICS_OBJECT_PATH, METRICS_OBJECT);

    bus.onClientGone((name) => this.sessions.gone(name));
    this.on(s.jobs, 'new', (job: Job) => this.jobNew(job));
    this.on(s.jobs, 'state', (job: Job) => this.tree.propertiesChanged(job.path, JobInterface, { State: job.state }));
    this.on(s.jobs, 'removed', (job: Job, outcome: JobOutcome) => this.jobRemoved(job, outcome));
    this.on(s.registry, 'status', (node: ControllerNode) => this.nodeStatus(node));
    this.on(s.monitors, 'closed', (m: Monitor) => this.tree.remove(m.path));
    this.on(s.metrics, 'toggled', (on: boolean) => (on ? this.tree.add(METRICS_OBJECT_PATH, METRICS_OBJECT) : this.tree.remove(METRICS_OBJECT_PATH)));
    this.on(s.metrics, 'startUnitJob', (m: StartUnitJobMetrics) =>
      this.tree.emit(METRICS_OBJECT_PATH, MetricsInterface, 'StartUnitJobMetrics', [m.node, m.jobPath, m.unit, m.jobMeasuredTimeUs, m.unitStartPropTimeUs]),
    );
    this.on(s.metrics, 'agentJob', (m: AgentJobMetrics) =>
      this.tree.emit(METRICS_OBJECT_PATH, MetricsInterface, 'AgentJobMetrics', [m.node, m.unit, m.method, m.systemdJobTimeUs]),
    );
  }

  /** Stops serving: ends every D-Bus session and leaves the bus. */
  stop(): void {
    for (const off of this.detach.splice(0)) off();
    this.sessions.endAll();
    this.opts.bus.close();
  }

  private on<A extends unknown[]>(emitter: { on(e: string, l: (...a: A) => void): unknown; off(e: string, l: (...a: A) => void): unknown }, event: string, listener: (...a: A) => void): void {
    const guarded = (...a: A) => {
      try {
        listener(...a);
      } catch (err) {
        this.opts.log.error(`D-Bus API: reporting ${event} failed: ${(err as Error).message}, ignoring`);
      }
    };
    emitter.on(event, guarded);
    this.detach.push(() => emitter.off(event, guarded));
  }

  private jobNew(job: Job): void {
    this.tree.add(job.path, new JobObject(job, this.sessions));
    this.tree.emit(CONTROLLER_OBJECT_PATH, ControllerInterface, 'JobNew', [job.id, job.path]);
  }

  private jobRemoved(job: Job, outcome: JobOutcome): void {
    this.tree.emit(CONTROLLER_OBJECT_PATH, ControllerInterface, 'JobRemoved', [job.id, job.path, job.node, job.unit, outcome.result]);
    this.tree.remove(job.path);
  }

  private nodeStatus(node: ControllerNode): void {
    this.tree.propertiesChanged(node.path, NodeInterface, { Status: node.status });
    const now = this.opts.services.registry.systemStatus();
    if (now === this.systemStatus) return;
    this.systemStatus = now;
    this.tree.propertiesChanged(CONTROLLER_OBJECT_PATH, ControllerInterface, { Status: now });
  }
}
