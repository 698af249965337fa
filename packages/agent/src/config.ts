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
  parseLogLevel,
  parseLogTarget,
  parsePort,
  parseUInt,
  type ConfigPaths,
  type IniDocument,
  type LogLevel,
  type LogTarget,
} from '@bluechi-ts/protocol';
import { controllerUrl, parseControllerAddress } from './controller-address.js';

export const AGENT_SECTION = 'bluechi-agent';

export const DEFAULT_AGENT_PATHS: ConfigPaths = {
  defaultsFile: '/usr/share/bluechi-agent/config/agent.conf',
  mainFile: '/etc/bluechi/agent.conf',
  dropinDir: '/etc/bluechi/agent.conf.d',
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
  readonly files: readonly string[];
};

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
  const get = (k: string) => section.get(k);
  const d = AGENT_DEFAULTS;
  const num = (k: string, def: number) => {
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
  const url = controllerAddress
    ? controllerUrl(parseControllerAddress(controllerAddress))
    : controllerUrl({ kind: 'tcp', host: controllerHost, port: controllerPort });
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
    logLevel: get('LogLevel') ? parseLogLevel(get('LogLevel')!.value, d.logLevel) : d.logLevel,
    logTarget: get('LogTarget') ? parseLogTarget(get('LogTarget')!.value, d.logTarget) : d.logTarget,
    logIsQuiet: get('LogIsQuiet') ? parseBool(get('LogIsQuiet')!.value) : d.logIsQuiet,
    maxFrameBytes: num('MaxFrameBytes', d.maxFrameBytes),
    files,
  });
}

export function loadAgentConfig(o: AgentOverrides = {}, paths: ConfigPaths = DEFAULT_AGENT_PATHS, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const { doc, files } = loadLayers({ ...paths, cliFile: o.configFile }, AGENT_SECTION, env);
  return buildAgentConfig(doc, files, o);
}
