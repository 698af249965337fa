export { Agent, type AgentOptions } from './agent.js';
export { buildAgentConfig, loadAgentConfig, AGENT_DEFAULTS, DEFAULT_AGENT_PATHS, type AgentConfig } from './config.js';
export { controllerUrl, parseControllerAddress } from './controller-address.js';
export type { SystemdManager } from './systemd/manager.js';
