/**
 * The man pages as a set: every `Documentation=man:NAME(SECTION)` of the
 * shipped units names a page of docs/man (or one of the few systemd pages
 * listed here), every unit has such a line, every page renders through
 * scripts/lib/man.mjs (the build's renderer), and rendering is reproducible.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAN_DIR = join(ROOT, 'docs/man');
const UNIT_DIR = join(ROOT, 'packaging/systemd');

/** Pages of systemd itself (Debian 12, systemd 252) that units may point to. */
const SYSTEMD_PAGES = ['systemd-socket-proxyd(8)'];

/** Our pages, as `name(section)`, from the sources' file names. */
const sources = readdirSync(MAN_DIR).sort();
const ours = sources.map((f) => /^(.+)\.(\d)\.md$/.exec(f)).map((m) => (m ? `${m[1]}(${m[2]})` : ''));

type StageManPages = (o: { root: string; dest: string; version: string; date?: string | number }) => Promise<string[]>;
async function loadRenderer(): Promise<StageManPages> {
  const mod = (await import(pathToFileURL(join(ROOT, 'scripts/lib/man.mjs')).href)) as { stageManPages: StageManPages };
  return mod.stageManPages;
}

const temp = mkdtempSync(join(tmpdir(), 'bc-man-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('docs/man', () => {
  it('holds nothing but page sources named NAME.SECTION.md', () => {
    expect(sources.length).toBeGreaterThanOrEqual(7);
    expect(ours.filter((p) => p === '')).toEqual([]);
  });

  it('only refers to bluechi pages that exist', () => {
    const missing: string[] = [];
    for (const file of sources) {
      const text = readFileSync(join(MAN_DIR, file), 'utf8');
      for (const m of text.matchAll(/\*\*((?:bluechi|ctl)[a-z.-]*)\*\*\((\d)\)/g)) {
        if (!ours.includes(`${m[1]}(${m[2]})`)) missing.push(`${file}: ${m[1]}(${m[2]})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('Documentation= of the shipped units', () => {
  const units = readdirSync(UNIT_DIR).filter((f) => /\.(service|socket|target|timer|path)$/.test(f)).sort();

  it.each(units)('%s points at pages that are shipped', (unit) => {
    const lines = readFileSync(join(UNIT_DIR, unit), 'utf8').split('\n').filter((l) => l.startsWith('Documentation='));
    expect(lines.length, `${unit} has no Documentation= line`).toBeGreaterThan(0);
    const refs = lines.flatMap((l) => l.slice('Documentation='.length).trim().split(/\s+/));
    for (const ref of refs) {
      const m = /^man:([^()\s]+\(\d\))$/.exec(ref);
      expect(m, `${unit}: '${ref}' is not a man:NAME(SECTION) reference`).not.toBeNull();
      expect([...ours, ...SYSTEMD_PAGES], `${unit}: ${ref} is neither in docs/man nor a known systemd page`).toContain(m![1]);
    }
    expect(refs.some((r) => ours.includes(r.slice('man:'.length))), `${unit} points at none of our pages`).toBe(true);
  });
});

describe('scripts/lib/man.mjs', () => {
  it('renders every page, gzipped with mode 0644, and the ctl alias', async () => {
    const stageManPages = await loadRenderer();
    const dest = join(temp, 'a');
    const installed = await stageManPages({ root: ROOT, dest, version: '9.8.7', date: '2024-03-01' });
    const expected = sources.map((f) => {
      const [, name, section] = /^(.+)\.(\d)\.md$/.exec(f)!;
      return `usr/share/man/man${section}/${name}.${section}.gz`;
    });
    expect(installed).toEqual([...expected, 'usr/share/man/man1/ctl.1.gz']);
    for (const rel of expected) {
      const file = join(dest, rel);
      expect(statSync(file).mode & 0o777, rel).toBe(0o644);
      const roff = gunzipSync(readFileSync(file)).toString('utf8');
      expect(roff, rel).toMatch(/^\.TH "[A-Z.\\-]+" "\d" "March 2024" "bluechi-ts 9\.8\.7" "BlueChi Manual"\n/);
      expect(roff, rel).toContain('.SH "NAME"');
      // No markdown left over outside examples (.nf/.fi): bold, code spans, headings, definition markers.
      const prose = roff.replace(/^\.nf\n[\s\S]*?^\.fi$/gm, '');
      expect(prose.split('\n').filter((l) => /\*\*|`|^#|^: /.test(l)), rel).toEqual([]);
    }
    const alias = join(dest, 'usr/share/man/man1/ctl.1.gz');
    expect(lstatSync(alias).isSymbolicLink()).toBe(true);
    expect(readlinkSync(alias)).toBe('bluechictl.1.gz');
  });

  it('renders the same bytes twice', async () => {
    const stageManPages = await loadRenderer();
    const render = async (dir: string) => {
      const dest = join(temp, dir);
      const paths = await stageManPages({ root: ROOT, dest, version: '1.0.0', date: 0 });
      return paths.filter((p) => !p.endsWith('ctl.1.gz')).map((p) => readFileSync(join(dest, p)).toString('base64'));
    };
    expect(await render('b')).toEqual(await render('c'));
  });
});
