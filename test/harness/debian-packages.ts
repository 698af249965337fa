/**
 * The Debian packages for the package tests, made on the host the way a user
 * makes them (`scripts/package.mjs` over a staged tree), plus a `nodejs`
 * package for the bare containers.
 *
 * Why a `nodejs` package of our own: Debian 12's nodejs is 18, too old, and
 * the test containers take packages from Debian's own repositories only.
 * Users install NodeSource's or their distribution's nodejs; this one packs
 * the very Node binary the tests run with (the official build) the same way,
 * as `nodejs` with its real version, so `Depends: nodejs (>= 20.19)` is
 * checked by dpkg as on a user's machine.
 */
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distRoot, repoRoot } from './systemd-container.js';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(cmd, args, { cwd: repoRoot(), encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** A fresh temporary folder; remove it with `rm(dir, { recursive: true })`. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `bluechi-ts-${prefix}-`));
}

/**
 * Packs the staged tree of this test run (dist/root) into `out`, or, with
 * `version`, first stages a fresh build that reports that version (as a
 * rebuilt release would) and packs that. Returns `out`.
 */
export async function buildPackages(out: string, opts: { version?: string; revision?: string } = {}): Promise<string> {
  let stage = distRoot();
  let scratch: string | undefined;
  try {
    if (opts.version) {
      scratch = await tempDir('stage');
      stage = join(scratch, 'root');
      run(process.execPath, ['scripts/build.mjs', '--skip-typecheck'], { BLUECHI_TS_DIST: stage, BLUECHI_TS_VERSION: opts.version });
    }
    run(process.execPath, ['scripts/package.mjs', '--stage', stage, '--out', out, '--revision', opts.revision ?? '1']);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  return out;
}

/** Writes `nodejs_VERSION-1_ARCH.deb` with this process's Node binary as /usr/bin/node into `out`. */
export async function buildNodejsPackage(out: string): Promise<string> {
  const arch = run('dpkg', ['--print-architecture']).trim();
  const tree = await tempDir('nodejs');
  try {
    await mkdir(join(tree, 'usr/bin'), { recursive: true });
    await copyFile(realpathSync(process.execPath), join(tree, 'usr/bin/node'));
    await chmod(join(tree, 'usr/bin/node'), 0o755);
    await mkdir(join(tree, 'DEBIAN'));
    await writeFile(
      join(tree, 'DEBIAN/control'),
      [
        'Package: nodejs',
        `Version: ${process.versions.node}-1`,
        `Architecture: ${arch}`,
        'Maintainer: bluechi-ts tests <bluechi-ts@localhost>',
        'Depends: libc6, libstdc++6',
        'Provides: node',
        'Description: Node.js, the official binary, packed for the package tests',
        '',
      ].join('\n'),
    );
    await mkdir(out, { recursive: true });
    run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, join(out, `nodejs_${process.versions.node}-1_${arch}.deb`)]);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
  return out;
}
