import { describe, expect, it } from 'vitest';
import { formatLastSeen, formatTimestamp, localOffsetMinutes } from './last-seen.js';

// 2026-11-22 02:59:50.616 UTC, the offline time in the upstream transcript.
const SEEN = Date.UTC(2026, 10, 22, 2, 59, 50, 616);

describe('last seen column', () => {
  it.each([
    { name: 'online node shows now', node: { status: 'online', lastSeen: SEEN }, expected: 'now' },
    { name: 'online node never seen still shows now', node: { status: 'online', lastSeen: 0 }, expected: 'now' },
    { name: 'offline node never seen shows never', node: { status: 'offline', lastSeen: 0 }, expected: 'never' },
    {
      name: 'offline node shows the upstream timestamp format',
      node: { status: 'offline', lastSeen: SEEN },
      expected: '2026-11-22 02:59:50,616+0000',
    },
  ] as const)('$name', ({ node, expected }) => {
    expect(formatLastSeen(node, () => 0)).toBe(expected);
  });
});

describe('local timestamp format YYYY-MM-DD HH:MM:SS,mmm+hhmm', () => {
  it.each([
    { offset: 0, expected: '2026-11-22 02:59:50,616+0000' },
    { offset: 120, expected: '2026-11-22 04:59:50,616+0200' },
    { offset: 330, expected: '2026-11-22 08:29:50,616+0530' },
    { offset: -300, expected: '2026-11-21 21:59:50,616-0500' },
    { offset: -570, expected: '2026-11-21 17:29:50,616-0930' },
  ])('offset $offset min -> $expected', ({ offset, expected }) => {
    expect(formatTimestamp(SEEN, offset)).toBe(expected);
  });

  it('pads milliseconds to three digits', () => {
    expect(formatTimestamp(Date.UTC(2023, 9, 6, 6, 38, 20, 5), 120)).toBe('2023-10-06 08:38:20,005+0200');
  });

  it('uses the local time zone by default', () => {
    expect(localOffsetMinutes(SEEN)).toBe(-new Date(SEEN).getTimezoneOffset());
    expect(formatLastSeen({ status: 'offline', lastSeen: SEEN })).toBe(formatTimestamp(SEEN, localOffsetMinutes(SEEN)));
  });
});
