/**
 * Agent configuration: upstream's keys and defaults through the shared layering,
 * then command-line flags. Validated once and frozen; durations in milliseconds.
 */
import { hostname } from 'node:os';
import {
  ConfigError,
  isValidNodeName,
  loadLayers,
  parseBool,
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
  parseTlsVersion,
  readNodeToken,
  readPem,
  type TlsVersion,
} from '@bluechi-ts/protocol';
import { controllerUrl, parseControllerAddress } from './controller-address.js';

export const AGENT_SECTION = 'bluechi-agent';

/**
 * Every key the agent reads from its `[bluechi-agent]` section, in the order
 * of docs/configuration.md. buildAgentConfig looks keys up only through this
 * table (its `get` takes an AgentKey), so a key cannot be read without being
 * listed here, and the man page test checks every one of them is documented
 * in docs/man/bluechi-agent.conf.5.md.
 */
export const AGENT_KEYS = [
  'NodeName',
  'ControllerHost',
  'ControllerPort',
  'ControllerAddress',
  'HeartbeatInterval',
  'ControllerHeartbeatThreshold',
  'ConnectionRetryCountUntilQuiet',
  'LogLevel',
  'LogTarget',
  'LogIsQuiet',
  'MaxFrameBytes',
  'TLSCAFile',
  'TLSCertificateFile',
  'TLSPrivateKeyFile',
  'TLSServerName',
  'TLSMinVersion',
  'NodeTokenFile',
] as const;
export type AgentKey = (typeof AGENT_KEYS)[number];


export const DEFAULT_AGENT_PATHS: ConfigPaths = {
  defaultsFile: '/usr/share/bluechi-agent/config/agent.conf',
  mainFile: '/etc/bluechi/agent.conf',
  dropinDir: '/etc/bluechi/agent.conf.d',
};

/**
 * TLS to the controller over TCP (bluechi-ts keys, docs/security.md): the CA
 * that signed the controller's certificate, optionally this node's client
 * certificate and key, and the name to verify the controller's certificate
 * against (default: the host the agent dials).
 */
export type AgentTlsConfig = {
  readonly caFile: string;
  readonly certificateFile: string | undefined;
  readonly privateKeyFile: string | undefined;
  readonly serverName: string | undefined;
  readonly minVersion: TlsVersion;
};

export type AgentConfig = {
  readonly nodeName: string;
  readonly controllerHost: string;
  readonly controllerPort: number;
  /** The address as configured (sd-bus style or a ws:// URL), if any. */
  readonly controllerAddress: string | undefined;
  /** Where the agent actually connects (a ws:// or ws+unix: URL). */
  readonly controllerUrl: string;
  readonly heartbeatInterval: number;
  readonly controllerHeartbeatThreshold: number;
  readonly connectionRetryCountUntilQuiet: number;
  readonly logLevel: LogLevel;
  readonly logTarget: LogTarget;
  readonly logIsQuiet: boolean;
  readonly maxFrameBytes: number;
  /** TLS for TCP addresses, or undefined for plaintext; Unix socket addresses never use TLS. */
  readonly tls: AgentTlsConfig | undefined;
  /** A root-only file holding this node's token, sent at each connection (`NodeTokenFile=`, ours), if any. */
  readonly nodeTokenFile: string | undefined;
  readonly files: readonly string[];
  /** What was ignored (unknown keys, sections and values), one line each, for the daemon to log once its logger exists. */
  readonly warnings: readonly string[];
};

/** NodeTokenFile=, checked here: readable, root-only, holding a token. */
function tokenFileFrom(get: (k: AgentKey) => IniEntry | undefined): string | undefined {
  const path = filePath(get('NodeTokenFile'));
  if (path !== undefined) readNodeToken('NodeTokenFile', path);
  return path;
}

