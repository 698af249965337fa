/**
 * An in-memory BusServer for tests of the D-Bus adapter: calls go in with
 * `call()`, which resolves with the reply or the error; every signal sent is
 * recorded. Values are plain (variants are `{ signature, value }` objects, as
 * dbus-next's Variant is shaped), so tests read them directly.
 */
import type { BusCall, BusServer } from './bus-server.js';

export type FakeReply = { error?: { name: string; text: string }; signature?: string; body: unknown[] };
export type FakeSignal = { path: string; iface: string; member: string; signature: string; body: unknown[]; destination?: string };

export class FakeBus implements BusServer {
  readonly uniqueName = ':1.1';
  readonly signals: FakeSignal[] = [];
  private handler: ((call: BusCall) => void) | undefined;
  private readonly pending = new Map<BusCall, (r: FakeReply) => void>();
  private readonly gone: Array<(name: string) => void> = [];
  closed = false;

  onCall(handler: (call: BusCall) => void): void {
    this.handler = handler;
  }

  /** Sends a method call as `sender` and waits for its answer. */
  call(sender: string, path: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<FakeReply> {
    const call: BusCall = { sender, path, iface, member, signature, body };
    return new Promise((resolve) => {
      this.pending.set(call, resolve);
      this.handler!(call);
    });
  }

  reply(call: BusCall, signature: string, body: unknown[]): void {
    this.pending.get(call)?.({ signature, body });
    this.pending.delete(call);
  }

  error(call: BusCall, name: string, text: string): void {
    this.pending.get(call)?.({ error: { name, text }, body: [] });
    this.pending.delete(call);
  }

  emit(path: string, iface: string, member: string, signature: string, body: unknown[], destination?: string): void {
    this.signals.push({ path, iface, member, signature, body, ...(destination ? { destination } : {}) });
  }

  onClientGone(listener: (uniqueName: string) => void): void {
    this.gone.push(listener);
  }

  /** The client `name` leaves the bus. */
  leave(name: string): void {
    for (const l of this.gone) l(name);
  }

  variant(signature: string, value: unknown): unknown {
    return { signature, value };
  }

  onClose(): void {}

  close(): void {
    this.closed = true;
  }
}
