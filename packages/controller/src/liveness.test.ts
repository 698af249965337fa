import { describe, expect, it } from 'vitest';
import { isSilentTooLong, livenessPeriod, livenessThreshold } from './liveness.js';

describe('liveness', () => {
  it.each([
    // controller interval, threshold, agent interval -> threshold used
    [0, 6000, 0, undefined],
    [2000, 6000, 0, 6000],
    [2000, 6000, 2000, 6000],
    [0, 6000, 2000, 6000],
    [0, 6000, 5000, 15000],
    [0, 0, 2000, undefined],
  ])('controller %i ms, threshold %i ms, agent %i ms -> %s', (controllerHeartbeatInterval, nodeHeartbeatThreshold, agentHeartbeatInterval, expected) => {
    expect(livenessThreshold({ controllerHeartbeatInterval, nodeHeartbeatThreshold, agentHeartbeatInterval })).toBe(expected);
  });

  it('cuts off a node silent past the threshold, not one just under it', () => {
    const base = { controllerHeartbeatInterval: 2000, nodeHeartbeatThreshold: 6000, agentHeartbeatInterval: 2000, lastSeenMono: 1000 };
    expect(isSilentTooLong({ ...base, nowMono: 7000 }).silent).toBe(false);
    expect(isSilentTooLong({ ...base, nowMono: 7001 }).silent).toBe(true);
  });

  it('never cuts off an agent that sends no heartbeats when the controller sends none', () => {
    expect(isSilentTooLong({ controllerHeartbeatInterval: 0, nodeHeartbeatThreshold: 6000, agentHeartbeatInterval: 0, lastSeenMono: 0, nowMono: 1e9 }).silent).toBe(false);
  });

  it('checks once per controller heartbeat, or every second', () => {
    expect(livenessPeriod(2000)).toBe(2000);
    expect(livenessPeriod(0)).toBe(1000);
  });
});
