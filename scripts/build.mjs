#!/usr/bin/env node
// Builds bluechi-ts into an installable tree at dist/root (a DESTDIR layout):
//   1. `tsc -b` type-checks every project; any error fails the build.
//   2. esbuild bundles each program into one executable file, so nothing
//      outside dist/root is needed at run time (only a `node` on PATH).
//      The daemons are ES modules; bluechictl is CommonJS, which Node starts
//      faster (see docs/performance.md, "The CLI's own cost").
//   3. unit files, default configs, the tmpfiles rule, the D-Bus policy and
//      the shell completion from packaging/ are staged.
//   4. the man pages (docs/man/*.md) are rendered into usr/share/man.
// Usage: node scripts/build.mjs [--skip-typecheck]
// BLUECHI_TS_DIST=DIR stages into DIR instead of dist/root (the test harness
// installs from the same variable), so several trees can be staged side by side.
// BLUECHI_TS_VERSION=X stamps X instead of package.json's version (a rebuilt
// package for an upgrade, a release candidate).
import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { stageManPages } from './lib/man.mjs';
import { sourceDateEpoch } from './lib/source-date.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DEST = process.env.BLUECHI_TS_DIST ? resolve(process.env.BLUECHI_TS_DIST) : join(ROOT, 'dist', 'root');
const require = createRequire(import.meta.url);

/**
 * A launcher must parse and run on an old Node to say what it needs: nothing
 * from node_modules, and from our sources only itself and the version check.
 */
