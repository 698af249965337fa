/**
 * The manual pages: renders every docs/man/<name>.<section>.md to roff with
 * marked-man (in process, through its marked extension) and installs it
 * gzip-compressed as usr/share/man/man<section>/<name>.<section>.gz under a
 * staging directory, plus the alias usr/share/man/man1/ctl.1.gz ->
 * bluechictl.1.gz (bluechictl is also installed as `ctl`).
 *
 *   import { stageManPages } from './lib/man.mjs';
 *   const paths = await stageManPages({ root, dest, version });
 *   // ['usr/share/man/man1/bluechi-is-online.1.gz', ..., 'usr/share/man/man1/ctl.1.gz']
 *
 * Page sources use marked-man's format: the first line is
 * `# name(section) -- one-line description`, which becomes the .TH header and
 * the NAME section; `##` headings are sections (.SH), `###` sub-sections (.SS).
 * Soft line breaks inside a paragraph are joined (marked's `breaks` is off).
 * One addition to marked-man: a definition list, for option, file, variable
 * and exit status lists, rendered as roff's tagged paragraphs (.TP):
 *
 *   **BLUECHI_API_SOCKET**
 *   : Path of the controller's local API socket; the description may go on
 *   over several lines, up to the next blank line.
 *
 * The output is reproducible: the date in the page header is the `date`
 * argument (anything `new Date()` takes, or a number of ms; the build passes
 * the one of scripts/lib/source-date.mjs), or else the newest modification
 * time of the page sources; only its month and year are shown.
 * gzip headers carry no time or name. Two renders of the same tree give the
 * same bytes.
 *
 * Any page that cannot be read or rendered, or whose source does not start
 * with a proper `# name(section) -- description` line matching its file name,
 * makes stageManPages throw, naming the page.
 */
import { mkdir, readdir, readFile, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync, constants as zlibConstants } from 'node:zlib';
import { Marked } from 'marked';
import markedMan from 'marked-man';

/** Where the page sources are, relative to the repository root. */
export const MAN_SOURCE_DIR = 'docs/man';

/** The manual name shown in the centre of each page's header. */
export const MANUAL = 'BlueChi Manual';

/** Aliases: [section, alias name, page it points to]. */
export const MAN_ALIASES = [['1', 'ctl', 'bluechictl']];

const SOURCE_NAME = /^([a-z][a-z0-9.-]*)\.([1-9])\.md$/;
const TITLE_LINE = /^# ([a-z][a-z0-9.-]*)\(([1-9])\) -- \S.*$/;

/**
 * The definition list extension: a line (the term) followed by a line that
 * starts with `: ` (the description, up to the next blank line) becomes
 * `.TP`, the term, and the description.
 */
const definition = {
  name: 'manDefinition',
  level: 'block',
  tokenizer(src) {
    const m = /^([^\n]+)\n: ([^\n]*(?:\n(?![ \t]*\n)[^\n]*)*)(?:\n+|$)/.exec(src);
    if (!m || m[1].startsWith('#') || m[1].startsWith(': ')) return undefined;
    return { type: 'manDefinition', raw: m[0], term: this.lexer.inlineTokens(m[1].trim()), text: this.lexer.inlineTokens(m[2].trim()) };
  },
  renderer(token) {
    return `.TP\n${this.parser.parseInline(token.term).trim()}\n${this.parser.parseInline(token.text).trim()}\n`;
  },
};

/**
 * marked-man renders every list with bullets; an ordered list (the order of
 * the configuration files, say) gets its numbers here. Unordered lists are
 * left to marked-man.
 */
