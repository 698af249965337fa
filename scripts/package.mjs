#!/usr/bin/env node
// Builds the Debian packages from a staged tree (scripts/build.mjs), split as
// upstream BlueChi splits its packages:
//   bluechi-controller  the controller, its units, config, D-Bus policy, man pages
//   bluechi-agent       the agent, bluechi-proxy and the proxy/dep/on-demand templates
//   bluechi-ctl         bluechictl (and its `ctl` name), shell completions
//   bluechi-is-online   bluechi-is-online
// Every staged file belongs to exactly one package; a file no package claims
// (or two claim) fails the run, so nothing the build stages is left out.
//
// The packages are made with dpkg-deb from control files written here
// (packaging/debian/ holds the maintainer scripts). They are architecture
// independent and depend on `nodejs (>= 20.19)`; files are owned by root.
//
// Usage: node scripts/package.mjs [--stage DIR] [--out DIR] [--revision N]
//   --stage     the staged tree (default: BLUECHI_TS_DIST or dist/root)
//   --out       where the .deb files go (default: dist/packages); emptied first
//   --revision  the Debian revision (default 1): VERSION-REVISION
// The version is the one the staged programs report (`bluechictl version`).
// SOURCE_DATE_EPOCH (seconds) sets the files' times; without it, the time of
// the last commit is used, so the same tree packs into the same bytes. (Two
// builds differ only in bluechictl's V8 code cache, which V8 does not write
// the same way twice.)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sourceDateEpoch } from './lib/source-date.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Debian's usual variables name whoever builds the packages. */
const MAINTAINER = `${process.env.DEBFULLNAME || 'bluechi-ts developers'} <${process.env.DEBEMAIL || 'bluechi-ts@localhost'}>`;
const NODE_DEPENDENCY = 'nodejs (>= 20.19)';

/**
 * The packages. `files`: regular expressions over staged paths (relative, no
 * leading slash); a directory is claimed with its files. `conffiles`: files
 * under /etc that dpkg keeps on upgrade and removal. `services`: units the
 * maintainer scripts restart on upgrade when running and stop on removal
 * (never enabled: that is the administrator's choice).
 */
const PACKAGES = [
  {
    name: 'bluechi-controller',
    depends: [NODE_DEPENDENCY, 'systemd', 'dbus'],
    summary: 'BlueChi-compatible multi-node systemd controller: the controller',
    description: [
      'The controller of a bluechi-ts cluster. Agents on every node connect to it;',
      'it keeps the node registry, routes unit operations to the nodes, serves the',
      'public D-Bus API org.eclipse.bluechi and the local API that bluechictl uses.',
    ],
    files: [
      /^usr\/libexec\/bluechi-controller$/,
      /^usr\/lib\/bluechi\/bluechi-controller\./,
      /^usr\/lib\/systemd\/system\/bluechi-controller\./,
      /^usr\/lib\/(sysusers|tmpfiles)\.d\/bluechi-controller\.conf$/,
      /^usr\/share\/bluechi\//,
      /^etc\/bluechi\/controller\.conf(\.d)?(\/|$)/,
      /^usr\/share\/dbus-1\/system\.d\/org\.eclipse\.bluechi\.conf$/,
      /^usr\/share\/dbus-1\/interfaces\/org\.eclipse\.bluechi\.(Controller|Job|Metrics|Monitor|Node)\.xml$/,
      /^usr\/share\/man\/man[58]\/bluechi-controller(\.conf)?\.[58]\.gz$/,
    ],
    conffiles: ['etc/bluechi/controller.conf'],
    services: ['bluechi-controller.service', 'bluechi-controller.socket'],
  },
  {
    name: 'bluechi-agent',
    depends: [NODE_DEPENDENCY, 'systemd', 'dbus'],
    summary: 'BlueChi-compatible multi-node systemd controller: the node agent',
    description: [
      'The agent of a bluechi-ts cluster, one per node. It connects to the',
      'controller and drives the local systemd. It also ships bluechi-proxy and the',
      'bluechi-proxy@, bluechi-dep@ and bluechi-ondemand@ templates, which let a unit',
      'depend on a unit on another node.',
    ],
    files: [
      /^usr\/libexec\/bluechi-(agent|proxy)$/,
      /^usr\/lib\/bluechi\/bluechi-agent\./,
      /^usr\/lib\/systemd\/system\/bluechi-(agent|proxy@|dep@|ondemand@)\./,
      /^usr\/lib\/sysusers\.d\/bluechi-agent\.conf$/,
      /^usr\/share\/bluechi-agent\//,
      /^etc\/bluechi\/agent\.conf(\.d)?(\/|$)/,
      /^usr\/share\/dbus-1\/system\.d\/org\.eclipse\.bluechi\.Agent\.conf$/,
      /^usr\/share\/dbus-1\/interfaces\/org\.eclipse\.bluechi\.Agent\.xml$/,
      /^usr\/share\/man\/man[158]\/bluechi-(agent|agent\.conf|proxy)\.[158]\.gz$/,
    ],
    conffiles: ['etc/bluechi/agent.conf'],
    services: ['bluechi-agent.service'],
  },
  {
    name: 'bluechi-ctl',
    depends: [NODE_DEPENDENCY],
    recommends: ['bluechi-controller (= @VERSION@)'],
    summary: 'BlueChi-compatible multi-node systemd controller: bluechictl',
    description: [
      'bluechictl (also installed as ctl), the command-line tool that lists, starts,',
      'stops and watches units on every node of a bluechi-ts cluster. It talks to',
      'the controller on the same machine.',
    ],
    files: [
      /^usr\/bin\/(bluechictl|ctl)$/,
      /^usr\/lib\/bluechi\/bluechictl/,
      /^usr\/share\/(bash-completion\/completions\/(bluechictl|ctl)|zsh\/vendor-completions\/_bluechictl)$/,
      /^usr\/share\/man\/man1\/(bluechictl|ctl)\.1\.gz$/,
    ],
    conffiles: [],
    services: [],
  },
  {
    name: 'bluechi-is-online',
    depends: [NODE_DEPENDENCY],
    summary: 'BlueChi-compatible multi-node systemd controller: bluechi-is-online',
    description: [
      'bluechi-is-online tells whether the agent, a node or the whole system of a',
      'bluechi-ts cluster is online, for scripts and ExecStartPre= lines.',
    ],
    files: [/^usr\/bin\/bluechi-is-online$/, /^usr\/lib\/bluechi\/bluechi-is-online\./, /^usr\/share\/man\/man1\/bluechi-is-online\.1\.gz$/],
    conffiles: [],
    services: [],
  },
];

