/**
 * Every controller operation, by family. Adapters (the local API socket, the
 * D-Bus API) call these and nothing else.
 */
import type { ApiOperations, Services } from './context.js';
import { jobOperations } from './jobs.js';
import { metricsOperations } from './metrics.js';
import { monitorOperations } from './monitor.js';
import { nodeOperations } from './nodes.js';
import { unitFileOperations } from './unit-files.js';
import { unitOperations } from './units.js';

export type { ApiOperations, ApiSession, OperationContext, Services } from './context.js';

export function apiOperations(s: Services): ApiOperations {
  return {
    ...nodeOperations(s),
    ...jobOperations(s),
    ...unitOperations(s),
    ...unitFileOperations(s),
    ...monitorOperations(s),
    ...metricsOperations(s),
  };
}
