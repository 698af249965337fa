/**
 * The man pages of the CLIs keep up with the code: every verb of bluechictl's
 * verb table has its own entry in docs/man/bluechictl.1.md naming every
 * option it accepts, every option and exit code is listed, and
 * bluechi-is-online's commands and options are in docs/man/bluechi-is-online.1.md.
 */
import { manSection as section, readManPage as page } from '@bluechi-ts/protocol/man-page-text';
import { describe, expect, it } from 'vitest';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_SUCCESS } from './exit-codes.js';
import { IS_ONLINE_COMMANDS, IS_ONLINE_OPTIONS } from './is-online/request.js';
import { OPTIONS, VERBS } from './verbs.js';


/** `### ` entries of a section: the first word of the heading -> the entry's text, heading included. */
function entries(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/^### /m).slice(1)) out.set(part.split(/\s/, 1)[0]!, part);
  return out;
}

/** Whether `text` has `word` as a bold term (`**--json**`), as option and command lists write them. */
const hasTerm = (text: string, word: string) => text.includes(`**${word}**`);

describe('bluechictl(1)', () => {
  const md = page('bluechictl.1.md');
  const commands = entries(section(md, 'COMMANDS'));

  it.each(VERBS.filter((v) => !v.hidden).map((v) => [v.name, v] as const))('describes the verb %s with every option it takes', (name, verb) => {
    const entry = commands.get(name);
    expect(entry, `no "### ${name} ..." entry under COMMANDS`).toBeDefined();
    for (const option of verb.options) expect(entry, `--${option} is not mentioned under "### ${name}"`).toContain(`--${option}`);
  });

  it('lists no command the CLI does not have', () => {
    expect([...commands.keys()].filter((name) => !VERBS.some((v) => v.name === name))).toEqual([]);
  });

  it.each(OPTIONS.map((o) => [o.long, o] as const))('lists the option --%s', (long, option) => {
    const options = section(md, 'OPTIONS');
    expect(hasTerm(options, `--${long}`), `**--${long}** is not under OPTIONS`).toBe(true);
    if (option.short) expect(hasTerm(options, `-${option.short}`), `**-${option.short}** is not under OPTIONS`).toBe(true);
  });

  it('lists every exit status', () => {
    const exit = section(md, 'EXIT STATUS');
    for (const code of [EXIT_SUCCESS, EXIT_FAILURE, EXIT_INTERRUPTED]) expect(hasTerm(exit, String(code)), `exit status ${code}`).toBe(true);
  });

  it('mentions the ctl alias and the API socket variable', () => {
    expect(section(md, 'SYNOPSIS')).toContain('**ctl**');
    expect(hasTerm(section(md, 'ENVIRONMENT'), 'BLUECHI_API_SOCKET')).toBe(true);
  });
});

describe('bluechi-is-online(1)', () => {
  const md = page('bluechi-is-online.1.md');
  const synopsis = section(md, 'SYNOPSIS').split('\n');

  it.each(IS_ONLINE_COMMANDS.map((c) => [c.name, c] as const))('describes the command %s and its options', (name, command) => {
    expect(hasTerm(section(md, 'COMMANDS'), name), `**${name}** is not under COMMANDS`).toBe(true);
    const line = synopsis.find((l) => l.startsWith(`**bluechi-is-online** **${name}**`) || l.includes(`| **${name}**`));
    expect(line, `no SYNOPSIS line for ${name}`).toBeDefined();
    for (const option of command.options) expect(line, `--${option} is not in the SYNOPSIS line of ${name}`).toContain(`**--${option}**`);
  });

  it.each(IS_ONLINE_OPTIONS.map((o) => [o.long, o] as const))('lists the option --%s', (long, option) => {
    const options = section(md, 'OPTIONS');
    expect(hasTerm(options, `--${long}`), `**--${long}** is not under OPTIONS`).toBe(true);
    if (option.short) expect(hasTerm(options, `-${option.short}`), `**-${option.short}** is not under OPTIONS`).toBe(true);
  });

  it('lists every exit status', () => {
    const exit = section(md, 'EXIT STATUS');
    for (const code of [EXIT_SUCCESS, EXIT_FAILURE]) expect(hasTerm(exit, String(code))).toBe(true);
  });
});
