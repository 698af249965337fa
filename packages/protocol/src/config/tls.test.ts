import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateNames, parseNodeIdentitySource, parseTlsVersion, readPem } from './tls.js';

const entry = (value: string) => ({ value, file: 'x.conf', line: 3 });
const dir = mkdtempSync(join(tmpdir(), 'bc-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS configuration values', () => {
  it('takes 1.3 by default and 1.2 or 1.3 in either spelling, refusing the rest with file and line', () => {
    expect(parseTlsVersion('TLSMinVersion', undefined)).toBe('TLSv1.3');
    expect(parseTlsVersion('TLSMinVersion', entry('1.2'))).toBe('TLSv1.2');
    expect(parseTlsVersion('TLSMinVersion', entry('TLSv1.3'))).toBe('TLSv1.3');
    expect(() => parseTlsVersion('TLSMinVersion', entry('1.1'))).toThrow("Invalid value '1.1' for TLSMinVersion in 'x.conf' on line 3: 1.3 or 1.2 is expected");
  });

  it('takes san by default, or cn', () => {
    expect(parseNodeIdentitySource('TLSNodeIdentity', undefined)).toBe('san');
    expect(parseNodeIdentitySource('TLSNodeIdentity', entry('CN'))).toBe('cn');
    expect(() => parseNodeIdentitySource('TLSNodeIdentity', entry('email'))).toThrow('san or cn is expected');
  });

  it('reads a PEM file, and names the key and file of one that is missing or holds no PEM', () => {
    const good = join(dir, 'good.pem');
    writeFileSync(good, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, 'not pem');
    expect(readPem('TLSCAFile', good)).toContain('BEGIN CERTIFICATE');
    expect(() => readPem('TLSCAFile', join(dir, 'none.pem'))).toThrow(`Cannot read TLSCAFile '${join(dir, 'none.pem')}': no such file`);
    expect(() => readPem('TLSCAFile', bad)).toThrow(`TLSCAFile '${bad}' holds no PEM data`);
  });
});

describe('certificateNames', () => {
  it('gives the DNS subject alternative names, or the common name', () => {
    const cert = { subject: { CN: 'cn-name' }, subjectaltname: 'DNS:worker1, IP Address:10.0.0.1, DNS:worker1.example' };
    expect(certificateNames(cert, 'san')).toEqual(['worker1', 'worker1.example']);
    expect(certificateNames(cert, 'cn')).toEqual(['cn-name']);
    expect(certificateNames({}, 'san')).toEqual([]);
    expect(certificateNames({ subject: null }, 'cn')).toEqual([]);
  });
});

describe('node tokens', () => {
  it('hashes and compares tokens, and checks TokenSHA256= values', async () => {
    const { tokenSha256, tokenMatches, parseTokenSha256 } = await import('./tls.js');
    const hash = tokenSha256('a-token-of-enough-length');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatches('a-token-of-enough-length', hash)).toBe(true);
    expect(tokenMatches('another-token-entirely', hash)).toBe(false);
    expect(parseTokenSha256('TokenSHA256', entry(hash.toUpperCase()))).toBe(hash);
    expect(() => parseTokenSha256('TokenSHA256', entry('abc'))).toThrow("Invalid value for TokenSHA256 in 'x.conf' on line 3");
  });

  it('reads a token file only when root alone may read it, and only with a token in it', async () => {
    const { chmodSync } = await import('node:fs');
    const { readNodeToken } = await import('./tls.js');
    const good = join(dir, 'token');
    writeFileSync(good, '  0123456789abcdef0123\n', { mode: 0o600 });
    chmodSync(good, 0o600);
    expect(readNodeToken('NodeTokenFile', good)).toBe('0123456789abcdef0123');
    chmodSync(good, 0o640);
    expect(() => readNodeToken('NodeTokenFile', good)).toThrow('may be read by others (mode 0640)');
    const short = join(dir, 'short');
    writeFileSync(short, 'abc', { mode: 0o600 });
    chmodSync(short, 0o600);
    expect(() => readNodeToken('NodeTokenFile', short)).toThrow('holds no token of at least 16 characters');
    expect(() => readNodeToken('NodeTokenFile', join(dir, 'nothing'))).toThrow('no such file');
  });
});
