/**
 * Reading the markdown man pages in docs/man/ (for the tests that check each
 * page against the code's own tables of verbs, options and keys).
 */
import { readFileSync } from 'node:fs';

/** docs/man/FILE of this repository, as text. */
export function readManPage(file: string): string {
  return readFileSync(new URL(`../../../docs/man/${file}`, import.meta.url), 'utf8');
}

/** The text of a page's `## TITLE` section, up to the next `## ` ('' when it has none). */
export function manSection(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  if (start === -1) return '';
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end === -1 ? undefined : end);
}

/**
 * Where each of `paths` is first named in italics (`*PATH*`, as the pages
 * name files) within `text`; -1 for a path not named.
 */
export function namedAt(text: string, paths: string[]): number[] {
  return paths.map((p) => text.indexOf(`*${p}*`));
}

/** What a daemon's two pages must cover: its config keys and files, its options. */
export type DaemonPages = {
  /** e.g. "bluechi-agent": the pages NAME.conf.5.md and NAME.8.md. */
  name: string;
  /** The main section, e.g. "bluechi-agent": its keys go under "## [SECTION] KEYS". */
  section: string;
  keys: readonly string[];
  /** The configuration files, in the order they are read. */
  files: { defaultsFile: string; mainFile: string; dropinDir: string };
  /** Long option -> its one-letter alias. */
  options: Record<string, { alias?: string | readonly string[] }>;
};

/**
 * The checks of a daemon's pages, as test cases (one per key and option):
 * `**Key=**` under its section's KEYS, the files named in load order in
 * DESCRIPTION, `**--long**` and `**-x**` under OPTIONS, status 78 under
 * EXIT STATUS and SIGHUP under SIGNALS. Returns [title, check] pairs for
 * the caller's test runner; a failed check throws.
 */
export function daemonPageChecks(pages: DaemonPages): Array<[string, () => void]> {
  const conf = readManPage(`${pages.name}.conf.5.md`);
  const man = readManPage(`${pages.name}.8.md`);
  const must = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${what}`);
  };
  const checks: Array<[string, () => void]> = [];
  for (const key of pages.keys) {
    checks.push([`${pages.name}.conf(5) describes the [${pages.section}] key ${key}`, () =>
      must(manSection(conf, `[${pages.section}] KEYS`).includes(`**${key}=**`), `no **${key}=** under [${pages.section}] KEYS`)]);
  }
  checks.push([`${pages.name}.conf(5) names the files in the order they are read`, () => {
    const at = namedAt(manSection(conf, 'DESCRIPTION'), [pages.files.defaultsFile, pages.files.mainFile, `${pages.files.dropinDir}/\\*.conf`]);
    must(at.every((i) => i >= 0) && at.every((i, n) => n === 0 || i > at[n - 1]!), `files named at ${at.join(', ')} in DESCRIPTION`);
  }]);
  for (const [long, option] of Object.entries(pages.options)) {
    checks.push([`${pages.name}(8) describes the option --${long}`, () => {
      const options = manSection(man, 'OPTIONS');
      must(options.includes(`**--${long}**`), `no **--${long}** under OPTIONS`);
      for (const alias of [option.alias ?? []].flat()) must(options.includes(`**-${alias}**`), `no **-${alias}** under OPTIONS`);
    }]);
  }
  checks.push([`${pages.name}(8) gives exit status 78 and names SIGHUP`, () => {
    must(manSection(man, 'EXIT STATUS').includes('**78**'), 'no **78** under EXIT STATUS');
    must(manSection(man, 'SIGNALS').includes('**SIGHUP**'), 'no **SIGHUP** under SIGNALS');
  }]);
  return checks;
}
