import { describe, expect, it } from 'vitest';
import { parseIni } from './ini.js';
import { unknownKeyWarnings } from './unknown-keys.js';

const known = (section: string) => (section === 'main' ? ['A', 'B'] : section.startsWith('node ') ? ['Allowed'] : undefined);

describe('unknownKeyWarnings', () => {
  it('names each unknown key and section once, with file and line', () => {
    const doc = parseIni('[main]\nA=1\nAA=2\n[node x]\nAllowed=true\nAlowed=true\n[mian]\nB=1\nA=2\n[empty]\n', 'f.conf');
    expect(unknownKeyWarnings(doc, known)).toEqual([
      "Ignoring the unknown key AA= in [main] ('f.conf' line 3)",
      "Ignoring the unknown key Alowed= in [node x] ('f.conf' line 6)",
      "Ignoring the unknown section [mian] ('f.conf' line 8 and on)",
    ]);
  });

  it('says nothing about a document it knows all of', () => {
    expect(unknownKeyWarnings(parseIni('[main]\nA=1\nB=2\n', 'f.conf'), known)).toEqual([]);
  });
});
