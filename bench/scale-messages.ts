/**
 * What bench/scale.ts and its agent workers (bench/scale-agents.ts) share: the
 * worker's setup (in SCALE_WORKER_SETUP), the messages on the fork IPC channel,
 * and the units every simulated node has.
 */
export type WorkerSetup = { port: number; names: string[]; units: number };
export type ToWorker = { kind: 'go' } | { kind: 'stop' };
export type FromWorker = { kind: 'prepared' } | { kind: 'stopped' };

/** scale-unit-000.service, ...: inactive, and `exited` once started. */
export function unitNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `scale-unit-${String(i).padStart(3, '0')}.service`);
}
