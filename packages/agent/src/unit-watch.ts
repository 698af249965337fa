/**
 * Units the controller asked to watch (Subscribe). Their state changes are
 * reported as UnitStateChanged; a new subscription first reports the unit's
 * current state as a virtual event. The set is per connection: the controller
 * subscribes again after a reconnect.
 */
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { SystemdManager, UnitStateEvent } from './systemd/manager.js';

export type UnitReport = UnitStateEvent & { reason: 'real' | 'virtual' };

export class UnitWatch {
  private readonly watched = new Map<string, number>();

  constructor(
    private readonly systemd: SystemdManager,
    private readonly report: (r: UnitReport) => void,
    private readonly log: Logger,
  ) {
    systemd.onStateChanged((e) => {
      if (this.watched.has(e.unit)) this.report({ ...e, reason: 'real' });
    });
  }

  async subscribe(unit: string): Promise<void> {
    this.watched.set(unit, (this.watched.get(unit) ?? 0) + 1);
    const props = await this.systemd.getUnitProperties(unit, 'org.freedesktop.systemd1.Unit');
    if (props.LoadState !== 'loaded' || !this.watched.has(unit)) return;
    this.report({ unit, activeState: String(props.ActiveState), subState: String(props.SubState), reason: 'virtual' });
  }

  unsubscribe(unit: string): void {
    const n = this.watched.get(unit) ?? 0;
    if (n <= 1) this.watched.delete(unit);
    else this.watched.set(unit, n - 1);
  }

  clear(): void {
    if (this.watched.size) this.log.debug({ units: this.watched.size }, 'Dropping unit subscriptions of the old connection');
    this.watched.clear();
  }
}
