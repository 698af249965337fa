import { describe, expect, it } from 'vitest';
import { HELP_TEXT, versionLine } from './help.js';

describe('bluechi-is-online help text', () => {
  it("keeps upstream's layout: banner, `Usage: ` with its trailing space, tab-separated entries", () => {
    const lines = HELP_TEXT.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'bluechi-is-online checks and monitors the connection state of BlueChi components',
      '',
      'Usage: ',
      '  bluechi-is-online [agent|node|system] [OPTIONS]',
    ]);
    expect(lines.filter((l) => l.includes('\t')).map((l) => l.split(':')[0]!.trim())).toEqual([
      'help',
      'version',
      'agent',
      'node [name]',
      'system',
      '--monitor',
      '--wait',
      '--switch-timeout',
    ]);
    expect(HELP_TEXT.endsWith('get online again.\n')).toBe(true);
  });

  it('prints the version as the other programs do', () => {
    expect(versionLine('1.2.3')).toBe('bluechi-is-online version 1.2.3\n');
  });
});
