import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from './errors.js';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  it.each(Object.keys(ErrorCodes))('documents %s', (code) => {
    expect(doc).toContain(`| \`${code}\` |`);
  });
  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ErrorCodes).sort());
  });
});

describe('docs/troubleshooting.md', () => {
  const doc = readFileSync(new URL('../../../docs/troubleshooting.md', import.meta.url), 'utf8');
  const table = doc.slice(doc.indexOf('## Error codes: what to do'));
  it.each(Object.keys(ErrorCodes))('says what to do about %s', (code) => {
    expect(table).toMatch(new RegExp(`^\\| [^|\\n]*\`${code}\`[^|\\n]*\\| \\S`, 'm'));
  });
});
