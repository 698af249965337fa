/**
 * The controller's composition root: the node registry, jobs, the unit
 * subscription multiplexer with the monitors and proxies on it, metrics, the
 * agent listeners, the local API over the controller operations, and the
 * liveness timer, wired together.
 */
import { performance } from 'node:perf_hooks';
import { BLUECHI_BUS_NAME, BluechiError, CLOSE_TERMINATE, ErrorCodes, VERSION, webSocketTransport, type AgentSignals, type JobState, type LogLevel, type SignalParamsOf } from '@bluechi-ts/protocol';
import { setLogLevel, type Logger } from '@bluechi-ts/protocol/logging';
import { AgentServer } from './agent-server.js';
import { AgentSession, type SessionHost } from './agent-session.js';
import { ApiServer } from './api-server.js';
import type { ControllerConfig } from './config.js';
import { JobRegistry } from './jobs.js';
import { takeListenFds, type ListenFd } from './listen-fds.js';
import { isSilentTooLong, livenessPeriod } from './liveness.js';
import { Metrics } from './metrics.js';
import { MonitorRegistry } from './monitors.js';
import type { ControllerNode } from './node.js';
import { NodeRegistry } from './node-registry.js';
import { apiOperations, type ApiOperations, type Services } from './operations/index.js';
import { connectBusServer } from './dbus/bus-connection.js';
import type { BusServer } from './dbus/bus-server.js';
import { DbusApi } from './dbus/dbus-api.js';
import { ProxyRouter } from './proxy-router.js';
import { tlsContext } from './tls-context.js';
import { UnitSubscriptions, type UnitEvent } from './unit-subscriptions.js';

export type ControllerOptions = {
  config: ControllerConfig;
  log: Logger;
  /**
   * Connects to the system bus and owns `org.eclipse.bluechi` for the D-Bus
   * API; a fake bus in tests. Default: the system bus. When it fails the
   * controller still serves its agents and the local API, and says so.
   */
  connectBus?: () => Promise<BusServer>;
  /**
   * Listening sockets passed by systemd, served instead of binding. Default:
   * those in LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES, taken out of the environment at start.
   */
  listenFds?: readonly ListenFd[];
  /** Clock seams for tests. */
  wallNow?: () => number;
  monoNow?: () => number;
};

export class Controller implements SessionHost {
  readonly registry: NodeRegistry;
  readonly jobs: JobRegistry;
  readonly units: UnitSubscriptions;
  readonly monitors: MonitorRegistry;
  readonly metrics: Metrics;
  readonly proxies: ProxyRouter;
  readonly log: Logger;
  private readonly sessions = new Set<AgentSession>();
  private readonly agentServer: AgentServer;
  private readonly apiServer: ApiServer;
  private readonly services: Services;
  private readonly operations: ApiOperations;
  private dbusApi: DbusApi | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private currentLogLevel: LogLevel;
  private readonly wallNow: () => number;
  private readonly monoNow: () => number;

  constructor(private readonly opts: ControllerOptions) {
    const { config, log } = opts;
    this.log = log;
    this.currentLogLevel = config.logLevel;
    this.wallNow = opts.wallNow ?? Date.now;
    this.monoNow = opts.monoNow ?? (() => performance.now());
    this.registry = new NodeRegistry(config.nodes);
    this.jobs = new JobRegistry(this.wallNow, this.monoNow);
    this.units = new UnitSubscriptions(this.registry, log);
    this.monitors = new MonitorRegistry(this.units, log, {
      monitorsPerClient: config.maxMonitorsPerClient,
      unitsPerMonitor: config.maxSubscriptionsPerMonitor,
    });
    this.metrics = new Metrics(this.registry, this.jobs, log, this.monoNow);
    this.proxies = new ProxyRouter(this.registry, this.units, log, config.proxyReleaseDelay);
    this.agentServer = new AgentServer({
      tcpPort: config.useTcp ? config.port : undefined,
      tcpHost: config.listenAddress,
      unixPath: config.useUds ? config.agentSocketPath : undefined,
      maxFrameBytes: config.maxFrameBytes,
      refuseAnonymous: (peerIp) => this.refuseAnonymous(peerIp),
      onConnection: (ws, peerIp, auth) => {
        this.sessions.add(new AgentSession(webSocketTransport(ws), peerIp, this, auth));
      },
      tokenSha256For: (name) => this.registry.find(name)?.config.tokenSha256,
      tls: config.tls && {
        context: () => tlsContext(config.tls!),
        requireClientCertificate: config.tls.caFile !== undefined,
        nodeIdentity: config.tls.nodeIdentity,
      },
      log,
    });
    this.services = {
        registry: this.registry,
        jobs: this.jobs,
        units: this.units,
        monitors: this.monitors,
        metrics: this.metrics,
        log,
        setLogLevel: (level) => {
          this.currentLogLevel = level;
          setLogLevel(log, level);
        },
        logLevel: () => this.currentLogLevel,
        isShuttingDown: () => this.shuttingDown,
    };
    this.operations = apiOperations(this.services);
    this.apiServer = new ApiServer({ path: config.apiSocketPath, log, operations: this.operations });
  }

