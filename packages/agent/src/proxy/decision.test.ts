import { describe, expect, it } from 'vitest';
import { decide, type ProxyPhase } from './decision.js';

describe('proxy decision', () => {
  it.each<[ProxyPhase, string, string, 'real' | 'virtual', string]>([
    ['waiting', 'active', 'running', 'real', 'succeed'],
    ['waiting', 'active', 'exited', 'virtual', 'succeed'],
    ['waiting', 'activating', 'start', 'real', 'ignore'],
    ['waiting', 'inactive', 'dead', 'virtual', 'ignore'],
    ['waiting', 'failed', 'failed', 'virtual', 'ignore'],
    ['waiting', 'inactive', 'agent-offline', 'virtual', 'ignore'],
    ['waiting', 'failed', 'failed', 'real', 'fail'],
    ['waiting', 'inactive', 'dead', 'real', 'ignore'],
    ['active', 'inactive', 'dead', 'real', 'stop'],
    ['active', 'failed', 'failed', 'real', 'stop'],
    ['active', 'deactivating', 'stop', 'real', 'ignore'],
    ['active', 'inactive', 'agent-offline', 'virtual', 'reacquire'],
    ['active', 'active', 'running', 'real', 'ignore'],
    ['active', 'reloading', 'reload', 'real', 'ignore'],
    ['reacquiring', 'inactive', 'dead', 'real', 'ignore'],
    ['reacquiring', 'deactivating', 'stop', 'real', 'ignore'],
    ['reacquiring', 'inactive', 'dead', 'virtual', 'ignore'],
    ['reacquiring', 'inactive', 'agent-offline', 'virtual', 'ignore'],
    ['reacquiring', 'active', 'exited', 'virtual', 'resume'],
    ['reacquiring', 'active', 'running', 'real', 'resume'],
    ['reacquiring', 'failed', 'failed', 'real', 'stop'],
    ['reacquiring', 'failed', 'failed', 'virtual', 'ignore'],
  ])('%s proxy, target %s/%s (%s) -> %s', (phase, activeState, subState, reason, action) => {
    expect(decide(phase, { activeState, subState, reason }).action).toBe(action);
  });

  it('fails a waiting proxy on a clean stop only after the target was seen starting', () => {
    const stop = { activeState: 'inactive', subState: 'dead', reason: 'real' as const };
    expect(decide('waiting', stop, false).action).toBe('ignore');
    expect(decide('waiting', stop, true)).toEqual({ action: 'fail', why: 'target stopped (dead) before it became active' });
  });

  it('gives readable reasons', () => {
    expect(decide('waiting', { activeState: 'failed', subState: 'failed', reason: 'real' }).why).toBe('target failed (failed)');
    expect(decide('active', { activeState: 'inactive', subState: 'dead', reason: 'real' }).why).toBe('target stopped');
  });
});
