/**
 * TLS for a test cluster: a PKI made by scripts/make-test-certs.sh on the host
 * (as a user would), installed in the containers under /etc/bluechi/tls, and
 * the configuration lines that turn TLS with client certificates on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster } from './cluster.js';

export const TLS_DIR = '/etc/bluechi/tls';

/** scripts/make-test-certs.sh of this checkout, found upwards from this file (which may be bundled elsewhere, e.g. dist/). */
function script(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const path = join(dir, 'scripts', 'make-test-certs.sh');
    if (existsSync(path)) return path;
    if (dirname(dir) === dir) throw new Error('scripts/make-test-certs.sh not found above ' + fileURLToPath(import.meta.url));
  }
}

/** A new PKI in a temporary directory: a CA, `controller`'s certificate and one per node. */
export function makePki(controller: string, nodes: readonly string[], prefix = 'bc-pki-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync(script(), [dir, controller, ...nodes]);
  return dir;
}

/** The controller's TLS keys, with client certificates required. */
export function controllerTlsConf(controller = 'main'): string {
  return `TLSCertificateFile=${TLS_DIR}/${controller}.pem\nTLSPrivateKeyFile=${TLS_DIR}/${controller}.key\nTLSCAFile=${TLS_DIR}/ca.pem`;
}

/** An agent's TLS keys: the CA, its own certificate and key, and the name the controller's certificate carries. */
export function agentTlsConf(name: string, controller = 'main'): string {
  return `TLSCAFile=${TLS_DIR}/ca.pem\nTLSCertificateFile=${TLS_DIR}/${name}.pem\nTLSPrivateKeyFile=${TLS_DIR}/${name}.key\nTLSServerName=${controller}`;
}

/** Copies the CA, the controller's and each agent container's own certificate and key into place (keys 0600). */
export async function installPki(cluster: Cluster, pki: string, controller = 'main'): Promise<void> {
  const file = (name: string) => readFileSync(join(pki, name));
  const main = cluster.main;
  await main.writeFile(`${TLS_DIR}/ca.pem`, file('ca.pem'));
  await main.writeFile(`${TLS_DIR}/${controller}.pem`, file(`${controller}.pem`));
  await main.writeFile(`${TLS_DIR}/${controller}.key`, file(`${controller}.key`), 0o600);
  for (const [name, node] of cluster.agents) {
    await node.writeFile(`${TLS_DIR}/ca.pem`, file('ca.pem'));
    await node.writeFile(`${TLS_DIR}/${name}.pem`, file(`${name}.pem`));
    await node.writeFile(`${TLS_DIR}/${name}.key`, file(`${name}.key`), 0o600);
  }
}
