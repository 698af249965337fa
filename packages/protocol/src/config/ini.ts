/**
 * The INI dialect of BlueChi configuration files:
 *   [section]            sections, e.g. [bluechi-controller] or [node worker1]
 *   Key=Value            whitespace around key and value is trimmed
 *   # or ; at line start comments
 *   indented lines       continue the previous value (pieces are concatenated)
 * Anything else (e.g. a line without `=`) is a syntax error naming file and line.
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type IniEntry = { value: string; file: string; line: number };
/** section -> key -> entry; insertion order is kept for sections and keys. */
export type IniDocument = Map<string, Map<string, IniEntry>>;

export function parseIni(text: string, file: string): IniDocument {
  const doc: IniDocument = new Map();
  let section: string | undefined;
  let lastKey: { section: string; key: string } | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const fail = (): never => {
      throw new ConfigError(`Error parsing configuration file '${file}' on line ${lineNo}`);
    };
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      if (trimmed === '') lastKey = undefined;
      return;
    }
    const indented = /^\s/.test(rawLine);
    if (indented && lastKey && !trimmed.startsWith('[')) {
      const entry = doc.get(lastKey.section)!.get(lastKey.key)!;
      entry.value += trimmed;
      return;
    }
    if (trimmed.startsWith('[')) {
      if (!trimmed.endsWith(']')) fail();
      section = trimmed.slice(1, -1).trim();
      if (section === '') fail();
      if (!doc.has(section)) doc.set(section, new Map());
      lastKey = undefined;
      return;
    }
    const eq = trimmed.indexOf('=');
    if (eq <= 0 || section === undefined) fail();
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    if (key === '') fail();
    doc.get(section!)!.set(key, { value, file, line: lineNo });
    lastKey = { section: section!, key };
  });
  return doc;
}

/** Overlays `top` on `base` key by key (later files win); returns a new document. */
export function mergeIni(base: IniDocument, top: IniDocument): IniDocument {
  const out: IniDocument = new Map();
  for (const [name, keys] of base) out.set(name, new Map(keys));
  for (const [name, keys] of top) {
    const target = out.get(name) ?? new Map<string, IniEntry>();
    for (const [k, v] of keys) target.set(k, v);
    out.set(name, target);
  }
  return out;
}
