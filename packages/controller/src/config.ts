/**
 * Controller configuration: upstream's keys and defaults, loaded through the
 * shared layering (defaults, /usr/share file, /etc file, drop-ins, environment,
 * -c file, flags), validated once and frozen. All durations are milliseconds.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import {
  ConfigError,
  isValidNodeName,
  loadLayers,
  parseBool,
  parseList,
  unknownKeyWarnings,
  logSettings,
  IGNORED_UPSTREAM_KEYS,
  parsePort,
  parseUInt,
  type ConfigPaths,
  type IniDocument,
  type IniEntry,
  type LogLevel,
  type LogTarget,
  filePath,
  parseNodeIdentitySource,
  parseTokenSha256,
  parseTlsVersion,
  readPem,
  type NodeIdentitySource,
  type TlsVersion,
} from '@bluechi-ts/protocol';

export const CONTROLLER_SECTION = 'bluechi-controller';

/**
 * Every key the controller reads from its `[bluechi-controller]` section, in
 * the order of docs/configuration.md. buildControllerConfig looks keys up only
 * through this table (its `get` takes a ControllerKey), so a key cannot be read
 * without being listed here, and the man page test checks every one of them
 * is documented in docs/man/bluechi-controller.conf.5.md.
 */
export const CONTROLLER_KEYS = [
  'ControllerPort',
  'UseTCP',
  'ControllerListenAddress',
  'UseUDS',
  'AllowedNodeNames',
  'HeartbeatInterval',
  'NodeHeartbeatThreshold',
  'LogLevel',
  'LogTarget',
  'LogIsQuiet',
  'UnixSocketPath',
  'ApiSocketPath',
  'MaxFrameBytes',
  'MaxAnonymousConnections',
  'MaxAnonymousConnectionsPerAddress',
  'MaxRegistrationsPerSecond',
  'MaxPendingRequestsPerNode',
  'MaxMonitorsPerClient',
  'MaxSubscriptionsPerMonitor',
  'RegisterTimeout',
  'RequestTimeout',
  'ProxyReleaseDelay',
  'TLSCertificateFile',
  'TLSPrivateKeyFile',
  'TLSCAFile',
  'TLSNodeIdentity',
  'TLSMinVersion',
] as const;
export type ControllerKey = (typeof CONTROLLER_KEYS)[number];

/** The keys of a `[node NAME]` section (looked up only through this table, as above). */
export const NODE_SECTION_KEYS = ['Allowed', 'AllowDependenciesOn', 'TokenSHA256'] as const;
export type NodeSectionKey = (typeof NODE_SECTION_KEYS)[number];


export const DEFAULT_CONTROLLER_PATHS: ConfigPaths = {
  defaultsFile: '/usr/share/bluechi/config/controller.conf',
  mainFile: '/etc/bluechi/controller.conf',
  dropinDir: '/etc/bluechi/controller.conf.d',
};

/**
 * Where the controller reads its files. `BLUECHI_CONFIG_ROOT=DIR` (ours) puts DIR
 * in front of each standard path, as a DESTDIR would: a staged tree such as
 * dist/root, or a test's temporary directory, is read with the same layering.
 */
export function controllerConfigPaths(env: NodeJS.ProcessEnv = process.env): ConfigPaths {
  const root = env.BLUECHI_CONFIG_ROOT;
  if (!root) return DEFAULT_CONTROLLER_PATHS;
  return {
    defaultsFile: join(root, DEFAULT_CONTROLLER_PATHS.defaultsFile),
    mainFile: join(root, DEFAULT_CONTROLLER_PATHS.mainFile),
    dropinDir: join(root, DEFAULT_CONTROLLER_PATHS.dropinDir),
  };
}

export type NodeConfig = {
  readonly name: string;
  /** Target nodes this node may start units on through proxy services. */
  readonly allowDependenciesOn: readonly string[];
  /** The SHA-256 (hex) of the token this node's agent must present over TCP (`TokenSHA256=`, ours), if any. */
  readonly tokenSha256?: string;
};

/**
 * TLS on the agent link's TCP listener (bluechi-ts keys, docs/security.md).
 * With `caFile`, agents must present a certificate from that CA, and the
 * names in it (`nodeIdentity`) must include the NodeName they register.
 */
export type ControllerTlsConfig = {
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly caFile: string | undefined;
  readonly minVersion: TlsVersion;
  readonly nodeIdentity: NodeIdentitySource;
};