  get requestTimeout(): number {
    return this.opts.config.requestTimeout;
  }

  get maxPendingRequests(): number {
    return this.opts.config.maxPendingRequestsPerNode;
  }

  get registerTimeout(): number {
    return this.opts.config.registerTimeout;
  }

  /** The TCP port agents connect to (resolved when 0 was configured). */
  get agentPort(): number | undefined {
    return this.agentServer.tcpPort;
  }

  /** The service manager's STATUS= line: how many configured nodes are online. */
  statusLine(): string {
    const all = this.registry.list().length;
    return `${this.registry.online().length} of ${all} node${all === 1 ? '' : 's'} online`;
  }

  /** Start of the current one-second window of accepted connections, and how many it holds. */
  private acceptWindow = { start: 0, count: 0 };

  /**
   * Why a new agent connection from `peerIp` is refused (with a retry hint),
   * or undefined: MaxAnonymousConnections in all, MaxAnonymousConnectionsPerAddress
   * from one address (not on the Unix socket), MaxRegistrationsPerSecond.
   */
  private refuseAnonymous(peerIp: string): string | undefined {
    const config = this.opts.config;
    let all = 0;
    let fromAddress = 0;
    for (const s of this.sessions) {
      if (s.node) continue;
      all++;
      if (peerIp !== '' && s.peerIp === peerIp) fromAddress++;
    }
    if (all >= config.maxAnonymousConnections) return 'too many unregistered connections';
    if (peerIp !== '' && fromAddress >= config.maxAnonymousConnectionsPerAddress) return 'too many unregistered connections from this address';
    const now = this.monoNow();
    if (now - this.acceptWindow.start >= 1000) this.acceptWindow = { start: now, count: 0 };
    if (this.acceptWindow.count >= config.maxRegistrationsPerSecond) return 'too many new connections this second';
    this.acceptWindow.count++;
    return undefined;
  }

  async start(): Promise<void> {
    const { config, log } = this.opts;
    log.info(`Starting bluechi-controller ${VERSION}`);
    log.debug({ files: config.files, nodes: config.nodes.map((n) => n.name) }, 'Configuration loaded');
    if (config.nodes.length === 0) log.warn('No nodes are allowed: set AllowedNodeNames or add [node NAME] sections with Allowed=true');
    await this.agentServer.start(this.opts.listenFds ?? takeListenFds(process.env, process.pid));
    await this.apiServer.start();
    await this.startDbusApi();
    const period = livenessPeriod(config.heartbeatInterval);
    this.livenessTimer = setInterval(() => this.livenessTick(), period);
    this.livenessTimer.unref();
  }

  /** The public D-Bus API; the controller carries on without it when the bus is not there. */
  private async startDbusApi(): Promise<void> {
    const { config, log } = this.opts;
    const connect = this.opts.connectBus ?? (() => connectBusServer(BLUECHI_BUS_NAME));
    try {
      const bus = await connect();
      this.dbusApi = new DbusApi({ bus, services: this.services, operations: this.operations, logTarget: config.logTarget, log });
      bus.onClose((reason) => {
        if (!this.shuttingDown) log.error(`Lost the system bus (${reason.message}): the D-Bus API ${BLUECHI_BUS_NAME} is gone until the controller restarts`);
      });
      log.info(`Serving the D-Bus API ${BLUECHI_BUS_NAME} on the system bus`);
    } catch (err) {
      log.error(`The D-Bus API ${BLUECHI_BUS_NAME} is not available: ${(err as Error).message}; serving agents and the local API only`);
    }
  }

