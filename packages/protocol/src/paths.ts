/** Well-known file-system locations, overridable for tests through the environment. */

/** The controller's local API socket (mode 0600, root only); bluechictl talks to it. */
export const DEFAULT_API_SOCKET = '/run/bluechi/api.sock';
/** The controller's Unix-socket listener for local agents (like upstream's). */
export const DEFAULT_AGENT_SOCKET = '/run/bluechi/bluechi.sock';

export function apiSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BLUECHI_API_SOCKET || DEFAULT_API_SOCKET;
}
