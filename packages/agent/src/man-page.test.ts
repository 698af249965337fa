/**
 * The agent's man pages keep up with the code: every key of the key table in
 * config.ts is described in docs/man/bluechi-agent.conf.5.md, and every
 * command-line option and the configuration exit status in
 * docs/man/bluechi-agent.8.md.
 */
import { readFileSync } from 'node:fs';
import { EXIT_CONFIG } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { AGENT_OPTIONS } from './command-line.js';
import { AGENT_KEYS, AGENT_SECTION, DEFAULT_AGENT_PATHS } from './config.js';

const ROOT = new URL('../../../', import.meta.url);
const page = (file: string) => readFileSync(new URL(`docs/man/${file}`, ROOT), 'utf8');

/** The text of the `## TITLE` section (up to the next `## `). */
function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  if (start === -1) return '';
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end === -1 ? undefined : end);
}

describe('bluechi-agent.conf(5)', () => {
  const md = page('bluechi-agent.conf.5.md');

  it.each(AGENT_KEYS)(`describes the [${AGENT_SECTION}] key %s`, (key) => {
    expect(section(md, `[${AGENT_SECTION}] KEYS`)).toContain(`**${key}=**`);
  });

  it('names the files in the order they are read', () => {
    const description = section(md, 'DESCRIPTION');
    const at = [DEFAULT_AGENT_PATHS.defaultsFile, DEFAULT_AGENT_PATHS.mainFile, `${DEFAULT_AGENT_PATHS.dropinDir}/\\*.conf`].map((p) => description.indexOf(`*${p}*`));
    expect(at.every((i) => i >= 0), `${at}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});

describe('bluechi-agent(8)', () => {
  const md = page('bluechi-agent.8.md');

  it.each(Object.entries(AGENT_OPTIONS))('describes the option --%s', (long, option) => {
    const options = section(md, 'OPTIONS');
    expect(options).toContain(`**--${long}**`);
    expect(options).toContain(`**-${option.alias}**`);
  });

  it('gives the exit status of a configuration error and names SIGHUP', () => {
    expect(section(md, 'EXIT STATUS')).toContain(`**${EXIT_CONFIG}**`);
    expect(section(md, 'SIGNALS')).toContain('**SIGHUP**');
  });
});
