/**
 * The controller's man pages keep up with the code: every key of the key
 * tables in config.ts is described in docs/man/bluechi-controller.conf.5.md,
 * and every command-line option and the configuration exit status in
 * docs/man/bluechi-controller.8.md.
 */
import { readFileSync } from 'node:fs';
import { EXIT_CONFIG } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { CONTROLLER_OPTIONS } from './command-line.js';
import { CONTROLLER_KEYS, CONTROLLER_SECTION, DEFAULT_CONTROLLER_PATHS, IGNORED_CONTROLLER_KEYS, NODE_SECTION_KEYS } from './config.js';

const ROOT = new URL('../../../', import.meta.url);
const page = (file: string) => readFileSync(new URL(`docs/man/${file}`, ROOT), 'utf8');

/** The text of the `## TITLE` section (up to the next `## `). */
function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  if (start === -1) return '';
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end === -1 ? undefined : end);
}

describe('bluechi-controller.conf(5)', () => {
  const md = page('bluechi-controller.conf.5.md');

  it.each(CONTROLLER_KEYS)(`describes the [${CONTROLLER_SECTION}] key %s`, (key) => {
    expect(section(md, `[${CONTROLLER_SECTION}] KEYS`)).toContain(`**${key}=**`);
  });

  it.each(NODE_SECTION_KEYS)('describes the [node NAME] key %s', (key) => {
    expect(section(md, '[node NAME] KEYS')).toContain(`**${key}=**`);
  });

  it.each(IGNORED_CONTROLLER_KEYS)('names the ignored upstream key %s', (key) => {
    expect(section(md, `[${CONTROLLER_SECTION}] KEYS`)).toContain(`**${key}=**`);
  });

  it('names the files in the order they are read', () => {
    const description = section(md, 'DESCRIPTION');
    const at = [DEFAULT_CONTROLLER_PATHS.defaultsFile, DEFAULT_CONTROLLER_PATHS.mainFile, `${DEFAULT_CONTROLLER_PATHS.dropinDir}/\\*.conf`].map((p) => description.indexOf(`*${p}*`));
    expect(at.every((i) => i >= 0), `${at}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});

describe('bluechi-controller(8)', () => {
  const md = page('bluechi-controller.8.md');

  it.each(Object.entries(CONTROLLER_OPTIONS))('describes the option --%s', (long, option) => {
    const options = section(md, 'OPTIONS');
    expect(options).toContain(`**--${long}**`);
    expect(options).toContain(`**-${option.alias}**`);
  });

  it('gives the exit status of a configuration error and names SIGHUP', () => {
    expect(section(md, 'EXIT STATUS')).toContain(`**${EXIT_CONFIG}**`);
    expect(section(md, 'SIGNALS')).toContain('**SIGHUP**');
  });
});
