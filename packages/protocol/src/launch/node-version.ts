/**
 * The oldest Node.js the programs run on, and the check every program makes
 * before anything else is loaded (the launchers in this folder and
 * packages/ctl/src/launcher.ts).
 *
 * Why a check at all: the bundles use syntax and APIs of Node 20.19, so an
 * older Node (Debian 12's own nodejs is 18.19) would fail with a SyntaxError
 * or a missing function somewhere inside them. This module is kept tiny and
 * free of imports so that it parses and runs on any Node still in use.
 */

/** Same as package.json "engines" and the packages' `Depends: nodejs (>= 20.19)`. */
export const MINIMUM_NODE = { major: 20, minor: 19 } as const;

/** `major.minor`, as said in messages and docs: "20.19". */
export const MINIMUM_NODE_TEXT = `${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}`;

/** Exit status of a program started by a Node that is too old (daemons: EX_CONFIG, which their units do not restart). */
export type TooOldExit = 1 | 78;

/** True when `version` ("20.19.0", "v22.1.0") is at least MINIMUM_NODE; false for anything unreadable. */
export function isSupportedNode(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor);
}

/**
 * The message for a program started by an unsupported Node, or undefined when
 * the Node is fine. `execPath` says which `node` was found (for a daemon, the
 * first one on systemd's PATH).
 */
export function nodeVersionProblem(program: string, version: string, execPath: string): string | undefined {
  if (isSupportedNode(version)) return undefined;
  return (
    `${program}: needs Node.js ${MINIMUM_NODE_TEXT} or newer, but ${execPath} is Node.js ${version}.\n` +
    `${program}: install Node.js ${MINIMUM_NODE_TEXT} or newer as \`node\` on PATH (for a daemon: systemd's PATH, /usr/local/bin or /usr/bin).`
  );
}

/**
 * Writes the message and ends the process when this Node is too old; returns
 * otherwise. The exit status is `exit` (1 for the command-line tools, 78 for
 * the daemons).
 */
export function requireSupportedNode(program: string, exit: TooOldExit): void {
  const problem = nodeVersionProblem(program, process.versions.node, process.execPath);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(exit);
}
