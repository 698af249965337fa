import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE_TEXT, isSupportedNode, nodeVersionProblem } from './node-version.js';

describe('the Node version check', () => {
  it('takes 20.19 and everything after it', () => {
    for (const v of ['20.19.0', 'v20.19.0', '20.20.2', '21.0.0', '22.1.0', '24.0.0-pre', '100.0.0']) {
      expect(isSupportedNode(v), v).toBe(true);
    }
  });

  it('refuses older versions and text it cannot read', () => {
    for (const v of ['20.18.3', 'v20.0.0', '18.19.0', '19.99.0', '12.22.12', '', 'twenty', '20', '20.x.1']) {
      expect(isSupportedNode(v), v).toBe(false);
    }
  });

  it('says what is needed, which node was found, and what to do', () => {
    expect(MINIMUM_NODE_TEXT).toBe('20.19');
    expect(nodeVersionProblem('bluechi-agent', '18.19.0', '/usr/bin/node')).toBe(
      'bluechi-agent: needs Node.js 20.19 or newer, but /usr/bin/node is Node.js 18.19.0.\n' +
        'bluechi-agent: install Node.js 20.19 or newer as `node` on PATH (for a daemon: systemd\'s PATH, /usr/local/bin or /usr/bin).',
    );
    expect(nodeVersionProblem('bluechictl', '20.19.0', '/usr/bin/node')).toBeUndefined();
  });

  it('matches the engines field of package.json', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(manifest.engines.node).toBe(`>=${MINIMUM_NODE_TEXT}`);
  });
});
