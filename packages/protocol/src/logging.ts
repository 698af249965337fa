/**
 * Daemon logging: pino underneath, rendered for the configured LogTarget.
 *   journald     one line per entry with a `<N>` syslog priority prefix, which
 *                journald turns into the entry's priority (the daemons run under
 *                systemd with stdout/stderr connected to the journal)
 *   stderr       `<ISO time> <LEVEL>\t: <message> key=value ...`
 *   stderr-full  pino's JSON line, every field kept
 * Imported through `@bluechi-ts/protocol/logging` so the CLI never loads pino.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel, LogTarget } from './config/values.js';

export type { Logger } from 'pino';

const PINO_LEVEL: Record<LogLevel, pino.Level> = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
const SYSLOG_PRIORITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };
const LEVEL_NAME: Record<number, string> = { 10: 'DEBUG', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'ERROR' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

function formatFields(entry: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(entry)) {
    if (OMIT.has(k) || v === undefined) continue;
    if (k === 'err' && v && typeof v === 'object') {
      parts.push(`err=${JSON.stringify((v as { message?: string }).message ?? v)}`);
      continue;
    }
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.length ? ` (${parts.join(' ')})` : '';
}

export function renderLine(target: LogTarget, line: string): string {
  if (target === 'stderr-full') return line.endsWith('\n') ? line : `${line}\n`;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = Number(entry.level);
  const msg = String(entry.msg ?? '');
  const fields = formatFields(entry);
  if (target === 'journald') return `<${SYSLOG_PRIORITY[level] ?? 6}>${msg}${fields}\n`;
  const time = new Date(Number(entry.time)).toISOString();
  return `${time} ${LEVEL_NAME[level] ?? 'INFO'}\t: ${msg}${fields}\n`;
}

export type LoggerOptions = {
  name: string;
  level: LogLevel;
  target: LogTarget;
  quiet: boolean;
  /** Where rendered lines go; stderr by default. */
  write?: (line: string) => void;
};

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  const destination: DestinationStream = { write: (line: string) => write(renderLine(opts.target, line)) };
  return pino(
    {
      name: opts.name,
      level: opts.quiet ? 'silent' : PINO_LEVEL[opts.level],
      base: undefined,
      formatters: { bindings: () => ({}) },
    },
    destination,
  );
}

export function setLogLevel(logger: Logger, level: LogLevel): void {
  logger.level = PINO_LEVEL[level];
}