  /**
   * SIGHUP: re-reads the TLS certificate, key and CA for new agent
   * connections; established ones are kept. A file that cannot be read or
   * does not fit is logged and the old material stays in use.
   */
  reloadTls(): void {
    if (!this.opts.config.tls) {
      this.log.info('Reload requested: TLS is off, nothing to re-read');
      return;
    }
    try {
      this.agentServer.reloadTls();
      this.log.info('Reloaded the TLS certificate, key and CA for new agent connections');
    } catch (err) {
      this.log.error(`Reloading TLS failed, keeping the previous certificate: ${(err as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.proxies.stop();
    this.jobs.cancelAll();
    // Give API clients a moment to receive the shutdown results before closing.
    await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sessions) s.close(1001, 'controller shutting down');
    await this.apiServer.stop();
    this.dbusApi?.stop();
    await this.agentServer.stop();
    this.log.info('Controller stopped');
  }

  // ---- SessionHost -------------------------------------------------------

  register(session: AgentSession, name: string, heartbeatInterval: number): ControllerNode {
    const refuse = (message: string): never => {
      this.log.warn({ node: name, peerIp: session.peerIp, code: ErrorCodes.NODE_IDENTITY_MISMATCH }, `Refused registration of node '${name}': ${message}`);
      throw new BluechiError(ErrorCodes.NODE_IDENTITY_MISMATCH, message);
    };
    const { certificateNames, tokenNode, local } = session.auth;
    if (certificateNames !== undefined && !certificateNames.includes(name)) {
      const names = certificateNames.length === 0 ? 'none' : certificateNames.map((n) => `'${n}'`).join(', ');
      refuse(`Node name '${name}' is not the identity of this connection's certificate (${names})`);
    }
    if (tokenNode !== undefined && tokenNode !== name) refuse(`Node name '${name}' is not the node this connection's token is for ('${tokenNode}')`);
    if (!local && tokenNode !== name && this.registry.find(name)?.config.tokenSha256 !== undefined) {
      refuse(`Node '${name}' must present its token (TokenSHA256= is set for it), and this connection did not (set NodeTokenFile= in its agent configuration)`);
    }
    const decision = this.registry.decideRegister(name);
    if (!decision.ok) {
      this.log.warn({ node: name, peerIp: session.peerIp, code: decision.code }, `Refused registration of node '${name}': ${decision.message}`);
      throw new BluechiError(decision.code, decision.message);
    }
    const node = decision.node;
    node.attach(session.peer, session.peerIp, heartbeatInterval, this.wallNow(), this.monoNow());
    this.log.info({ node: name, peerIp: session.peerIp || undefined }, `Registered managed node '${name}'`);
    this.registry.statusChanged(node);
    // After the Register reply is on its way, re-send what this node is needed for.
    setImmediate(() => {
      if (node.connection !== session.peer) return;
      this.units.nodeAttached(node);
      this.metrics.nodeAttached(node);
      this.proxies.nodeConnected(node);
    });
    return node;
  }

  heartbeat(node: ControllerNode): void {
    node.touch(this.wallNow(), this.monoNow());
  }

  jobDone(node: ControllerNode, jobId: number, result: string): void {
    if (!this.jobs.done(node.name, jobId, result)) {
      this.log.debug({ node: node.name, jobId }, 'JobDone for an unknown job, ignoring');
    }
  }

  jobStateChanged(node: ControllerNode, jobId: number, state: JobState): void {
    this.jobs.stateChanged(node.name, jobId, state);
  }

  unitEvent(e: UnitEvent): void {
    this.units.agentEvent(e);
  }

  agentJobMetrics(node: ControllerNode, m: SignalParamsOf<typeof AgentSignals, 'AgentJobMetrics'>): void {
    this.metrics.agentJob(node, m);
  }

  proxyNew(node: ControllerNode, proxyId: number, target: string, unit: string): void {
    this.proxies.proxyNew(node, proxyId, target, unit);
  }

  proxyRemoved(node: ControllerNode, proxyId: number): void {
    this.proxies.proxyRemoved(node, proxyId);
  }

  disconnected(session: AgentSession): void {
    this.sessions.delete(session);
    const node = session.node;
    if (!node || !node.detach(session.peer)) return;
    const failed = this.jobs.failNode(node.name);
    this.log.info({ node: node.name, failedJobs: failed || undefined }, `Node '${node.name}' disconnected`);
    this.units.nodeDetached(node);
    this.proxies.nodeDisconnected(node);
    this.registry.statusChanged(node);
  }

  private livenessTick(): void {
    const { config } = this.opts;
    const now = this.monoNow();
    for (const node of this.registry.online()) {
      const verdict = isSilentTooLong({
        controllerHeartbeatInterval: config.heartbeatInterval,
        nodeHeartbeatThreshold: config.nodeHeartbeatThreshold,
        agentHeartbeatInterval: node.agentHeartbeatInterval,
        lastSeenMono: node.lastSeenMono,
        nowMono: now,
      });
      if (verdict.silent) {
        this.log.warn(
          { node: node.name, silentMs: Math.round(verdict.silentFor), thresholdMs: verdict.threshold },
          `Did not receive a heartbeat from node '${node.name}' for ${Math.round(verdict.silentFor)} ms, disconnecting it`,
        );
        // Silent: terminate, a polite close would wait for an answer that never comes.
        node.connection?.close(CLOSE_TERMINATE, 'heartbeat timeout');
        continue;
      }
      if (config.heartbeatInterval > 0) node.connection?.notify('Heartbeat', {});
    }
  }
}
