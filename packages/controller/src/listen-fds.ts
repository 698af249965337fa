/**
 * Sockets passed by systemd socket activation: `LISTEN_PID`, `LISTEN_FDS` and
 * `LISTEN_FDNAMES`, read with sd_listen_fds(3)'s rules. The variables are for
 * this process only when LISTEN_PID is its pid; the fds are then 3, 4, ...
 * (SD_LISTEN_FDS_START onwards), one per passed socket, named in order by the
 * colon-separated LISTEN_FDNAMES ("unknown" each when it is not set).
 */
import { ConfigError } from '@bluechi-ts/protocol';

/** The first passed fd (SD_LISTEN_FDS_START). */
export const LISTEN_FDS_START = 3;

/** More than this many passed fds is taken for a malformed LISTEN_FDS. */
const MAX_LISTEN_FDS = 1024;

export type ListenFd = { readonly fd: number; readonly name: string };

export type ListenEnv = {
  LISTEN_PID?: string | undefined;
  LISTEN_FDS?: string | undefined;
  LISTEN_FDNAMES?: string | undefined;
};

/** The sockets systemd passed cannot be used: a setup error, so the daemon exits with EX_CONFIG and is not restarted. */
export class ListenFdsError extends ConfigError {
  override name = 'ListenFdsError';
}

function positiveInteger(key: string, value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new ListenFdsError(`${key}='${value}' is not a positive integer`);
  return Number(value);
}

/**
 * The fds systemd passed to process `pid`: none when LISTEN_PID is unset or
 * names another process (or LISTEN_FDS is unset). Throws ListenFdsError when
 * the variables are for this process but malformed.
 */
export function parseListenFds(env: ListenEnv, pid: number): ListenFd[] {
  if (env.LISTEN_PID === undefined) return [];
  if (positiveInteger('LISTEN_PID', env.LISTEN_PID) !== pid) return [];
  if (env.LISTEN_FDS === undefined) return [];
  const count = positiveInteger('LISTEN_FDS', env.LISTEN_FDS);
  if (count > MAX_LISTEN_FDS) throw new ListenFdsError(`LISTEN_FDS=${count} is more than ${MAX_LISTEN_FDS} sockets`);
  let names: string[];
  if (env.LISTEN_FDNAMES === undefined) {
    names = Array.from({ length: count }, () => 'unknown');
  } else {
    names = env.LISTEN_FDNAMES.split(':');
    if (names.length !== count) {
      throw new ListenFdsError(`LISTEN_FDNAMES='${env.LISTEN_FDNAMES}' names ${names.length} sockets but LISTEN_FDS=${count}`);
    }
  }
  return names.map((name, i) => ({ fd: LISTEN_FDS_START + i, name }));
}

/**
 * parseListenFds() on `env`, which then loses the three variables (whoever
 * they were for), so that child processes never take the sockets for theirs.
 */
export function takeListenFds(env: NodeJS.ProcessEnv, pid: number): ListenFd[] {
  try {
    return parseListenFds(env, pid);
  } finally {
    delete env.LISTEN_PID;
    delete env.LISTEN_FDS;
    delete env.LISTEN_FDNAMES;
  }
}
