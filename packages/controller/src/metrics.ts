/**
 * Job metrics (reference §7), off by default. While on, every online agent
 * reports systemd's time for each lifecycle job (AgentJobMetrics), and for
 * each start job accepted meanwhile the controller reports:
 *
 *   jobMeasuredTimeUs    its own wall time from the request to the job's end
 *   unitStartPropTimeUs  the unit's time in `activating` as systemd recorded it:
 *                        ActiveEnterTimestampMonotonic - InactiveExitTimestampMonotonic,
 *                        read from the unit right after the job (0 if it never got active)
 *
 * Upstream prints 0.0 ms for both controller figures; these are measured.
 */
import { EventEmitter } from 'node:events';
import { BluechiError, ErrorCodes, Messages, type ApiSignals, type SignalParamsOf } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { Job, JobOutcome, JobRegistry } from './jobs.js';
import type { ControllerNode } from './node.js';
import type { NodeRegistry } from './node-registry.js';

export type StartUnitJobMetrics = SignalParamsOf<typeof ApiSignals, 'StartUnitJobMetrics'>;
export type AgentJobMetrics = SignalParamsOf<typeof ApiSignals, 'AgentJobMetrics'>;

type MetricsEvents = { startUnitJob: [StartUnitJobMetrics]; agentJob: [AgentJobMetrics]; toggled: [enabled: boolean] };

const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';

export class Metrics extends EventEmitter<MetricsEvents> {
  private isOn = false;
  /** Start jobs accepted while metrics were on. */
  private readonly measured = new Set<number>();

  constructor(
    private readonly registry: NodeRegistry,
    jobs: JobRegistry,
    private readonly log: Logger,
    private readonly monoNow: () => number = () => performance.now(),
  ) {
    super();
    this.setMaxListeners(0);
    jobs.on('new', (job) => {
      if (this.isOn && job.type === 'start') this.measured.add(job.id);
    });
    jobs.on('removed', (job, outcome) => {
      if (this.measured.delete(job.id)) void this.reportStartJob(job, outcome);
    });
  }

  get enabled(): boolean {
    return this.isOn;
  }

  /** INVALID_STATE "Metrics already enabled" when they are. */
  enable(): void {
    if (this.isOn) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.metricsAlreadyEnabled);
    this.isOn = true;
    this.log.info('Metrics enabled');
    this.emit('toggled', true);
    for (const node of this.registry.online()) this.tell(node, 'EnableMetrics');
  }

  /** INVALID_STATE "Metrics already disabled" when they are. */
  disable(): void {
    if (!this.isOn) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.metricsAlreadyDisabled);
    this.isOn = false;
    this.measured.clear();
    this.log.info('Metrics disabled');
    this.emit('toggled', false);
    for (const node of this.registry.online()) this.tell(node, 'DisableMetrics');
  }

  /** A node registered: it measures too while metrics are on. */
  nodeAttached(node: ControllerNode): void {
    if (this.isOn) this.tell(node, 'EnableMetrics');
  }

  /** An agent's AgentJobMetrics; dropped when metrics were switched off meanwhile. */
  agentJob(node: ControllerNode, m: Omit<AgentJobMetrics, 'node'>): void {
    if (this.isOn) this.emit('agentJob', { node: node.name, ...m });
  }

  private async reportStartJob(job: Job, outcome: JobOutcome): Promise<void> {
    const jobMeasuredTimeUs = Math.max(0, Math.round((this.monoNow() - job.createdMono) * 1000));
    let unitStartPropTimeUs = 0;
    const node = this.registry.find(job.node);
    if (node?.status === 'online' && !outcome.error) {
      try {
        const { properties: p } = await node.call('GetUnitProperties', { unit: job.unit, interface: UNIT_IFACE });
        const enter = Number(p.ActiveEnterTimestampMonotonic);
        const exit = Number(p.InactiveExitTimestampMonotonic);
        if (Number.isFinite(enter) && Number.isFinite(exit) && enter >= exit && exit > 0) unitStartPropTimeUs = enter - exit;
      } catch (err) {
        this.log.debug({ node: job.node, unit: job.unit }, `Cannot read start timestamps of ${job.unit}: ${(err as Error).message}, ignoring`);
      }
    }
    if (!this.isOn) return;
    this.emit('startUnitJob', { node: job.node, jobId: job.id, jobPath: job.path, unit: job.unit, jobMeasuredTimeUs, unitStartPropTimeUs });
  }

  private tell(node: ControllerNode, method: 'EnableMetrics' | 'DisableMetrics'): void {
    node.call(method, {}).catch((err: Error) => {
      this.log.warn({ node: node.name }, `${method} on node ${node.name} failed: ${err.message}, ignoring`);
    });
  }
}
