/**
 * The agent's composition root: the controller link, the request handlers over
 * one SystemdManager, the unit watch, the proxy services hosted on this node,
 * and the public D-Bus API they are reached through. It owns what that API
 * shows: the controller address (switched at run time by SwitchController,
 * kept until the agent restarts) and the current log level.
 */
import {
  BluechiError,
  ConfigError,
  ErrorCodes,
  Messages,
  VERSION,
  parseProxyInstance,
  type LogLevel,
} from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { AgentConfig } from './config.js';
import { agentTlsOptions, tokenHeaders } from './tls-options.js';
import { controllerUrl, formatControllerAddress, parseControllerAddress } from './controller-address.js';
import { ControllerLink } from './controller-link.js';
import { agentHandlers, type AgentHandlers } from './handlers/index.js';
import { ProxyManager, type ProxyHost } from './proxy/proxy-manager.js';
import type { AgentBusService, AgentBusHandlers, AgentProperties } from './systemd/dbus-agent-service.js';
import type { SystemdManager } from './systemd/manager.js';
import { UnitWatch, type AgentNotify } from './unit-watch.js';

/** Used when the proxy service's own TimeoutStartSec cannot be read (e.g. run by hand). */
export const DEFAULT_PROXY_TIMEOUT_MS = 300_000;
const PROXY_PREFIX = 'bluechi-proxy@';
/** The proxy answers this long before systemd would kill it for its start timeout. */
const PROXY_TIMEOUT_MARGIN_MS = 250;
/** Upstream's refusal of SwitchController to the current address. */

export type AgentOptions = {
  config: AgentConfig;
  systemd: SystemdManager;
  log: Logger;
  /** Serves the public D-Bus API; absent in tests that drive the proxy manager directly. */
  serveBus?: (handlers: AgentBusHandlers) => Promise<AgentBusService>;
};

export class Agent {
  readonly link: ControllerLink;
  readonly proxies: ProxyManager;
  readonly watch: UnitWatch;
  private bus: AgentBusService | undefined;
  private readonly handlers: AgentHandlers;
  /** The controller: its address in sd-bus form, and the URL dialled. */
  private controller: { address: string; url: string };
  private logLevel: LogLevel;
  /** A try failed or the connection was lost, and the agent has not registered since. */
  private controllerTrouble = false;

  /** AgentJobMetrics are sent while on; the controller switches it (EnableMetrics). */
  readonly metrics = { enabled: false };

  constructor(private readonly opts: AgentOptions) {
    const { config, systemd, log } = opts;
    const notify: AgentNotify = (name, params) => this.link.connection?.notify(name, params);
    this.watch = new UnitWatch(systemd, notify, log);
    this.proxies = new ProxyManager(this.proxyHost(), log);
    this.logLevel = config.logLevel;
    this.controller = {
      address: config.controllerAddress
        ? formatControllerAddress(parseControllerAddress(config.controllerAddress))
        : formatControllerAddress({ kind: 'tcp', host: config.controllerHost, port: config.controllerPort }),
      url: config.controllerUrl,
    };
    const onLogLevel = (level: LogLevel) => {
      this.logLevel = level;
      this.bus?.propertiesChanged();
    };
    const handlers = agentHandlers({ systemd, watch: this.watch, notify, log, metrics: this.metrics, onLogLevel });
    this.handlers = handlers;
    this.link = new ControllerLink({
      url: () => this.controller.url,
      tls: config.tls && (() => agentTlsOptions(config.tls!)),
      headers: config.nodeTokenFile === undefined ? undefined : () => tokenHeaders(config.nodeName, config.nodeTokenFile!),
      nodeName: config.nodeName,
      heartbeatInterval: config.heartbeatInterval,
      controllerHeartbeatThreshold: config.controllerHeartbeatThreshold,
      retryCountUntilQuiet: config.connectionRetryCountUntilQuiet,
      maxFrameBytes: config.maxFrameBytes,
      handlers,
      signalHandlers: {
        ProxyTargetState: ({ proxyId, ...report }) => this.proxies.targetState(proxyId, report),
        ProxyError: ({ proxyId, message }) => this.proxies.targetError(proxyId, message),
      },
      log,
      onConnected: () => {
        this.proxies.reannounce();
        this.bus?.propertiesChanged();
      },
      onDisconnected: () => {
        this.controllerTrouble = true;
        this.watch.clear();
        // The controller enables metrics again on registration if they are on.
        this.metrics.enabled = false;
        this.bus?.propertiesChanged();
      },
    });
  }

  /**
   * The service manager's STATUS= line, read often (the link announces no
   * failed tries): a link seen disconnected counts as trouble until the agent
   * registers.
   */
  statusLine(): string {
    const status = this.link.status;
    if (status === 'connected') {
      this.controllerTrouble = false;
      return `registered as ${this.opts.config.nodeName}`;
    }
    if (status === 'disconnected') this.controllerTrouble = true;
    const address = this.controller.address;
    return this.controllerTrouble ? `controller unreachable, retrying (${address})` : `connecting to ${address}`;
  }