const LAUNCHER_FORBID = [/\/node_modules\//, /\/packages\/(?!protocol\/src\/launch\/|ctl\/src\/launcher\.ts$)/];

/**
 * An ES module program behind packages/protocol/src/launch/program-launcher.ts:
 * the launcher is usr/lib/bluechi/NAME.cjs (CommonJS, so any Node parses it,
 * checks its version and says what it needs) and loads the bundle NAME.mjs
 * beside it. The installed name (LINKS) is a symlink to the launcher: Node
 * takes the module format from the resolved file's extension.
 * `tooOldExit`: exit status for a Node that is too old (78 for daemons,
 * whose units do not restart on it; 1 for command-line tools).
 */
function launched(name, entry, tooOldExit, bundleOptions = {}) {
  return [
    {
      entry: 'packages/protocol/src/launch/program-launcher.ts',
      out: `usr/lib/bluechi/${name}.cjs`,
      format: 'cjs',
      forbid: LAUNCHER_FORBID,
      define: {
        __BLUECHI_PROGRAM__: JSON.stringify(name),
        __BLUECHI_BUNDLE__: JSON.stringify(`${name}.mjs`),
        __BLUECHI_TOO_OLD_EXIT__: String(tooOldExit),
      },
    },
    { entry, out: `usr/lib/bluechi/${name}.mjs`, format: 'esm', library: true, ...bundleOptions },
  ];
}

/**
 * Programs to bundle: entry (relative to the repo) -> installed path (relative
 * to DEST), in ES module or CommonJS format; `forbid` lists inputs that must
 * never end up in the bundle; `define` adds constants.
 *
 * Every program is started through a `.cjs` launcher behind a symlink: Node
 * takes the format from the extension of the resolved path, so it loads as
 * CommonJS wherever it lies, even below a package.json that says "type":
 * "module". (An extensionless ES module is tried as CommonJS first, then
 * started through the ES module loader: 6-7 ms more per call.) The launcher
 * checks the Node version before the bundle, which an old Node cannot parse,
 * is loaded.
 */
const PROGRAMS = [
  ...launched('bluechi-controller', 'packages/controller/src/main.ts', 78),
  ...launched('bluechi-agent', 'packages/agent/src/main.ts', 78),
  ...launched('bluechi-is-online', 'packages/ctl/src/is-online/main.ts', 1, {
    // Like bluechictl, never the daemons' logging (pino) nor their option parsing (yargs).
    forbid: [/\/node_modules\/(pino|yargs)\//, /\/packages\/protocol\/src\/(logging|command-line)\.ts$/],
  }),
  // bluechictl: a small launcher that checks the Node version, then compiles
  // the CLI bundle with a V8 code cache made below (packages/ctl/src/launcher.ts
  // explains why).
  { entry: 'packages/ctl/src/launcher.ts', out: 'usr/lib/bluechi/bluechictl.cjs', format: 'cjs', forbid: LAUNCHER_FORBID },
  {
    entry: 'packages/ctl/src/main.ts',
    out: 'usr/lib/bluechi/bluechictl-bundle.js',
    format: 'cjs',
    // Loaded by the launcher, never run directly: no shebang, not executable.
    library: true,
    // The CLI never loads the daemons' logging (pino) nor their option parsing (yargs).
    forbid: [/\/node_modules\/(pino|yargs)\//, /\/packages\/protocol\/src\/(logging|command-line)\.ts$/],
  },
];

/** The CLI bundle's V8 code cache, made by running `bluechictl version` once. */
const CLI_DIR = 'usr/lib/bluechi';

/** Symlinks (relative to DEST), each made relative to its own folder. */
const LINKS = [
  { path: 'usr/libexec/bluechi-controller', target: 'usr/lib/bluechi/bluechi-controller.cjs' },
  { path: 'usr/libexec/bluechi-agent', target: 'usr/lib/bluechi/bluechi-agent.cjs' },
  { path: 'usr/bin/bluechi-is-online', target: 'usr/lib/bluechi/bluechi-is-online.cjs' },
  { path: 'usr/bin/bluechictl', target: 'usr/lib/bluechi/bluechictl.cjs' },
  { path: 'usr/bin/ctl', target: 'usr/bin/bluechictl' },
  { path: 'usr/share/bash-completion/completions/ctl', target: 'usr/share/bash-completion/completions/bluechictl' },
];

/** Plain files copied from packaging/: source (relative to packaging/) -> installed path. */
const DATA_FILES = [
  { src: 'systemd/bluechi-controller.service', out: 'usr/lib/systemd/system/bluechi-controller.service' },
  { src: 'systemd/bluechi-controller.socket', out: 'usr/lib/systemd/system/bluechi-controller.socket' },
  { src: 'systemd/bluechi-agent.service', out: 'usr/lib/systemd/system/bluechi-agent.service' },
  { src: 'systemd/bluechi-proxy@.service', out: 'usr/lib/systemd/system/bluechi-proxy@.service' },
  { src: 'systemd/bluechi-dep@.service', out: 'usr/lib/systemd/system/bluechi-dep@.service' },
  { src: 'systemd/bluechi-ondemand@.socket', out: 'usr/lib/systemd/system/bluechi-ondemand@.socket' },
  { src: 'systemd/bluechi-ondemand@.service', out: 'usr/lib/systemd/system/bluechi-ondemand@.service' },
  { src: 'config/controller.conf', out: 'usr/share/bluechi/config/controller.conf' },
  { src: 'config/agent.conf', out: 'usr/share/bluechi-agent/config/agent.conf' },
  { src: 'tmpfiles.d/bluechi.conf', out: 'usr/lib/tmpfiles.d/bluechi-controller.conf' },
  { src: 'dbus/org.eclipse.bluechi.Agent.conf', out: 'usr/share/dbus-1/system.d/org.eclipse.bluechi.Agent.conf' },
  { src: 'dbus/org.eclipse.bluechi.conf', out: 'usr/share/dbus-1/system.d/org.eclipse.bluechi.conf' },
  // The same group for each daemon's D-Bus policy, once per package that needs it.
  { src: 'sysusers.d/bluechi.conf', out: 'usr/lib/sysusers.d/bluechi-controller.conf' },
  { src: 'sysusers.d/bluechi.conf', out: 'usr/lib/sysusers.d/bluechi-agent.conf' },
  // The administrator's files: kept on upgrade and removal, removed on purge.
  { src: 'config/etc-controller.conf', out: 'etc/bluechi/controller.conf' },
  { src: 'config/etc-agent.conf', out: 'etc/bluechi/agent.conf' },
  { src: 'completion/bluechictl.bash', out: 'usr/share/bash-completion/completions/bluechictl' },
  { src: 'completion/_bluechictl', out: 'usr/share/zsh/vendor-completions/_bluechictl' },
];

/** Scripts installed as programs, with @VERSION@ stamped in. */
const SCRIPTS = [{ src: 'libexec/bluechi-proxy', out: 'usr/libexec/bluechi-proxy' }];

/** Empty directories the daemons look in for drop-ins. */
const EMPTY_DIRS = ['etc/bluechi/controller.conf.d', 'etc/bluechi/agent.conf.d'];

/**
 * Modules that dependencies load only optionally, inside try/catch or on code
 * paths we never take: dbus-next's native `usocket` (it falls back to node:net)
 * and `x11` (session-bus discovery through X11); ws's native speed-ups.
 * Leaving them external keeps the bundle free of native code.
 */
const OPTIONAL_EXTERNALS = ['usocket', 'x11', 'bufferutil', 'utf-8-validate'];

/** ESM output has no `require`; CommonJS dependencies of the daemons (dbus-next, pino, ws) need one. */
const BANNER = [
  "import { createRequire as __bluechiCreateRequire } from 'node:module';",
  'const require = __bluechiCreateRequire(import.meta.url);',
].join('\n');

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function typecheck() {
  const tsc = require.resolve('typescript/bin/tsc');
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, '-b'], { cwd: ROOT, stdio: 'inherit' });
  if (result.error) fail(`could not run tsc: ${result.error.message}`);
  if (result.status !== 0) fail(`type-check failed (tsc -b exited with ${result.status ?? result.signal})`);
  console.log(`build: type-check passed (${Date.now() - started} ms)`);
}

async function bundle(program, version) {
  const entry = join(ROOT, program.entry);
  const outfile = join(DEST, program.out);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: program.format,
    target: 'node20',
    conditions: ['source'],
    external: OPTIONAL_EXTERNALS,
    define: { __BLUECHI_TS_VERSION__: JSON.stringify(version), ...program.define },
    ...(program.format === 'esm' ? { banner: { js: BANNER } } : {}),
    // CommonJS has no import.meta: a use of it is a bug, not a warning.
    logOverride: { 'empty-import-meta': 'error' },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    write: false,
    outfile,
  });
  const file = result.outputFiles.find((f) => f.path === outfile);
  if (!file) fail(`esbuild produced no output for ${program.entry}`);
  const forbidden = Object.keys(result.metafile.inputs).filter((input) => (program.forbid ?? []).some((re) => re.test(`/${input}`)));
  if (forbidden.length > 0) fail(`${program.entry} must not bundle ${forbidden.join(', ')}`);
  // One shebang, first line, whatever the entry file starts with.
  const code = file.text.replace(/^#!.*\n/, '');
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, program.library ? code : `#!/usr/bin/env node\n${code}`);
  await chmod(outfile, program.library ? 0o644 : 0o755);
}

