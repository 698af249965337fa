/**
 * A BusPort for tests of DbusSystemdManager: it answers calls from handlers
 * keyed by member, records every call, and lets a test send signals and lose
 * the connection. Values are wrapped like the D-Bus library's variants.
 */
import type { BusCall, BusPort, BusSignal } from './bus-port.js';

/** Shaped like the D-Bus library's variant. */
export class Variant {
  constructor(
    readonly signature: string,
    readonly value: unknown,
  ) {}
}

export type Handler = (c: BusCall) => unknown[] | Promise<unknown[]>;

export const MANAGER = '/org/freedesktop/systemd1';
export const MANAGER_IFACE = 'org.freedesktop.systemd1.Manager';
export const RUNNING = { ActiveState: 'active', SubState: 'running' };

/** A bus that answers from handlers keyed by member, and lets tests send signals and close it. */
export class FakePort implements BusPort {
  readonly calls: BusCall[] = [];
  private signalListener: (s: BusSignal) => void = () => {};
  private closeListener: (e: Error) => void = () => {};
  constructor(private readonly handlers: Record<string, Handler> = {}) {}

  async call(c: BusCall): Promise<unknown[]> {
    this.calls.push(c);
    const h = this.handlers[c.member];
    return h ? h(c) : [];
  }
  variant(signature: string, value: unknown): Variant {
    return new Variant(signature, value);
  }
  onSignal(l: (s: BusSignal) => void): void {
    this.signalListener = l;
  }
  onClose(l: (e: Error) => void): void {
    this.closeListener = l;
  }
  async close(): Promise<void> {
    this.closeListener(new Error('closed'));
  }
  signal(s: BusSignal): void {
    this.signalListener(s);
  }
  jobRemoved(jobPath: string, result: string): void {
    this.signal({ path: MANAGER, iface: MANAGER_IFACE, member: 'JobRemoved', body: [1, jobPath, 'a.service', result] });
  }
  lose(): void {
    this.closeListener(new Error('Connection to the bus was lost.'));
  }
}

/** A PropertiesChanged of a unit object (its escaped path label), string values. */
export function unitChanged(label: string, changed: Record<string, unknown>, iface = 'org.freedesktop.systemd1.Unit'): BusSignal {
  return {
    path: `/org/freedesktop/systemd1/unit/${label}`,
    iface: 'org.freedesktop.DBus.Properties',
    member: 'PropertiesChanged',
    body: [iface, Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, new Variant('s', v)])), []],
  };
}

/** A PropertiesChanged of a job object's State. */
export function jobChanged(jobPath: string, state: string): BusSignal {
  return {
    path: jobPath,
    iface: 'org.freedesktop.DBus.Properties',
    member: 'PropertiesChanged',
    body: ['org.freedesktop.systemd1.Job', { State: new Variant('s', state) }, []],
  };
}
