/**
 * The dependency rules of ARCHITECTURE.md, checked on the sources: protocol
 * imports nothing of ours; controller, agent and ctl import protocol and never
 * each other; only the D-Bus edge files import dbus-next; the CLI never
 * loads the daemons' logging (pino) or command-line parsing (yargs).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;
const PACKAGES = ['protocol', 'controller', 'agent', 'ctl'] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const files = PACKAGES.flatMap((pkg) => sources(join(ROOT, 'packages', pkg, 'src')).map((file) => ({ pkg, file, deps: imports(file) })));

describe('dependency rules', () => {
  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(PACKAGES)('%s imports no other package of ours except protocol', (pkg) => {
    const offending = files
      .filter((f) => f.pkg === pkg)
      .flatMap((f) => f.deps.filter((d) => d.startsWith('@bluechi-ts/') && !(pkg !== 'protocol' && d.startsWith('@bluechi-ts/protocol'))).map((d) => `${relative(ROOT, f.file)}: ${d}`));
    expect(offending).toEqual([]);
  });

  it('no package reaches into another through a relative path', () => {
    const offending = files.flatMap((f) => f.deps.filter((d) => d.startsWith('.') && /\.\.\/\.\.\//.test(d)).map((d) => `${relative(ROOT, f.file)}: ${d}`));
    expect(offending).toEqual([]);
  });

  it('only the D-Bus edge files import dbus-next', () => {
    const importers = files.filter((f) => f.deps.includes('dbus-next')).map((f) => relative(ROOT, f.file)).sort();
    expect(importers).toEqual([
      'packages/agent/src/systemd/dbus-agent-service.ts',
      'packages/agent/src/systemd/dbus-next-port.ts',
      'packages/controller/src/dbus/bus-connection.ts',
      'packages/ctl/src/is-online/bus.ts',
    ]);
  });

  it('the CLI never loads pino, yargs, or the entry points that wrap them', () => {
    const offending = files
      .filter((f) => f.pkg === 'ctl')
      .flatMap((f) => f.deps.filter((d) => d === 'pino' || d === 'yargs' || d.endsWith('/logging') || d.endsWith('/command-line')));
    expect(offending).toEqual([]);
  });

  it('only the command-line entry point of protocol imports yargs', () => {
    const importers = files.filter((f) => f.deps.includes('yargs')).map((f) => relative(ROOT, f.file));
    expect(importers).toEqual(['packages/protocol/src/command-line.ts']);
  });

  it('has no import cycles between source files', () => {
    const byFile = new Map(files.map((f) => [f.file, f]));
    /** Relative imports resolved to source files (`./x.js` -> `./x.ts`). */
    const edges = (file: string) =>
      byFile.get(file)!.deps.filter((d) => d.startsWith('.')).map((d) => resolve(dirname(file), d).replace(/\.js$/, '.ts')).filter((t) => byFile.has(t));
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(ROOT, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of edges(file)) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const f of files) visit(f.file, []);
    expect(cycles).toEqual([]);
  });
});
