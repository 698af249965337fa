/** Value parsers with upstream's leniency rules and error wording. */
import { ConfigError, type IniEntry } from './ini.js';

/** true iff (case-insensitive) true, t, yes, y or on; anything else is false. */
export function parseBool(value: string): boolean {
  return ['true', 't', 'yes', 'y', 'on'].includes(value.trim().toLowerCase());
}

export function parsePort(value: string, where?: IniEntry): number {
  const v = value.trim();
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
    throw new ConfigError(`Invalid port format '${value}'${where ? ` in '${where.file}' on line ${where.line}` : ''}`);
  }
  return Number(v);
}

/** A non-negative integer (milliseconds, seconds or a count, as the key says). */
export function parseUInt(key: string, value: string, where?: IniEntry, max = 2 ** 31 - 1): number {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) > max) {
    throw new ConfigError(
      `Invalid value '${value}' for ${key}: expected a whole number from 0 to ${max}${where ? ` ('${where.file}' line ${where.line})` : ''}`,
    );
  }
  return Number(v);
}

export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_TARGETS = ['journald', 'stderr', 'stderr-full'] as const;
export type LogTarget = (typeof LOG_TARGETS)[number];

/**
 * A lenient key's value: one of `known`, or else `fallback` and a warning.
 * Upstream ignores an unknown value silently and the daemons still start;
 * ours log the warning once their logger exists, so a typo does not go
 * unnoticed.
 */
function lenient<T extends string>(key: string, entry: IniEntry | undefined, known: readonly T[], fallback: T): { value: T; warning?: string } {
  if (!entry) return { value: fallback };
  if ((known as readonly string[]).includes(entry.value)) return { value: entry.value as T };
  // Entries from the environment have no line.
  const where = entry.line > 0 ? `'${entry.file}' line ${entry.line}` : entry.file;
  return { value: fallback, warning: `Ignoring ${key}=${entry.value} (${where}): not one of ${known.join(', ')}; using ${fallback}` };
}

/**
 * LogLevel= and LogTarget= of a daemon's section: their values, or the
 * defaults for values that are not known, with one warning for each.
 */
export function logSettings(
  get: (key: 'LogLevel' | 'LogTarget') => IniEntry | undefined,
  defaults: { logLevel: LogLevel; logTarget: LogTarget },
): { logLevel: LogLevel; logTarget: LogTarget; warnings: string[] } {
  const level = lenient('LogLevel', get('LogLevel'), LOG_LEVELS, defaults.logLevel);
  const target = lenient('LogTarget', get('LogTarget'), LOG_TARGETS, defaults.logTarget);
  return { logLevel: level.value, logTarget: target.value, warnings: [level.warning, target.warning].filter((w): w is string => w !== undefined) };
}

/** Upstream keys of both daemons' main sections that are accepted and have no effect. */
export const IGNORED_UPSTREAM_KEYS = ['IPReceiveErrors', 'TCPKeepAliveTime', 'TCPKeepAliveInterval', 'TCPKeepAliveCount'] as const;

/** Exactly DEBUG, INFO, WARN or ERROR, case-sensitive, as upstream's SetLogLevel accepts. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
