/**
 * The fixed configuration layering shared by both daemons (later wins):
 *   1. built-in defaults (in the daemon's key table)
 *   2. the distribution default file under /usr/share (must exist and parse)
 *   3. /etc/bluechi/NAME.conf (optional)
 *   4. /etc/bluechi/NAME.conf.d/*.conf in sorted order (optional directory)
 *   5. environment: BC_LOG_LEVEL, BC_LOG_TARGET, BC_LOG_IS_QUIET
 *   6. the file given with -c/--config (must exist and parse)
 *   7. command-line flags (applied by the daemon)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, mergeIni, parseIni, type IniDocument } from './ini.js';

export type ConfigPaths = {
  /** Distribution default file; must exist. */
  defaultsFile: string;
  /** e.g. /etc/bluechi/controller.conf; may be missing. */
  mainFile: string;
  /** e.g. /etc/bluechi/controller.conf.d; may be missing. */
  dropinDir: string;
  /** -c/--config; must exist when given. */
  cliFile?: string;
};

export type LoadedLayers = { doc: IniDocument; files: string[] };

function readFile(path: string, required: boolean): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return undefined;
    throw new ConfigError(`Failed to read configuration file '${path}': ${(err as Error).message}`);
  }
}

function listDropins(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.conf'))
      .sort()
      .map((f) => join(dir, f));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new ConfigError(`Failed to read configuration directory '${dir}': ${(err as Error).message}`);
  }
}

export function loadLayers(paths: ConfigPaths, section: string, env: NodeJS.ProcessEnv = process.env): LoadedLayers {
  let doc: IniDocument = new Map();
  const files: string[] = [];
  const apply = (path: string, required: boolean) => {
    const text = readFile(path, required);
    if (text === undefined) return;
    doc = mergeIni(doc, parseIni(text, path));
    files.push(path);
  };
  apply(paths.defaultsFile, true);
  apply(paths.mainFile, false);
  for (const f of listDropins(paths.dropinDir)) apply(f, true);

  const envKeys: Array<[string, string]> = [
    ['BC_LOG_LEVEL', 'LogLevel'],
    ['BC_LOG_TARGET', 'LogTarget'],
    ['BC_LOG_IS_QUIET', 'LogIsQuiet'],
  ];
  const envDoc: IniDocument = new Map([[section, new Map()]]);
  for (const [name, key] of envKeys) {
    const value = env[name];
    if (value) envDoc.get(section)!.set(key, { value, file: `environment ${name}`, line: 0 });
  }
  doc = mergeIni(doc, envDoc);
  if (paths.cliFile) apply(paths.cliFile, true);
  return { doc, files };
}
