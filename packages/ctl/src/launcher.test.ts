import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE, CACHE, compileBundle } from './launcher.js';

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctl-launcher-'));
  writeFileSync(join(dir, BUNDLE), 'module.exports.answer = 6 * 7; module.exports.dir = __dirname;\n');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runIn(d: string): Record<string, unknown> {
  const { run } = compileBundle(d);
  const m = { exports: {} as Record<string, unknown> };
  run(m.exports, require, m, join(d, BUNDLE), d);
  return m.exports;
}

describe('bluechictl launcher', () => {
  it('runs the bundle as a CommonJS module without a cache', () => {
    expect(runIn(dir)).toEqual({ answer: 42, dir });
  });

  it('takes a code cache made from the same source', () => {
    const first = compileBundle(dir);
    writeFileSync(join(dir, CACHE), first.script.createCachedData());
    const second = compileBundle(dir);
    expect(second.script.cachedDataRejected).toBe(false);
    expect(runIn(dir)).toEqual({ answer: 42, dir });
  });

  it('compiles as usual when the cache does not fit the source', () => {
    writeFileSync(join(dir, CACHE), compileBundle(dir).script.createCachedData());
    writeFileSync(join(dir, BUNDLE), 'module.exports.answer = 41 + 1;\n');
    expect(compileBundle(dir).script.cachedDataRejected).toBe(true);
    expect(runIn(dir)).toEqual({ answer: 42 });
  });

  it('compiles as usual when the cache file is garbage', () => {
    writeFileSync(join(dir, CACHE), 'not a code cache');
    expect(compileBundle(dir).script.cachedDataRejected).toBe(true);
    expect(runIn(dir).answer).toBe(42);
  });

  it('starts the bundle beside it, with the process arguments, when run as a program', () => {
    writeFileSync(join(dir, BUNDLE), 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
    const launcher = join(dir, 'launcher.cjs');
    buildSync({ entryPoints: [join(here, 'launcher.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: launcher, logLevel: 'error' });
    expect(execFileSync(process.execPath, [launcher, 'status', '-w'], { encoding: 'utf8' })).toBe('["status","-w"]');
  });
});
