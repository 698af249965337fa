/**
 * The LAST SEEN column of `bluechictl status`: `now` for an online node, `never`
 * for a node that was never seen, otherwise a local timestamp in BlueChi's log
 * format `YYYY-MM-DD HH:MM:SS,mmm+hhmm`.
 */
import type { NodeInfo } from '@bluechi-ts/protocol';

/** The local UTC offset in minutes (east positive) at the given instant. */
export function localOffsetMinutes(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * Formats `ms` (milliseconds since the epoch) as wall-clock time at UTC offset
 * `offsetMinutes`, e.g. `2023-10-06 08:38:20,000+0200`.
 */
export function formatTimestamp(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const date = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const millis = String(d.getUTCMilliseconds()).padStart(3, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${date} ${time},${millis}${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

export function formatLastSeen(
  node: Pick<NodeInfo, 'status' | 'lastSeen'>,
  offsetMinutes: (ms: number) => number = localOffsetMinutes,
): string {
  if (node.status === 'online') return 'now';
  if (node.lastSeen === 0) return 'never';
  return formatTimestamp(node.lastSeen, offsetMinutes(node.lastSeen));
}