/** Folders every system has; a package must not claim them as its own. */
const SHARED_DIRS = new Set(['etc', 'usr', 'usr/bin', 'usr/lib', 'usr/libexec', 'usr/share']);

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (result.error) fail(`cannot run ${cmd}: ${result.error.message}`);
  if (result.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stderr}`);
  return result.stdout;
}

/** The package of each staged file (folders follow their files). */
async function assign(stage) {
  const byPackage = new Map(PACKAGES.map((p) => [p.name, []]));
  const problems = [];
  // Every path in the stage, relative, folders included (symlinks are not followed).
  for (const path of (await readdir(stage, { recursive: true })).sort()) {
    const info = await lstat(join(stage, path));
    const owners = PACKAGES.filter((p) => p.files.some((re) => re.test(path)));
    if (info.isDirectory()) {
      // An empty folder of ours (a drop-in folder) needs an owner; others come with their files.
      if ((await readdir(join(stage, path))).length > 0 || SHARED_DIRS.has(path)) continue;
    }
    if (owners.length !== 1) {
      problems.push(`${path}: ${owners.length === 0 ? 'no package claims it' : `claimed by ${owners.map((p) => p.name).join(' and ')}`}`);
      continue;
    }
    byPackage.get(owners[0].name).push(path);
  }
  if (problems.length) fail(`every staged file must belong to one package:\n  ${problems.join('\n  ')}`);
  return byPackage;
}

async function stagedVersion(stage) {
  const out = run(process.execPath, [join(stage, 'usr/lib/bluechi/bluechictl.cjs'), 'version']);
  const match = /^bluechictl version (\S+)\n?$/.exec(out);
  if (!match) fail(`cannot read the version from the staged bluechictl: ${JSON.stringify(out)}`);
  return match[1];
}

async function copyInto(stage, tree, paths) {
  for (const path of paths) {
    const from = join(stage, path);
    const to = join(tree, path);
    const info = await lstat(from);
    await mkdir(dirname(to), { recursive: true });
    if (info.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (info.isDirectory()) await mkdir(to, { recursive: true });
    else await cp(from, to, { preserveTimestamps: false });
  }
}

async function md5sums(tree, paths) {
  const rows = [];
  for (const path of paths.filter((p) => !p.startsWith('etc/'))) {
    const info = await lstat(join(tree, path));
    if (!info.isFile()) continue;
    rows.push(`${createHash('md5').update(await readFile(join(tree, path))).digest('hex')}  ${path}`);
  }
  return rows.sort().join('\n') + (rows.length ? '\n' : '');
}

/** Installed size in KiB, as dpkg counts it: each file rounded up to KiB, one per folder and link. */
async function installedSize(tree, paths) {
  let kib = 0;
  for (const path of paths) {
    const info = await lstat(join(tree, path));
    kib += info.isFile() ? Math.ceil(info.size / 1024) : 1;
  }
  return kib;
}

function control(pkg, version, size) {
  const fields = [
    `Package: ${pkg.name}`,
    `Version: ${version}`,
    'Architecture: all',
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${size}`,
    `Depends: ${pkg.depends.join(', ')}`,
    ...(pkg.recommends ? [`Recommends: ${pkg.recommends.join(', ').replaceAll('@VERSION@', version)}`] : []),
    'Section: admin',
    'Priority: optional',
    `Description: ${pkg.summary}`,
    ...pkg.description.map((line) => ` ${line}`),
  ];
  return `${fields.join('\n')}\n`;
}

