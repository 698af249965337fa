/** A Notifier for tests: keeps every message, in order. */
import type { NotifyFields, Notifier } from './notify.js';

export class FakeNotifier implements Notifier {
  readonly sent: NotifyFields[] = [];

  send(fields: NotifyFields): void {
    this.sent.push({ ...fields });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** The STATUS= texts sent so far. */
  get statuses(): string[] {
    return this.sent.flatMap((f) => (f.STATUS === undefined ? [] : [f.STATUS]));
  }
}
