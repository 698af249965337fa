import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIni } from '@bluechi-ts/protocol';
import { buildAgentConfig } from './config.js';
import { tlsMismatchHint } from './tls-options.js';

const build = (text: string) => buildAgentConfig(parseIni(`[bluechi-agent]\nNodeName=worker1\n${text}`, 'agent.conf'), ['agent.conf']);
const dir = mkdtempSync(join(tmpdir(), 'bc-atls-'));
const pem = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, '-----BEGIN X-----\nAA\n-----END X-----\n');
  return path;
};

describe('agent TLS keys', () => {
  it('dials ws:// without TLSCAFile and wss:// with it; a Unix socket never uses TLS', () => {
    expect(build('ControllerHost=10.0.0.1\n').controllerUrl).toBe('ws://10.0.0.1:842/');
    const ca = pem('ca.pem');
    const c = build(`ControllerHost=10.0.0.1\nTLSCAFile=${ca}\nTLSServerName=controller.example\n`);
    expect(c.controllerUrl).toBe('wss://10.0.0.1:842/');
    expect(c.tls).toEqual({ caFile: ca, certificateFile: undefined, privateKeyFile: undefined, serverName: 'controller.example', minVersion: 'TLSv1.3' });
    expect(build(`ControllerAddress=tcp:host=10.0.0.2,port=900\nTLSCAFile=${ca}\n`).controllerUrl).toBe('wss://10.0.0.2:900/');
    expect(build(`ControllerAddress=unix:path=/run/bluechi/bluechi.sock\nTLSCAFile=${ca}\n`).controllerUrl).toBe('ws+unix:/run/bluechi/bluechi.sock:/');
  });

  it('refuses a client certificate without its key or without a CA, and unreadable files', () => {
    const [ca, cert] = [pem('ca2.pem'), pem('c.pem')];
    expect(() => build(`TLSCertificateFile=${cert}\nTLSPrivateKeyFile=${cert}\n`)).toThrow('but TLSCAFile is not');
    expect(() => build(`TLSCAFile=${ca}\nTLSCertificateFile=${cert}\n`)).toThrow('needs both TLSCertificateFile and TLSPrivateKeyFile; only TLSCertificateFile is set');
    expect(() => build(`TLSCAFile=${join(dir, 'gone.pem')}\n`)).toThrow(`Cannot read TLSCAFile '${join(dir, 'gone.pem')}': no such file`);
  });
});

describe('tlsMismatchHint', () => {
  it('names the likely TLS mismatch, and nothing for other errors', () => {
    expect(tlsMismatchHint('ws://h:842/', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toContain('set TLSCAFile=');
    expect(tlsMismatchHint('wss://h:842/', new Error('Client network socket disconnected before secure TLS connection was established'))).toContain(
      'does not speak TLS on this port',
    );
    expect(
      tlsMismatchHint('wss://10.0.0.1:842/', Object.assign(new Error("Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: "), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })),
    ).toContain('set TLSServerName=');
    expect(tlsMismatchHint('ws://h:842/', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('');
  });
});

describe('ignored values', () => {
  it('keeps the defaults for an unknown LogLevel or LogTarget and says so, with file and line', () => {
    const c = build('LogLevel=LOUD\nLogTarget=syslog\n');
    expect([c.logLevel, c.logTarget]).toEqual(['INFO', 'journald']);
    expect(c.warnings).toEqual([
      "Ignoring LogLevel=LOUD ('agent.conf' line 3): not one of DEBUG, INFO, WARN, ERROR; using INFO",
      "Ignoring LogTarget=syslog ('agent.conf' line 4): not one of journald, stderr, stderr-full; using journald",
    ]);
    expect(build('LogLevel=DEBUG\n').warnings).toEqual([]);
  });
});

describe('unknown keys and sections', () => {
  it('are ignored, as upstream does, with one warning each; upstream keys without effect raise none', () => {
    const c = build('LogLevl=DEBUG\nIPReceiveErrors=true\nTCPKeepAliveTime=5\n[bluechi-agnet]\nNodeName=x\n');
    expect(c.logLevel).toBe('INFO');
    expect(c.warnings).toEqual([
      "Ignoring the unknown key LogLevl= in [bluechi-agent] ('agent.conf' line 3)",
      "Ignoring the unknown section [bluechi-agnet] ('agent.conf' line 7 and on)",
    ]);
  });
});