  /** What the public D-Bus API shows. */
  properties(): AgentProperties {
    const seen = this.link.lastSeen;
    const lost = this.link.disconnectedAt;
    return {
      Status: this.link.status === 'connected' ? 'online' : 'offline',
      LogLevel: this.logLevel,
      LogTarget: this.opts.config.logTarget,
      DisconnectTimestamp: lost.realtimeUs,
      DisconnectTimestampMonotonic: lost.monotonicUs,
      LastSeenTimestamp: seen.realtimeUs,
      LastSeenTimestampMonotonic: seen.monotonicUs,
      ControllerAddress: this.controller.address,
    };
  }

  /**
   * Connects to another controller from now on (until the agent restarts):
   * sets the address, announces it, drops the current connection and dials the
   * new address. Returns at once; the new connection follows in the background.
   * Throws INVALID_ARGS for an address the agent cannot dial, and refuses the
   * current address as upstream does.
   */
  switchController(address: string): void {
    let url: string;
    let formatted: string;
    try {
      const parsed = parseControllerAddress(address);
      url = controllerUrl(parsed, this.opts.config.tls !== undefined);
      formatted = formatControllerAddress(parsed);
    } catch (err) {
      if (err instanceof ConfigError) throw new BluechiError(ErrorCodes.INVALID_ARGS, err.message);
      throw err;
    }
    if (formatted === this.controller.address) {
      throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.alreadyConnectedToController, { dbusName: 'org.freedesktop.DBus.Error.Failed' });
    }
    this.opts.log.info(`Switching controller from ${this.controller.address} to ${formatted}`);
    this.controller = { address: formatted, url };
    this.bus?.propertiesChanged();
    this.link.reconnect('switching controller');
    // A new address: "connecting to" it, not "unreachable", until a try fails.
    this.controllerTrouble = false;
  }

  private busHandlers(): AgentBusHandlers {
    const never = new AbortController().signal;
    return {
      createProxy: (service, node, unit) => this.proxies.create(service, node, unit),
      removeProxy: (service, node, unit) => this.proxies.remove(service, node, unit),
      // The controller's own JobCancel path.
      jobCancel: async (jobId) => {
        await this.handlers.JobCancel({ jobId }, { id: 0, signal: never });
      },
      switchController: (address) => this.switchController(address),
      properties: () => this.properties(),
    };
  }

  private proxyHost(): ProxyHost {
    const { systemd } = this.opts;
    return {
      announce: async (p) => {
        const c = this.link.connection;
        if (!c) throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
        await c.call('ProxyNew', { proxyId: p.id, node: p.node, unit: p.unit });
      },
      release: (id) => this.link.connection?.notify('ProxyRemoved', { proxyId: id }),
      connected: () => this.link.status === 'connected',
      stopService: async (name) => {
        this.opts.log.info({ service: name }, `Stopping proxy service ${name}`);
        await systemd.queueJob('stop', name, 'replace');
      },
      startTimeout: async (name) => {
        const props = await systemd
          .getUnitProperties(name, 'org.freedesktop.systemd1.Service')
          .then((t) => t.properties as Record<string, unknown>, () => ({}) as Record<string, unknown>);
        const usec = props.TimeoutStartUSec;
        if (typeof usec === 'number' && usec > 0) return Math.max(Math.floor(usec / 1000) - PROXY_TIMEOUT_MARGIN_MS, 100);
        // Infinite TimeoutStartSec= means the user asked to wait for ever.
        if (typeof usec === 'string') return 0;
        return DEFAULT_PROXY_TIMEOUT_MS;
      },
    };
  }

  async start(): Promise<void> {
    const { config, log } = this.opts;
    log.info(`Starting bluechi-agent ${VERSION} as node '${config.nodeName}'`);
    log.debug({ files: config.files, url: config.controllerUrl }, 'Configuration loaded');
    if (config.nodeTokenFile !== undefined && config.controllerUrl.startsWith('ws://')) {
      log.warn('NodeTokenFile is set but the link to the controller is not TLS: anyone on the path can read the token (set TLSCAFile= as well)');
    }
    if (this.opts.serveBus) this.bus = await this.opts.serveBus(this.busHandlers());
    await this.adoptRunningProxies();
    this.link.start();
  }

  /**
   * Proxy services that are active from before this agent started (it was
   * restarted): their CreateProxy was answered long ago, but the controller
   * must count them again, or it releases their targets.
   */
  private async adoptRunningProxies(): Promise<void> {
    const { systemd, log } = this.opts;
    try {
      for (const u of await systemd.listUnits()) {
        if (!u.name.startsWith(PROXY_PREFIX) || !u.name.endsWith('.service') || u.activeState !== 'active') continue;
        const parsed = parseProxyInstance(u.name.slice(PROXY_PREFIX.length));
        if (parsed.ok) this.proxies.adopt(u.name, parsed.target.node, parsed.target.unit);
      }
    } catch (err) {
      log.warn(`Cannot list running proxy services: ${(err as Error).message}, ignoring`);
    }
  }

  async stop(): Promise<void> {
    this.proxies.stopAll();
    await this.link.stop();
    await this.bus?.close();
    await this.opts.systemd.close();
  }
}