const numberedLists = {
  list(body, ordered, start) {
    if (!ordered) return false;
    let n = typeof start === 'number' ? start : 1;
    const numbered = body.replace(/^\.IP \\\(bu 2$/gm, () => `.IP ${n++}. 4`);
    return ['\n.RS 1', numbered, '.RE', ''].join('\n');
  },
};

/** The page sources in `root`: [{ file, name, section }], sorted by file name. */
export async function listManSources(root) {
  const dir = join(root, MAN_SOURCE_DIR);
  const files = (await readdir(dir)).sort();
  const pages = [];
  for (const file of files) {
    const m = SOURCE_NAME.exec(file);
    if (!m) throw new Error(`${MAN_SOURCE_DIR}/${file}: not a man page source (expected NAME.SECTION.md)`);
    pages.push({ file: join(dir, file), name: m[1], section: m[2] });
  }
  if (pages.length === 0) throw new Error(`${MAN_SOURCE_DIR}: no man page sources`);
  return pages;
}

/** The header date in ms since the epoch (see the top of this file). */
async function headerDate(pages, date) {
  if (date !== undefined && date !== null && date !== '') {
    const ms = typeof date === 'number' ? date : new Date(date).getTime();
    if (Number.isNaN(ms)) throw new Error(`stageManPages: bad date '${date}'`);
    return ms;
  }
  let newest = 0;
  for (const p of pages) newest = Math.max(newest, Math.floor((await stat(p.file)).mtimeMs / 1000) * 1000);
  return newest;
}

/**
 * One page's roff text. Throws when the source's first line is not
 * `# NAME(SECTION) -- description` for this file's name and section, or when
 * marked-man fails.
 */
export function renderManPage(markdown, { name, section, version, date }) {
  const first = markdown.split('\n', 1)[0];
  const title = TITLE_LINE.exec(first);
  if (!title) throw new Error(`first line must be '# ${name}(${section}) -- description', not '${first}'`);
  if (title[1] !== name || title[2] !== section) {
    throw new Error(`the title names ${title[1]}(${title[2]}) but the file is ${name}.${section}.md`);
  }
  // A fresh instance per page: marked-man keeps state on the renderer and options.
  const marked = new Marked(markedMan, { extensions: [definition], renderer: numberedLists }, {
    breaks: false,
    manual: MANUAL,
    manVersion: version ? `bluechi-ts ${version}` : null,
    date,
  });
  const roff = marked.parse(markdown, { async: false });
  if (typeof roff !== 'string' || !roff.startsWith('.TH ')) throw new Error('marked-man produced no page');
  return roff;
}

/** gzip without a time stamp or file name in the header, at the best compression. */
function gzip(text) {
  return gzipSync(Buffer.from(text, 'utf8'), { level: zlibConstants.Z_BEST_COMPRESSION });
}

/**
 * Renders every page of `root`/docs/man into `dest`/usr/share/man and adds the
 * aliases. `version` goes into each page's footer. Returns the installed paths
 * relative to `dest`, pages first (sorted), then the aliases.
 */
export async function stageManPages({ root, dest, version, date } = {}) {
  if (!root || !dest) throw new Error('stageManPages: root and dest are required');
  const pages = await listManSources(root);
  const when = await headerDate(pages, date);
  const installed = [];
  for (const page of pages) {
    let roff;
    try {
      roff = renderManPage(await readFile(page.file, 'utf8'), { name: page.name, section: page.section, version, date: when });
    } catch (err) {
      throw new Error(`${MAN_SOURCE_DIR}/${page.name}.${page.section}.md: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const rel = `usr/share/man/man${page.section}/${page.name}.${page.section}.gz`;
    const out = join(dest, rel);
    await mkdir(join(dest, `usr/share/man/man${page.section}`), { recursive: true });
    await writeFile(out, gzip(roff), { mode: 0o644 });
    await chmod(out, 0o644);
    installed.push(rel);
  }
  for (const [section, alias, target] of MAN_ALIASES) {
    if (!pages.some((p) => p.name === target && p.section === section)) {
      throw new Error(`man page alias ${alias}(${section}): ${MAN_SOURCE_DIR}/${target}.${section}.md is missing`);
    }
    const rel = `usr/share/man/man${section}/${alias}.${section}.gz`;
    await rm(join(dest, rel), { force: true });
    await symlink(`${target}.${section}.gz`, join(dest, rel));
    installed.push(rel);
  }
  return installed;
}
