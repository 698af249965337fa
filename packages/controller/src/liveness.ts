/**
 * Pure liveness rules. A node is checked when the controller sends heartbeats
 * itself (upstream's HeartbeatInterval > 0), or when its agent announced that it
 * sends heartbeats; then a node silent for longer than the threshold is cut off.
 */

export type LivenessInput = {
  controllerHeartbeatInterval: number;
  nodeHeartbeatThreshold: number;
  agentHeartbeatInterval: number;
  lastSeenMono: number;
  nowMono: number;
};

/** The silence (ms) after which the node is cut off, or undefined when it is not checked. */
export function livenessThreshold(i: Omit<LivenessInput, 'lastSeenMono' | 'nowMono'>): number | undefined {
  if (i.nodeHeartbeatThreshold <= 0) return undefined;
  if (i.controllerHeartbeatInterval > 0) return i.nodeHeartbeatThreshold;
  if (i.agentHeartbeatInterval > 0) return Math.max(i.nodeHeartbeatThreshold, 3 * i.agentHeartbeatInterval);
  return undefined;
}

export function isSilentTooLong(i: LivenessInput): { silent: boolean; threshold?: number; silentFor: number } {
  const threshold = livenessThreshold(i);
  const silentFor = i.nowMono - i.lastSeenMono;
  return { silent: threshold !== undefined && silentFor > threshold, threshold, silentFor };
}

/** How often the controller looks: its own heartbeat period, or once a second. */
export function livenessPeriod(controllerHeartbeatInterval: number): number {
  return controllerHeartbeatInterval > 0 ? controllerHeartbeatInterval : 1000;
}
