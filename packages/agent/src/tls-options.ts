/**
 * The TLS options the agent dials a `wss:` controller address with, read from
 * the configured files at each try.
 */
import type { ConnectionOptions } from 'node:tls';
import { NODE_NAME_HEADER, readNodeToken, readPem } from '@bluechi-ts/protocol';
import type { AgentTlsConfig } from './config.js';

/** CA, client certificate and key (when configured), server name and minimum version; throws ConfigError for an unreadable file. */
export function agentTlsOptions(tls: AgentTlsConfig): ConnectionOptions {
  return {
    ca: readPem('TLSCAFile', tls.caFile),
    ...(tls.certificateFile !== undefined && { cert: readPem('TLSCertificateFile', tls.certificateFile) }),
    ...(tls.privateKeyFile !== undefined && { key: readPem('TLSPrivateKeyFile', tls.privateKeyFile) }),
    ...(tls.serverName !== undefined && { servername: tls.serverName }),
    minVersion: tls.minVersion,
  };
}

/**
 * A hint to add to a failed connection's error when the two ends probably
 * disagree about TLS, or '' when the error says nothing of that.
 */
export function tlsMismatchHint(url: string, err: NodeJS.ErrnoException): string {
  const message = err.message ?? '';
  if (url.startsWith('wss:') && /wrong version number|packet length too long|unknown protocol|EPROTO|before secure TLS connection was established/i.test(`${err.code ?? ''} ${message}`)) {
    return ' (the controller does not speak TLS on this port: remove TLSCAFile= here, or configure TLS on the controller)';
  }
  if (url.startsWith('wss:') && /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i.test(`${err.code ?? ''} ${message}`)) {
    return " (set TLSServerName= to a name the controller's certificate carries)";
  }
  if (url.startsWith('ws:') && /socket hang up|ECONNRESET|Parse Error/i.test(`${err.code ?? ''} ${message}`)) {
    return ' (if the controller requires TLS, set TLSCAFile= in this agent\'s configuration)';
  }
  return '';
}

/** The upgrade headers that carry this node's token: its name and `Authorization: Bearer TOKEN`, the token read from its file now. */
export function tokenHeaders(nodeName: string, tokenFile: string): Record<string, string> {
  return { [NODE_NAME_HEADER]: nodeName, Authorization: `Bearer ${readNodeToken('NodeTokenFile', tokenFile)}` };
}
