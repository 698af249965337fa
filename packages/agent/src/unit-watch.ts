/**
 * Units the controller asked to watch (Subscribe), and what is reported for
 * them: UnitNew, UnitRemoved, UnitStateChanged and UnitPropertiesChanged as
 * systemd signals them (reason `real`). Subscribing to a loaded unit first
 * reports a virtual UnitNew and its current state as a virtual
 * UnitStateChanged; subscribing to `*` reports every unit's events from then
 * on, with nothing virtual (reference §6). Subscriptions are counted, and
 * belong to one connection: the controller subscribes again after a reconnect.
 */
import type { AgentSignals, SignalParamsOf } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { SystemdManager } from './systemd/manager.js';

/** Sends one signal to the controller (dropped while not connected). */
export type AgentNotify = <S extends keyof typeof AgentSignals & string>(name: S, params: SignalParamsOf<typeof AgentSignals, S>) => void;

export const ALL_UNITS = '*';

export class UnitWatch {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly systemd: SystemdManager,
    private readonly notify: AgentNotify,
    private readonly log: Logger,
  ) {
    systemd.onUnitNew((unit) => {
      if (this.watched(unit)) notify('UnitNew', { unit, reason: 'real' });
    });
    systemd.onUnitRemoved((unit) => {
      if (this.watched(unit)) notify('UnitRemoved', { unit, reason: 'real' });
    });
    systemd.onStateChanged((e) => {
      if (this.watched(e.unit)) notify('UnitStateChanged', { ...e, reason: 'real' });
    });
    systemd.onPropertiesChanged((e) => {
      if (this.watched(e.unit)) notify('UnitPropertiesChanged', e);
    });
  }

  /** Whether events of `unit` are reported. */
  watched(unit: string): boolean {
    return this.counts.has(ALL_UNITS) || this.counts.has(unit);
  }

  /** Number of distinct subscriptions (for logs and tests). */
  get size(): number {
    return this.counts.size;
  }

  async subscribe(unit: string): Promise<void> {
    this.counts.set(unit, (this.counts.get(unit) ?? 0) + 1);
    if (unit === ALL_UNITS) return;
    const state = await this.systemd.getLoadedUnitState(unit);
    if (!state || !this.counts.has(unit)) return;
    this.notify('UnitNew', { unit, reason: 'virtual' });
    this.notify('UnitStateChanged', { unit, ...state, reason: 'virtual' });
  }

  unsubscribe(unit: string): void {
    const n = this.counts.get(unit) ?? 0;
    if (n <= 1) this.counts.delete(unit);
    else this.counts.set(unit, n - 1);
  }

  clear(): void {
    if (this.counts.size) this.log.debug({ units: this.counts.size }, 'Dropping unit subscriptions of the old connection');
    this.counts.clear();
  }
}
