/**
 * The agent's composition root: the controller link and the request handlers
 * over one SystemdManager.
 */
import { VERSION } from '@bluechi-ts/protocol';
import type { Logger } from '@bluechi-ts/protocol/logging';
import type { AgentConfig } from './config.js';
import { ControllerLink } from './controller-link.js';
import { agentHandlers } from './request-handlers.js';
import type { SystemdManager } from './systemd/manager.js';

export type AgentOptions = {
  config: AgentConfig;
  systemd: SystemdManager;
  log: Logger;
};

export class Agent {
  readonly link: ControllerLink;

  constructor(private readonly opts: AgentOptions) {
    const { config, systemd, log } = opts;
    const handlers = agentHandlers(
      systemd,
      (jobId, result) => this.link.connection?.notify('JobDone', { jobId, result }),
      log,
    );
    this.link = new ControllerLink({
      url: () => config.controllerUrl,
      nodeName: config.nodeName,
      heartbeatInterval: config.heartbeatInterval,
      controllerHeartbeatThreshold: config.controllerHeartbeatThreshold,
      retryCountUntilQuiet: config.connectionRetryCountUntilQuiet,
      maxFrameBytes: config.maxFrameBytes,
      handlers,
      log,
    });
  }

  start(): void {
    const { config, log } = this.opts;
    log.info(`Starting bluechi-agent ${VERSION} as node '${config.nodeName}'`);
    log.debug({ files: config.files, url: config.controllerUrl }, 'Configuration loaded');
    this.link.start();
  }

  async stop(): Promise<void> {
    await this.link.stop();
    await this.opts.systemd.close();
  }
}
