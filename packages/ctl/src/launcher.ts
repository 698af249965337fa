/**
 * The `bluechictl` executable: a few lines that check the Node version (the
 * bundle does not parse on Node 18), then compile the CLI bundle
 * (`bluechictl-bundle.js` beside it) with the V8 code cache the build made
 * for it (`bluechictl-bundle.js.cache`), then run it as a CommonJS module.
 *
 * Why: compiling the 100 KiB bundle is a good part of what a CLI call costs
 * beyond Node's own start-up; with the cache V8 skips most of it (about 1-2 ms
 * per call, docs/performance.md, "The CLI's own cost"). Node 20 has no
 * built-in compile cache (Node 22's module.enableCompileCache() would replace
 * this file). A cache made by another Node or V8 is rejected by V8, and the
 * bundle is simply compiled as usual; a missing cache file is the same.
 *
 * The build creates the cache by loading the bundle through `compileBundle`
 * and running `bluechictl version` in it; the cache only matches a script
 * compiled from the very same source text, so both go through this module.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { requireSupportedNode } from '@bluechi-ts/protocol/node-version';

export const BUNDLE = 'bluechictl-bundle.js';
export const CACHE = `${BUNDLE}.cache`;

/** Module scope for the bundle, as Node's CommonJS loader gives it. */
type ModuleFunction = (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;

/** Compiles the bundle in `dir` with its code cache, if one is there and V8 takes it. */
export function compileBundle(dir: string): { script: Script; run: ModuleFunction } {
  const file = join(dir, BUNDLE);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(join(dir, CACHE));
  } catch {
    // No cache: compile as usual.
  }
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  return { script, run: script.runInThisContext() as ModuleFunction };
}

/** Runs the bundle as the main module of this process. */
export function launch(dir: string): void {
  const { run } = compileBundle(dir);
  const bundleModule = { exports: {} };
  run(bundleModule.exports, require, bundleModule, join(dir, BUNDLE), dir);
}

// Bundled as CommonJS: `require`, `module` and `__dirname` are this file's own.
if (require.main === module) {
  requireSupportedNode('bluechictl', 1);
  launch(__dirname);
}
