/** bluechictl as a library: the runner, the API client and the pure formatters. */
export { run, describeConnectError, PROGRAM, type Env } from './cli.js';
export { ApiClient, connectApi, ConnectError, type ApiClientOptions } from './api-client.js';
export type { ApiMethod, ApiSignal, Clock, CtlClient, Deps, Handler, VerbArgs } from './deps.js';
export { exitCodeFor, errnoTextFor } from './exit-codes.js';
export { VERBS, OPTIONS, findVerb, globalUsage, type VerbSpec } from './verbs.js';
export { parseCommandLine, GetoptError, type OptionSpec } from './options.js';
export { formatNodeTable, nodeRow, type NodeRow } from './format/node-table.js';
export { formatUnitHeader, formatUnitRow, unitStatusFromProperties, type UnitStatus } from './format/unit-table.js';
export { formatListTable } from './format/list-table.js';
export { formatLastSeen, formatTimestamp } from './format/last-seen.js';