/** TLS is on when TLSCAFile= is set; a client certificate needs both its file and its key. Files are checked for readability here. */
function tlsFrom(get: (k: AgentKey) => IniEntry | undefined): AgentTlsConfig | undefined {
  const caFile = filePath(get('TLSCAFile'));
  const certificateFile = filePath(get('TLSCertificateFile'));
  const privateKeyFile = filePath(get('TLSPrivateKeyFile'));
  if (caFile === undefined) {
    if (certificateFile !== undefined || privateKeyFile !== undefined) {
      throw new ConfigError('TLSCertificateFile/TLSPrivateKeyFile are set but TLSCAFile is not: TLS to the controller needs the CA that signed its certificate');
    }
    return undefined;
  }
  if ((certificateFile === undefined) !== (privateKeyFile === undefined)) {
    throw new ConfigError(`A client certificate needs both TLSCertificateFile and TLSPrivateKeyFile; only ${certificateFile ? 'TLSCertificateFile' : 'TLSPrivateKeyFile'} is set`);
  }
  readPem('TLSCAFile', caFile);
  if (certificateFile !== undefined) readPem('TLSCertificateFile', certificateFile);
  if (privateKeyFile !== undefined) readPem('TLSPrivateKeyFile', privateKeyFile);
  return Object.freeze({
    caFile,
    certificateFile,
    privateKeyFile,
    serverName: get('TLSServerName')?.value.trim() || undefined,
    minVersion: parseTlsVersion('TLSMinVersion', get('TLSMinVersion')),
  });
}

export type AgentOverrides = {
  host?: string;
  port?: string;
  address?: string;
  name?: string;
  interval?: string;
  configFile?: string;
};

export const AGENT_DEFAULTS = {
  controllerHost: '127.0.0.1',
  controllerPort: 842,
  heartbeatInterval: 2000,
  controllerHeartbeatThreshold: 0,
  connectionRetryCountUntilQuiet: 10,
  logLevel: 'INFO' as LogLevel,
  logTarget: 'journald' as LogTarget,
  logIsQuiet: false,
  maxFrameBytes: 16 * 1024 * 1024,
};

export function buildAgentConfig(doc: IniDocument, files: string[], o: AgentOverrides = {}, host = hostname()): AgentConfig {
  const section = doc.get(AGENT_SECTION) ?? new Map();
  const get = (k: AgentKey) => section.get(k);
  const d = AGENT_DEFAULTS;
  const log = logSettings(get, d);
  const num = (k: AgentKey, def: number) => {
    const e = get(k);
    return e ? parseUInt(k, e.value, e) : def;
  };
  const nodeName = o.name ?? (get('NodeName')?.value || host);
  if (!isValidNodeName(nodeName)) {
    throw new ConfigError(
      `Invalid NodeName '${nodeName}': use letters, digits, '.', ':' and '-' (no '_', it separates node and unit in proxy names)`,
    );
  }
  const portEntry = get('ControllerPort');
  const controllerPort = o.port !== undefined ? parsePort(o.port) : portEntry ? parsePort(portEntry.value, portEntry) : d.controllerPort;
  const controllerHost = o.host ?? (get('ControllerHost')?.value || d.controllerHost);
  // Flags for host/port override a configured ControllerAddress; -a overrides everything.
  const hostOrPortFlag = o.host !== undefined || o.port !== undefined;
  const controllerAddress = o.address ?? (hostOrPortFlag ? undefined : get('ControllerAddress')?.value || undefined);
  const tls = tlsFrom(get);
  const url = controllerAddress
    ? controllerUrl(parseControllerAddress(controllerAddress), tls !== undefined)
    : controllerUrl({ kind: 'tcp', host: controllerHost, port: controllerPort }, tls !== undefined);
  const heartbeatInterval = o.interval !== undefined ? parseUInt('--interval', o.interval) : num('HeartbeatInterval', d.heartbeatInterval);
  return Object.freeze({
    nodeName,
    controllerHost,
    controllerPort,
    controllerAddress,
    controllerUrl: url,
    heartbeatInterval,
    controllerHeartbeatThreshold: num('ControllerHeartbeatThreshold', d.controllerHeartbeatThreshold),
    connectionRetryCountUntilQuiet: num('ConnectionRetryCountUntilQuiet', d.connectionRetryCountUntilQuiet),
    logLevel: log.logLevel,
    logTarget: log.logTarget,
    logIsQuiet: get('LogIsQuiet') ? parseBool(get('LogIsQuiet')!.value) : d.logIsQuiet,
    maxFrameBytes: num('MaxFrameBytes', d.maxFrameBytes),
    tls,
    nodeTokenFile: tokenFileFrom(get),
    files,
    warnings: [
      ...unknownKeyWarnings(doc, (s) => (s === AGENT_SECTION ? [...AGENT_KEYS, ...IGNORED_UPSTREAM_KEYS] : undefined)),
      ...log.warnings,
    ],
  });
}

export function loadAgentConfig(o: AgentOverrides = {}, paths: ConfigPaths = DEFAULT_AGENT_PATHS, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const { doc, files } = loadLayers({ ...paths, cliFile: o.configFile }, AGENT_SECTION, env);
  return buildAgentConfig(doc, files, o);
}
