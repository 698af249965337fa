/**
 * Controller addresses. Upstream configs use sd-bus address strings
 * (`tcp:host=10.0.0.1,port=842`, `unix:path=/run/bluechi/bluechi.sock`); we
 * accept those unchanged, plus plain `ws://` URLs, and turn them into the
 * WebSocket URL the agent dials. `formatControllerAddress` gives the sd-bus
 * form back, as the agent's ControllerAddress property shows it.
 */
import { ConfigError, parsePort } from '@bluechi-ts/protocol';

export type ControllerAddress =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'url'; url: string };

function keyValues(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

/** Parses an address; throws ConfigError, naming the address, for one the agent could not dial. */
export function parseControllerAddress(address: string): ControllerAddress {
  const addr = parseParts(address);
  const url = controllerUrl(addr);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  const dialable = parsed && (parsed.protocol === 'ws+unix:' ? parsed.pathname !== '' : parsed.host !== '');
  if (!dialable) throw new ConfigError(`Invalid ControllerAddress '${address}': '${url}' is not a usable WebSocket address`);
  return addr;
}

function parseParts(address: string): ControllerAddress {
  const a = address.trim();
  if (/^wss?:\/\//.test(a) || a.startsWith('ws+unix:')) return { kind: 'url', url: a };
  const colon = a.indexOf(':');
  const transport = colon === -1 ? '' : a.slice(0, colon);
  let kv: Map<string, string>;
  try {
    kv = keyValues(a.slice(colon + 1));
  } catch {
    throw new ConfigError(`Invalid ControllerAddress '${address}': malformed %-escape`);
  }
  if (transport === 'tcp') {
    const host = kv.get('host');
    const port = kv.get('port');
    if (!host || !port) throw new ConfigError(`Invalid ControllerAddress '${address}': tcp addresses need host= and port=`);
    return { kind: 'tcp', host, port: parsePort(port) };
  }
  if (transport === 'unix') {
    const path = kv.get('path');
    if (!path) throw new ConfigError(`Invalid ControllerAddress '${address}': unix addresses need path=`);
    return { kind: 'unix', path };
  }
  throw new ConfigError(`Invalid ControllerAddress '${address}': expected tcp:host=H,port=P, unix:path=P or a ws:// URL`);
}

/** The URL to dial; a TCP address becomes `wss://` when `secure` (TLS configured), a Unix socket never does. */
export function controllerUrl(addr: ControllerAddress, secure = false): string {
  switch (addr.kind) {
    case 'url':
      return addr.url;
    case 'unix':
      return `ws+unix:${addr.path}:/`;
    case 'tcp': {
      const host = addr.host.includes(':') && !addr.host.startsWith('[') ? `[${addr.host}]` : addr.host;
      return `${secure ? 'wss' : 'ws'}://${host}:${addr.port}/`;
    }
  }
}

/** The sd-bus form (`tcp:host=H,port=P`, `unix:path=P`); a ws:// URL stays as it is. */
export function formatControllerAddress(addr: ControllerAddress): string {
  switch (addr.kind) {
    case 'url':
      return addr.url;
    case 'unix':
      return `unix:path=${addr.path}`;
    case 'tcp':
      return `tcp:host=${addr.host},port=${addr.port}`;
  }
}