/**
 * Makes the CLI bundle's code cache with this Node (the one that will run it
 * in the test containers; another Node rejects the cache and compiles as
 * usual), then checks in a second process that V8 takes it.
 */
function makeCliCodeCache() {
  const dir = join(DEST, CLI_DIR);
  const launcher = join(dir, 'bluechictl.cjs');
  const make = `
    const { writeFileSync } = require('node:fs');
    const { join } = require('node:path');
    const { compileBundle, CACHE, BUNDLE } = require(${JSON.stringify(launcher)});
    const dir = ${JSON.stringify(dir)};
    const { script, run } = compileBundle(dir);
    process.argv = [process.argv[0], 'bluechictl', 'version'];
    process.on('exit', () => writeFileSync(join(dir, CACHE), script.createCachedData()));
    const m = { exports: {} };
    run(m.exports, require, m, join(dir, BUNDLE), dir);`;
  const made = spawnSync(process.execPath, ['-e', make], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (made.status !== 0) fail(`could not make the code cache of bluechictl (exit ${made.status ?? made.signal})`);
  const check = `
    const { compileBundle } = require(${JSON.stringify(launcher)});
    process.exit(compileBundle(${JSON.stringify(dir)}).script.cachedDataRejected === false ? 0 : 3);`;
  const checked = spawnSync(process.execPath, ['-e', check], { stdio: 'inherit' });
  if (checked.status !== 0) fail('V8 rejects the code cache just made for bluechictl');
}

async function stageLinks() {
  for (const { path, target } of LINKS) {
    const link = join(DEST, path);
    await mkdir(dirname(link), { recursive: true });
    await symlink(relative(dirname(link), join(DEST, target)), link);
  }
}

async function stageScripts(version) {
  for (const { src, out } of SCRIPTS) {
    const target = join(DEST, out);
    await mkdir(dirname(target), { recursive: true });
    const text = await readFile(join(ROOT, 'packaging', src), 'utf8');
    await writeFile(target, text.replaceAll('@VERSION@', version));
    await chmod(target, 0o755);
  }
}

async function stageData() {
  for (const { src, out } of DATA_FILES) {
    const target = join(DEST, out);
    await mkdir(dirname(target), { recursive: true });
    await cp(join(ROOT, 'packaging', src), target);
    await chmod(target, 0o644);
  }
  for (const dir of EMPTY_DIRS) await mkdir(join(DEST, dir), { recursive: true });
}

/**
 * Writes usr/share/dbus-1/interfaces/<interface>.xml for every public D-Bus
 * interface, from the one declaration the controller also serves
 * (packages/protocol/src/dbus-interfaces.ts).
 */
async function stageInterfaceXml() {
  const result = await esbuild.build({
    entryPoints: [join(ROOT, 'packages/protocol/src/dbus-interfaces.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
  });
  const url = `data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`;
  const { PUBLIC_INTERFACES, introspectionXml } = await import(url);
  const dir = join(DEST, 'usr/share/dbus-1/interfaces');
  await mkdir(dir, { recursive: true });
  for (const spec of PUBLIC_INTERFACES) {
    const target = join(dir, `${spec.name}.xml`);
    await writeFile(target, introspectionXml([spec]));
    await chmod(target, 0o644);
  }
}

async function listTree(dir, prefix = '') {
  const rows = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const rel = `${prefix}/${entry.name}`;
    if (entry.isSymbolicLink()) {
      rows.push(`  ${rel} -> ${await readlink(path)}`);
    } else if (entry.isDirectory()) {
      const children = await listTree(path, rel);
      rows.push(...(children.length ? children : [`  ${rel}/ (empty)`]));
    } else {
      const info = await stat(path);
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      const size = info.size >= 1024 ? `${Math.round(info.size / 1024)} KiB` : `${info.size} B`;
      rows.push(`  ${rel}  ${mode}  ${size}`);
    }
  }
  return rows;
}

async function main() {
  const skipTypecheck = process.argv.includes('--skip-typecheck');
  const version = process.env.BLUECHI_TS_VERSION || JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version;
  if (typeof version !== 'string') fail('package.json has no version');
  // Debian's upstream-version characters, so a package can carry it unchanged.
  if (!/^[0-9][A-Za-z0-9.+~]*$/.test(version)) fail(`version ${JSON.stringify(version)} must start with a digit and use only letters, digits and . + ~`);

  if (!skipTypecheck) typecheck();

  await rm(DEST, { recursive: true, force: true });
  await mkdir(DEST, { recursive: true });

  const started = Date.now();
  const programs = PROGRAMS.filter((p) => {
    if (existsSync(join(ROOT, p.entry))) return true;
    if (p.optional) return false;
    fail(`missing entry point ${p.entry}`);
  });
  await Promise.all(programs.map((p) => bundle(p, version)));
  makeCliCodeCache();
  await stageData();
  await stageInterfaceXml();
  // Every clone of a commit renders the same pages (scripts/lib/source-date.mjs).
  const epoch = sourceDateEpoch(ROOT);
  await stageManPages({ root: ROOT, dest: DEST, version, ...(epoch === undefined ? {} : { date: epoch * 1000 }) });
  await stageScripts(version);
  await stageLinks();
  console.log(`build: bundled ${programs.length} programs in ${Date.now() - started} ms (version ${version})`);
  console.log(`build: staged ${relative(ROOT, DEST)}/`);
  for (const row of await listTree(DEST)) console.log(row);
}

main().catch((err) => {
  // esbuild has already printed its diagnostics for build failures.
  fail(err?.errors ? 'bundling failed' : (err?.stack ?? String(err)));
});
