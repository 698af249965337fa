/**
 * systemd unit-name rules, and the names BlueChi derives from them.
 * Pure functions: no I/O, no logging.
 */
import { BluechiError, ErrorCodes } from './errors.js';

export const UNIT_NAME_MAX = 255;

export const UNIT_TYPES = [
  'service',
  'socket',
  'device',
  'mount',
  'automount',
  'swap',
  'target',
  'path',
  'timer',
  'slice',
  'scope',
] as const;

const NAME_CHAR = /^[A-Za-z0-9:_.\\-]+$/;
const INSTANCE_CHAR = /^[A-Za-z0-9:_.\\@-]*$/;

/** True when `name` is a full systemd unit name such as `foo.service` or `a@b.service`. */
export function isValidUnitName(name: string): boolean {
  if (name.length === 0 || name.length > UNIT_NAME_MAX) return false;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  const type = name.slice(dot + 1);
  if (!(UNIT_TYPES as readonly string[]).includes(type)) return false;
  const stem = name.slice(0, dot);
  const at = stem.indexOf('@');
  if (at === -1) return NAME_CHAR.test(stem);
  const prefix = stem.slice(0, at);
  const instance = stem.slice(at + 1);
  // A template (`foo@.service`) is a valid unit *file* name but not a unit that can run.
  return prefix.length > 0 && NAME_CHAR.test(prefix) && INSTANCE_CHAR.test(instance);
}

/** The message systemd itself gives for an invalid name, so users see one wording. */
export function invalidUnitNameMessage(name: string): string {
  return `Unit name ${name} is not valid.`;
}

/** Throws INVALID_UNIT_NAME, worded like systemd, unless `name` is a valid unit name. */
export function assertUnitName(name: string): void {
  if (!isValidUnitName(name)) throw new BluechiError(ErrorCodes.INVALID_UNIT_NAME, invalidUnitNameMessage(name));
}

/**
 * Escapes a node name into the last element of its D-Bus object path, the way
 * BlueChi does: ASCII letters stay, digits stay unless leading, every other byte
 * becomes `_xx` (lowercase hex). The empty name becomes `_`.
 */
export function escapeObjectPathElement(name: string): string {
  if (name.length === 0) return '_';
  let out = '';
  const bytes = Buffer.from(name, 'utf8');
  bytes.forEach((b, i) => {
    const isLetter = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
    const isDigit = b >= 0x30 && b <= 0x39;
    if (isLetter || (isDigit && i > 0)) out += String.fromCharCode(b);
    else out += `_${b.toString(16).padStart(2, '0')}`;
  });
  return out;
}

export function nodeObjectPath(name: string): string {
  return `/org/eclipse/bluechi/node/${escapeObjectPathElement(name)}`;
}

/** Node names: what an agent may register as. Proxies split on `_`, so it is excluded. */
export const NODE_NAME_MAX = 255;
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9.:-]*$/;

export function isValidNodeName(name: string): boolean {
  return name.length > 0 && name.length <= NODE_NAME_MAX && NODE_NAME.test(name);
}

export type ProxyTarget = { node: string; unit: string };

export type ProxyParse = { ok: true; target: ProxyTarget } | { ok: false; reason: string };

/**
 * Splits a proxy argument `NODE_UNIT.service` (the instance of
 * `bluechi-proxy@NODE_UNIT.service` plus `.service`) at the first underscore.
 * The unit part may itself contain underscores.
 */
export function parseProxyInstance(arg: string): ProxyParse {
  const underscore = arg.indexOf('_');
  if (underscore === -1) return { ok: false, reason: `No underscore in unit name '${arg}'` };
  const node = arg.slice(0, underscore);
  const unit = arg.slice(underscore + 1);
  if (node.length === 0) return { ok: false, reason: `No node specified in unit name '${arg}'` };
  if (unit.length === 0 || unit === '.service') {
    return { ok: false, reason: `No service specified in unit name '${arg}'` };
  }
  if (!isValidNodeName(node)) return { ok: false, reason: `Invalid node name '${node}' in unit name '${arg}'` };
  if (!isValidUnitName(unit)) return { ok: false, reason: `Invalid unit name '${unit}' in unit name '${arg}'` };
  return { ok: true, target: { node, unit } };
}

export function proxyUnitName(target: ProxyTarget): string {
  return `bluechi-proxy@${target.node}_${target.unit.replace(/\.service$/, '')}.service`;
}

export function depUnitName(unit: string): string {
  return `bluechi-dep@${unit.replace(/\.service$/, '')}.service`;
}

/** A controller job's D-Bus object path (reference §2.3); ids count from 1. */
export function jobObjectPath(id: number): string {
  return `/org/eclipse/bluechi/job/${id}`;
}

/** A monitor's D-Bus object path (reference §2.4); ids count from 1. */
export function monitorObjectPath(id: number): string {
  return `/org/eclipse/bluechi/monitor/${id}`;
}
