/**
 * The agent's composition root: the controller link, the request handlers over
 * one SystemdManager, the unit watch, the proxy services hosted on this node,
 * and the public D-Bus API they are reached through.
 */
import { BluechiError, ErrorCodes, Messages, VERSION, parseProxyInstance } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { AgentConfig } from './config.js';
import { ControllerLink } from './controller-link.js';
import { agentHandlers } from './handlers/index.js';
import { ProxyManager, type ProxyHost } from './proxy/proxy-manager.js';
import type { AgentBusService, AgentBusHandlers } from './systemd/dbus-agent-service.js';
import type { SystemdManager } from './systemd/manager.js';
import { UnitWatch, type AgentNotify } from './unit-watch.js';

/** Used when the proxy service's own TimeoutStartSec cannot be read (e.g. run by hand). */
export const DEFAULT_PROXY_TIMEOUT_MS = 300_000;
const PROXY_PREFIX = 'bluechi-proxy@';
/** The proxy answers this long before systemd would kill it for its start timeout. */
const PROXY_TIMEOUT_MARGIN_MS = 250;

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

  /** AgentJobMetrics are sent while on; the controller switches it (EnableMetrics). */
  readonly metrics = { enabled: false };

  constructor(private readonly opts: AgentOptions) {
    const { config, systemd, log } = opts;
    const notify: AgentNotify = (name, params) => this.link.connection?.notify(name, params);
    this.watch = new UnitWatch(systemd, notify, log);
    this.proxies = new ProxyManager(this.proxyHost(), log);
    const handlers = agentHandlers({ systemd, watch: this.watch, notify, log, metrics: this.metrics });
    this.link = new ControllerLink({
      url: () => config.controllerUrl,
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
        this.bus?.statusChanged();
      },
      onDisconnected: () => {
        this.watch.clear();
        // The controller enables metrics again on registration if they are on.
        this.metrics.enabled = false;
        this.bus?.statusChanged();
      },
    });
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
    if (this.opts.serveBus) {
      this.bus = await this.opts.serveBus({
        createProxy: (service, node, unit) => this.proxies.create(service, node, unit),
        removeProxy: (service, node, unit) => this.proxies.remove(service, node, unit),
        status: () => (this.link.status === 'connected' ? 'online' : 'offline'),
        controllerAddress: () => config.controllerAddress ?? config.controllerUrl,
      });
    }
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