export type ControllerConfig = {
  readonly port: number;
  /** Address the TCP listener binds; undefined = every address (dual-stack `::`, IPv4 fallback). */
  readonly listenAddress: string | undefined;
  readonly useTcp: boolean;
  readonly useUds: boolean;
  /** Unix socket for local agents. */
  readonly agentSocketPath: string;
  /** Unix socket for bluechictl and other local API clients. */
  readonly apiSocketPath: string;
  /** Nodes allowed to register, in config order (AllowedNodeNames first, then [node X] sections). */
  readonly nodes: readonly NodeConfig[];
  readonly heartbeatInterval: number;
  readonly nodeHeartbeatThreshold: number;
  readonly logLevel: LogLevel;
  readonly logTarget: LogTarget;
  readonly logIsQuiet: boolean;
  /** Largest WebSocket frame accepted from an agent, in bytes. */
  readonly maxFrameBytes: number;
  /** Connections that have not registered yet, at most. */
  readonly maxAnonymousConnections: number;
  /** Of those, from one IP address at most (Unix socket connections are not counted). */
  readonly maxAnonymousConnectionsPerAddress: number;
  /** New agent connections accepted per second, at most (further ones are refused with a retry hint). */
  readonly maxRegistrationsPerSecond: number;
  /** Requests one agent may have in flight to the controller at once. */
  readonly maxPendingRequestsPerNode: number;
  /** Monitors one API or D-Bus client may hold. */
  readonly maxMonitorsPerClient: number;
  /** Unit subscriptions one monitor may hold (each unit of a SubscribeList counts). */
  readonly maxSubscriptionsPerMonitor: number;
  /** An unregistered connection is closed after this long. */
  readonly registerTimeout: number;
  /** Controller-to-agent request timeout. */
  readonly requestTimeout: number;
  /** How long a disconnected requesting node's proxy dependencies are kept (ms). */
  readonly proxyReleaseDelay: number;
  /** TLS on the TCP listener, or undefined for plaintext. The Unix socket never uses TLS. */
  readonly tls: ControllerTlsConfig | undefined;
  /** Files read, in order, for the debug log. */
  readonly files: readonly string[];
  /** What was ignored (unknown keys, sections and values), one line each, for the daemon to log once its logger exists. */
  readonly warnings: readonly string[];
};

/** The TLS keys: both TLSCertificateFile and TLSPrivateKeyFile, or no TLS at all. Files are checked for readability here. */
function tlsFrom(get: (k: ControllerKey) => IniEntry | undefined): ControllerTlsConfig | undefined {
  const certificateFile = filePath(get('TLSCertificateFile'));
  const privateKeyFile = filePath(get('TLSPrivateKeyFile'));
  const caFile = filePath(get('TLSCAFile'));
  if (certificateFile === undefined && privateKeyFile === undefined) {
    if (caFile !== undefined) throw new ConfigError('TLSCAFile is set but TLSCertificateFile and TLSPrivateKeyFile are not: client certificates need TLS');
    return undefined;
  }
  if (certificateFile === undefined || privateKeyFile === undefined) {
    throw new ConfigError(`TLS needs both TLSCertificateFile and TLSPrivateKeyFile; only ${certificateFile ? 'TLSCertificateFile' : 'TLSPrivateKeyFile'} is set`);
  }
  readPem('TLSCertificateFile', certificateFile);
  readPem('TLSPrivateKeyFile', privateKeyFile);
  if (caFile !== undefined) readPem('TLSCAFile', caFile);
  return Object.freeze({
    certificateFile,
    privateKeyFile,
    caFile,
    minVersion: parseTlsVersion('TLSMinVersion', get('TLSMinVersion')),
    nodeIdentity: parseNodeIdentitySource('TLSNodeIdentity', get('TLSNodeIdentity')),
  });
}

export type ControllerOverrides = { port?: string; configFile?: string };

export const CONTROLLER_DEFAULTS = {
  port: 842,
  useTcp: true,
  useUds: true,
  agentSocketPath: '/run/bluechi/bluechi.sock',
  apiSocketPath: '/run/bluechi/api.sock',
  heartbeatInterval: 0,
  nodeHeartbeatThreshold: 6000,
  logLevel: 'INFO' as LogLevel,
  logTarget: 'journald' as LogTarget,
  logIsQuiet: false,
  maxFrameBytes: 16 * 1024 * 1024,
  maxAnonymousConnections: 64,
  maxAnonymousConnectionsPerAddress: 64,
  maxRegistrationsPerSecond: 5000,
  maxPendingRequestsPerNode: 256,
  maxMonitorsPerClient: 64,
  maxSubscriptionsPerMonitor: 4096,
  registerTimeout: 10_000,
  requestTimeout: 30_000,
  proxyReleaseDelay: 10_000,
};

