/**
 * Keys and sections a daemon does not know: a typo (`LogLevl=`), a key of
 * another release, a misspelt section. Upstream ignores them silently; the
 * daemons still ignore them, but log one warning each, with file and line,
 * once their logger exists.
 */
import type { IniDocument } from './ini.js';

/**
 * One warning per unknown key and per unknown section of `doc`. `known`
 * gives the keys a section may hold (the read ones and those accepted and
 * ignored), or undefined for a section the daemon does not read at all.
 */
export function unknownKeyWarnings(doc: IniDocument, known: (section: string) => readonly string[] | undefined): string[] {
  const warnings: string[] = [];
  for (const [section, entries] of doc) {
    const keys = known(section);
    if (keys === undefined) {
      const first = entries.values().next().value;
      if (first) warnings.push(`Ignoring the unknown section [${section}] ('${first.file}' line ${first.line} and on)`);
      continue;
    }
    for (const [key, entry] of entries) {
      if (!keys.includes(key)) warnings.push(`Ignoring the unknown key ${key}= in [${section}] ('${entry.file}' line ${entry.line})`);
    }
  }
  return warnings;
}
