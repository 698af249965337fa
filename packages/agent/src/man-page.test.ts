/**
 * The agent's man pages keep up with the code: every key of the key table in
 * config.ts is described in docs/man/bluechi-agent.conf.5.md, and every
 * command-line option and the configuration exit status in
 * docs/man/bluechi-agent.8.md (checks in protocol's man-page-text.ts).
 */
import { EXIT_CONFIG, IGNORED_UPSTREAM_KEYS } from '@bluechi-ts/protocol';
import { daemonPageChecks } from '@bluechi-ts/protocol/man-page-text';
import { describe, expect, it } from 'vitest';
import { AGENT_OPTIONS } from './command-line.js';
import { AGENT_KEYS, AGENT_SECTION, DEFAULT_AGENT_PATHS } from './config.js';

describe('the agent man pages', () => {
  it('check the exit status the agent uses for configuration errors', () => {
    expect(EXIT_CONFIG).toBe(78);
  });

  it.each(daemonPageChecks({ name: 'bluechi-agent', section: AGENT_SECTION, keys: [...AGENT_KEYS, ...IGNORED_UPSTREAM_KEYS], files: DEFAULT_AGENT_PATHS, options: AGENT_OPTIONS }))(
    '%s',
    (_title, check) => check(),
  );
});
