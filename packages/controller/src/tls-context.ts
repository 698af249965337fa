/**
 * The TLS material of the agent listener, read from the configured files each
 * time it is needed: at start, and again on SIGHUP.
 */
import type { SecureContextOptions } from 'node:tls';
import { readPem } from '@bluechi-ts/protocol';
import type { ControllerTlsConfig } from './config.js';

/** Certificate chain, key, client CA and minimum version; throws ConfigError naming a file that cannot be read. */
export function tlsContext(tls: ControllerTlsConfig): SecureContextOptions {
  return {
    cert: readPem('TLSCertificateFile', tls.certificateFile),
    key: readPem('TLSPrivateKeyFile', tls.privateKeyFile),
    ...(tls.caFile !== undefined && { ca: readPem('TLSCAFile', tls.caFile) }),
    minVersion: tls.minVersion,
  };
}
