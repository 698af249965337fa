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

/** Unknown values are ignored (the default is kept), as upstream does. */
export function parseLogLevel(value: string, fallback: LogLevel): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : fallback;
}

export function parseLogTarget(value: string, fallback: LogTarget): LogTarget {
  return (LOG_TARGETS as readonly string[]).includes(value) ? (value as LogTarget) : fallback;
}

/**
 * The warning for a value that a lenient key (LogLevel, LogTarget) ignores,
 * or undefined when `entry` is missing or its value is one of `known`. The
 * daemons still start, as upstream's do; they log this line once the logger
 * exists, so a typo does not go unnoticed.
 */
export function ignoredValueWarning(key: string, entry: IniEntry | undefined, known: readonly string[], fallback: string): string | undefined {
  if (!entry || known.includes(entry.value)) return undefined;
  // Entries from the environment have no line.
  const where = entry.line > 0 ? `'${entry.file}' line ${entry.line}` : entry.file;
  return `Ignoring ${key}=${entry.value} (${where}): not one of ${known.join(', ')}; using ${fallback}`;
}

/** Exactly DEBUG, INFO, WARN or ERROR, case-sensitive, as upstream's SetLogLevel accepts. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
