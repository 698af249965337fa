/**
 * The controller's man pages keep up with the code: every key of the key
 * tables in config.ts is described in docs/man/bluechi-controller.conf.5.md,
 * and every command-line option and the configuration exit status in
 * docs/man/bluechi-controller.8.md (checks in protocol's man-page-text.ts).
 */
import { daemonPageChecks, manSection as section, readManPage } from '@bluechi-ts/protocol/man-page-text';
import { EXIT_CONFIG, IGNORED_UPSTREAM_KEYS } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { CONTROLLER_OPTIONS } from './command-line.js';
import { CONTROLLER_KEYS, CONTROLLER_SECTION, DEFAULT_CONTROLLER_PATHS, NODE_SECTION_KEYS } from './config.js';


describe('the controller man pages', () => {
  it('check the exit status the controller uses for configuration errors', () => {
    expect(EXIT_CONFIG).toBe(78);
  });

  it.each(
    daemonPageChecks({
      name: 'bluechi-controller',
      section: CONTROLLER_SECTION,
      keys: [...CONTROLLER_KEYS, ...IGNORED_UPSTREAM_KEYS],
      files: DEFAULT_CONTROLLER_PATHS,
      options: CONTROLLER_OPTIONS,
    }),
  )('%s', (_title, check) => check());

  it.each(NODE_SECTION_KEYS)('bluechi-controller.conf(5) describes the [node NAME] key %s', (key) => {
    expect(section(readManPage('bluechi-controller.conf.5.md'), '[node NAME] KEYS')).toContain(`**${key}=**`);
  });
});