/** The maintainer scripts of packaging/debian/, with this package's units filled in. */
async function maintainerScripts(pkg, debianDir) {
  for (const script of ['postinst', 'prerm', 'postrm']) {
    const text = (await readFile(join(ROOT, 'packaging/debian', script), 'utf8'))
      .replaceAll('@PACKAGE@', pkg.name)
      .replaceAll('@SERVICES@', pkg.services.join(' '));
    await writeFile(join(debianDir, script), text);
    await chmod(join(debianDir, script), 0o755);
  }
}

/** One line per run-time npm dependency: ` name version (license)`, from node_modules. */
async function bundledLicenses() {
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  const dirs = listed.stdout.split('\n').filter((d) => d.includes('/node_modules/'));
  const rows = new Set();
  for (const dir of dirs) {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    if (manifest.name.startsWith('@bluechi-ts/')) continue;
    const raw = manifest.license ?? manifest.licenses;
    const license = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.map((l) => l.type ?? l).join(' or ') : (raw?.type ?? 'see its package');
    rows.add(` ${manifest.name} ${manifest.version} (${license})`);
  }
  if (rows.size === 0) fail('cannot list the run-time npm dependencies (npm ls --omit=dev); run npm ci first');
  return [...rows].sort().join('\n');
}

async function copyright(tree, pkg, bundled) {
  const dir = join(tree, 'usr/share/doc', pkg.name);
  await mkdir(dir, { recursive: true });
  const license = (await readFile(join(ROOT, 'packaging/debian/copyright'), 'utf8')).replace('@BUNDLED@', bundled);
  await writeFile(join(dir, 'copyright'), license);
  return [`usr/share/doc/${pkg.name}/copyright`];
}

async function main() {
  const { values } = parseArgs({
    options: { stage: { type: 'string' }, out: { type: 'string' }, revision: { type: 'string', default: '1' } },
    strict: true,
  });
  const stage = resolve(values.stage ?? process.env.BLUECHI_TS_DIST ?? join(ROOT, 'dist', 'root'));
  const out = resolve(values.out ?? join(ROOT, 'dist', 'packages'));
  if (!/^[0-9A-Za-z.+~]+$/.test(values.revision)) fail(`--revision ${JSON.stringify(values.revision)}: use letters, digits and . + ~`);
  try {
    await lstat(join(stage, 'usr/lib/bluechi/bluechictl.cjs'));
  } catch {
    fail(`${stage} is not a staged tree; run \`npm run build\` first (or \`npm run package\`, which does)`);
  }
  run('dpkg-deb', ['--version']);

  const version = `${await stagedVersion(stage)}-${values.revision}`;
  const epoch = String(sourceDateEpoch(ROOT) ?? 0);
  const assigned = await assign(stage);
  const bundled = await bundledLicenses();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'bluechi-package-'));
  try {
    for (const pkg of PACKAGES) {
      const tree = join(work, pkg.name);
      const paths = assigned.get(pkg.name);
      await copyInto(stage, tree, paths);
      paths.push(...(await copyright(tree, pkg, bundled)));
      const debianDir = join(tree, 'DEBIAN');
      await mkdir(debianDir);
      await writeFile(join(debianDir, 'control'), control(pkg, version, await installedSize(tree, paths)));
      await writeFile(join(debianDir, 'md5sums'), await md5sums(tree, paths));
      if (pkg.conffiles.length) await writeFile(join(debianDir, 'conffiles'), pkg.conffiles.map((f) => `/${f}\n`).join(''));
      await maintainerScripts(pkg, debianDir);
      const deb = join(out, `${pkg.name}_${version}_all.deb`);
      run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], { env: { ...process.env, SOURCE_DATE_EPOCH: epoch } });
      console.log(`package: ${relative(process.cwd(), deb) || deb} (${paths.length} paths)`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => fail(err?.stack ?? String(err)));
