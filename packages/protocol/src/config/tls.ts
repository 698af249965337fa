/**
 * TLS on the agent link (bluechi-ts keys; upstream has no TLS of its own):
 * the shared parsing of the TLS keys and the identity a certificate gives.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type IniEntry } from './ini.js';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** Where in the configuration a value came from, for error messages. */
function where(entry: IniEntry | undefined): string {
  return entry ? ` in '${entry.file}' on line ${entry.line}` : '';
}

/** `1.3`/`TLSv1.3` (the default) or `1.2`/`TLSv1.2`; anything else is a ConfigError. */
export function parseTlsVersion(key: string, entry: IniEntry | undefined): TlsVersion {
  if (!entry || entry.value.trim() === '') return 'TLSv1.3';
  const v = entry.value.trim();
  if (v === '1.3' || v === 'TLSv1.3') return 'TLSv1.3';
  if (v === '1.2' || v === 'TLSv1.2') return 'TLSv1.2';
  throw new ConfigError(`Invalid value '${v}' for ${key}${where(entry)}: 1.3 or 1.2 is expected`);
}

/** What part of a client certificate names the node: its DNS subject alternative names, or its common name. */
export type NodeIdentitySource = 'san' | 'cn';

export function parseNodeIdentitySource(key: string, entry: IniEntry | undefined): NodeIdentitySource {
  if (!entry || entry.value.trim() === '') return 'san';
  const v = entry.value.trim().toLowerCase();
  if (v === 'san' || v === 'cn') return v;
  throw new ConfigError(`Invalid value '${entry.value.trim()}' for ${key}${where(entry)}: san or cn is expected`);
}

/** A configured file path, or undefined when the key is unset or empty. */
export function filePath(entry: IniEntry | undefined): string | undefined {
  const v = entry?.value.trim();
  return v ? v : undefined;
}

/**
 * Reads a PEM file named by `key`. Throws ConfigError naming the key and the
 * file when it cannot be read or holds no PEM block.
 */
export function readPem(key: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`Cannot read ${key} '${path}': ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`${key} '${path}' holds no PEM data`);
  return text;
}

/** The part of Node's peer certificate object this module reads. */
export type CertificateSubject = { subject?: { CN?: string | string[] } | null; subjectaltname?: string };

/**
 * The node names a client certificate vouches for: its DNS subject
 * alternative names (`san`), or its subject common name (`cn`). Empty when it
 * has none.
 */
export function certificateNames(cert: CertificateSubject, source: NodeIdentitySource): string[] {
  if (source === 'cn') {
    const cn = cert.subject?.CN;
    return cn === undefined ? [] : Array.isArray(cn) ? cn : [cn];
  }
  return (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
}
