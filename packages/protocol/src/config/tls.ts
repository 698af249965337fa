/**
 * TLS on the agent link (bluechi-ts keys; upstream has no TLS of its own):
 * the shared parsing of the TLS keys and the identity a certificate gives.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
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

/** The SHA-256 of a node token, in lower-case hex: what the controller stores (`TokenSHA256=`). */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `token` hashes to `expectedHex`, compared in constant time. */
export function tokenMatches(token: string, expectedHex: string): boolean {
  const got = Buffer.from(tokenSha256(token), 'hex');
  const want = Buffer.from(expectedHex, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A `TokenSHA256=` value: 64 hex digits, returned in lower case; ConfigError otherwise. */
export function parseTokenSha256(key: string, entry: IniEntry): string {
  const v = entry.value.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(v)) throw new ConfigError(`Invalid value for ${key}${where(entry)}: the SHA-256 of the node's token in hex (64 digits) is expected`);
  return v.toLowerCase();
}

/**
 * Reads a node token file: it must be readable by its owner only (mode 0600
 * or stricter), and hold the token (surrounding white space is dropped).
 * Throws ConfigError naming the file and what is wrong.
 */
export function readNodeToken(key: string, path: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`Cannot read ${key} '${path}': ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${key} '${path}' may be read by others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): make it readable by root only (chmod 600)`);
  }
  const token = text.trim();
  if (token.length < 16) throw new ConfigError(`${key} '${path}' holds no token of at least 16 characters`);
  return token;
}
