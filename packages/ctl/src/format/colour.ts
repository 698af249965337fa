/**
 * Colour for state words, only when it helps: stdout is a terminal, NO_COLOR
 * (https://no-color.org) is unset or empty, and TERM is not `dumb`. Tables are
 * laid out on the plain text and coloured afterwards, so columns line up the
 * same with or without colour, and piped output is byte-identical to upstream's.
 */

/** Colours one state word (or returns it unchanged). */
export type Paint = (word: string) => string;

export const PLAIN: Paint = (word) => word;

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

const COLOURS: Record<string, string> = {
  online: GREEN,
  active: GREEN,
  offline: RED,
  failed: RED,
  activating: YELLOW,
  deactivating: YELLOW,
  reloading: YELLOW,
  maintenance: YELLOW,
};

export const statePaint: Paint = (word) => {
  const c = COLOURS[word];
  return c ? `${c}${word}${RESET}` : word;
};

export function painter(colour: boolean): Paint {
  return colour ? statePaint : PLAIN;
}

/** Whether bluechictl should colour what it writes to stdout. */
export function wantsColour(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (!isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}
