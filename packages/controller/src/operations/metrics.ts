/** Switching metrics on and off, and sending them to the sessions that watch them. */
import type { AgentJobMetrics, StartUnitJobMetrics } from '../metrics.js';
import { watchOnce, type OperationsFor, type Services } from './context.js';

export function metricsOperations(s: Services): OperationsFor<'EnableMetrics' | 'DisableMetrics' | 'WatchMetrics'> {
  return {
    EnableMetrics: () => {
      s.metrics.enable();
      return {};
    },
    DisableMetrics: () => {
      s.metrics.disable();
      return {};
    },
    WatchMetrics: (_p, { session }) => {
      watchOnce(session, 'metrics', () => {
        const onStart = (m: StartUnitJobMetrics) => session.signal('StartUnitJobMetrics', m);
        const onAgent = (m: AgentJobMetrics) => session.signal('AgentJobMetrics', m);
        s.metrics.on('startUnitJob', onStart);
        s.metrics.on('agentJob', onAgent);
        return () => {
          s.metrics.off('startUnitJob', onStart);
          s.metrics.off('agentJob', onAgent);
        };
      });
      return {};
    },
  };
}
