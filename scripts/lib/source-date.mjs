/**
 * The build's date, for everything that records one (the packages' file
 * times, the man pages' header): SOURCE_DATE_EPOCH when set, else the time
 * of the last commit, so that every build of a commit records the same date.
 */
import { spawnSync } from 'node:child_process';

/**
 * Seconds since the epoch, or undefined outside a git checkout without
 * SOURCE_DATE_EPOCH. Throws when SOURCE_DATE_EPOCH is not a whole number.
 */
export function sourceDateEpoch(root) {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    if (!/^\d+$/.test(env)) throw new Error(`SOURCE_DATE_EPOCH='${env}' is not a number of seconds`);
    return Number(env);
  }
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' });
  return git.status === 0 && /^\d+$/.test(git.stdout.trim()) ? Number(git.stdout.trim()) : undefined;
}