function nodesFrom(doc: IniDocument, section: Map<string, { value: string; file: string; line: number }>): NodeConfig[] {
  const order: string[] = [];
  const allow = new Map<string, string[]>();
  const tokens = new Map<string, string>();
  const add = (name: string) => {
    if (!isValidNodeName(name)) throw new ConfigError(`Invalid node name '${name}' in AllowedNodeNames or a [node] section`);
    if (!order.includes(name)) order.push(name);
  };
  const allowed = section.get('AllowedNodeNames');
  if (allowed) parseList(allowed.value).forEach(add);
  const nodeSections = [...doc.keys()].filter((s) => s.startsWith('node ')).sort();
  for (const s of nodeSections) {
    const name = s.slice('node '.length).trim();
    const keys = doc.get(s)!;
    const key = (k: NodeSectionKey) => keys.get(k);
    const allowedEntry = key('Allowed');
    if (allowedEntry && parseBool(allowedEntry.value)) add(name);
    const deps = key('AllowDependenciesOn');
    if (deps) allow.set(name, parseList(deps.value));
    const token = key('TokenSHA256');
    if (token) tokens.set(name, parseTokenSha256('TokenSHA256', token));
  }
  return order.map((name) =>
    Object.freeze({ name, allowDependenciesOn: Object.freeze(allow.get(name) ?? []), ...(tokens.has(name) && { tokenSha256: tokens.get(name)! }) }),
  );
}

export function buildControllerConfig(doc: IniDocument, files: string[], overrides: ControllerOverrides = {}): ControllerConfig {
  const section = doc.get(CONTROLLER_SECTION) ?? new Map();
  const get = (k: ControllerKey) => section.get(k);
  const d = CONTROLLER_DEFAULTS;
  const log = logSettings(get, d);
  const num = (k: ControllerKey, def: number) => {
    const e = get(k);
    return e ? parseUInt(k, e.value, e) : def;
  };
  const portEntry = get('ControllerPort');
  let port = portEntry ? parsePort(portEntry.value, portEntry) : d.port;
  if (overrides.port !== undefined) port = parsePort(overrides.port);
  const listenEntry = get('ControllerListenAddress');
  const listenAddress = listenEntry?.value.trim() || undefined;
  if (listenAddress !== undefined && isIP(listenAddress) === 0) {
    throw new ConfigError(`Invalid address '${listenAddress}' for ControllerListenAddress in '${listenEntry!.file}' on line ${listenEntry!.line}: an IPv4 or IPv6 address is expected`);
  }
  const useTcp = get('UseTCP') ? parseBool(get('UseTCP')!.value) : d.useTcp;
  const useUds = get('UseUDS') ? parseBool(get('UseUDS')!.value) : d.useUds;
  if (!useTcp && !useUds) throw new ConfigError('No connection request handler configured: both UseTCP and UseUDS are off');
  const config: ControllerConfig = {
    port,
    listenAddress,
    useTcp,
    useUds,
    agentSocketPath: get('UnixSocketPath')?.value || d.agentSocketPath,
    apiSocketPath: get('ApiSocketPath')?.value || d.apiSocketPath,
    nodes: nodesFrom(doc, section),
    heartbeatInterval: num('HeartbeatInterval', d.heartbeatInterval),
    nodeHeartbeatThreshold: num('NodeHeartbeatThreshold', d.nodeHeartbeatThreshold),
    logLevel: log.logLevel,
    logTarget: log.logTarget,
    logIsQuiet: get('LogIsQuiet') ? parseBool(get('LogIsQuiet')!.value) : d.logIsQuiet,
    maxFrameBytes: num('MaxFrameBytes', d.maxFrameBytes),
    maxAnonymousConnections: num('MaxAnonymousConnections', d.maxAnonymousConnections),
    maxAnonymousConnectionsPerAddress: num('MaxAnonymousConnectionsPerAddress', d.maxAnonymousConnectionsPerAddress),
    maxRegistrationsPerSecond: num('MaxRegistrationsPerSecond', d.maxRegistrationsPerSecond),
    maxPendingRequestsPerNode: num('MaxPendingRequestsPerNode', d.maxPendingRequestsPerNode),
    maxMonitorsPerClient: num('MaxMonitorsPerClient', d.maxMonitorsPerClient),
    maxSubscriptionsPerMonitor: num('MaxSubscriptionsPerMonitor', d.maxSubscriptionsPerMonitor),
    registerTimeout: num('RegisterTimeout', d.registerTimeout),
    requestTimeout: num('RequestTimeout', d.requestTimeout),
    proxyReleaseDelay: num('ProxyReleaseDelay', d.proxyReleaseDelay),
    tls: tlsFrom(get),
    files,
    warnings: [
      ...unknownKeyWarnings(doc, (s) =>
        s === CONTROLLER_SECTION ? [...CONTROLLER_KEYS, ...IGNORED_UPSTREAM_KEYS] : s.startsWith('node ') ? NODE_SECTION_KEYS : undefined,
      ),
      ...log.warnings,
    ],
  };
  return Object.freeze(config);
}

export function loadControllerConfig(
  overrides: ControllerOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  paths: ConfigPaths = controllerConfigPaths(env),
): ControllerConfig {
  const { doc, files } = loadLayers({ ...paths, cliFile: overrides.configFile }, CONTROLLER_SECTION, env);
  return buildControllerConfig(doc, files, overrides);
}
