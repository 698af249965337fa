import { describe, expect, it } from 'vitest';
import { nodeInfo } from '../fake-client.js';
import { formatNodeLine, formatNodeTable, nodeRow, NODE_TABLE_RULE } from './node-table.js';

// Copied from the upstream transcripts (bluechictl status | cat -A), trailing blanks included.
const HEADER = 'NODE                          | STATE     | IP                      | LAST SEEN                   \n';
const RULE = '==========================================================================================\n';

describe('node status table', () => {
  it('reproduces upstream `bluechictl status` with three online nodes', () => {
    const rows = [
      { name: 'main', state: 'online', ip: '', lastSeen: 'now' },
      { name: 'worker1', state: 'online', ip: '::ffff:127.0.0.1', lastSeen: 'now' },
      { name: 'worker2', state: 'online', ip: '::ffff:127.0.0.1', lastSeen: 'now' },
    ];
    expect(formatNodeTable(rows)).toBe(
      HEADER +
        RULE +
        'main                          | online    |                         | now                         \n' +
        'worker1                       | online    | ::ffff:127.0.0.1        | now                         \n' +
        'worker2                       | online    | ::ffff:127.0.0.1        | now                         \n',
    );
  });

  it('reproduces upstream `bluechictl status worker2` for an offline node', () => {
    const node = nodeInfo('worker2', 'offline', { lastSeen: Date.UTC(2026, 10, 22, 2, 59, 50, 616) });
    expect(formatNodeTable([nodeRow(node, () => 0)])).toBe(
      HEADER + RULE + 'worker2                       | offline   |                         | 2026-11-22 02:59:50,616+0000\n',
    );
  });

  it('prints only the header and rule when there are no nodes', () => {
    expect(formatNodeTable([])).toBe(HEADER + RULE);
  });

  it('has a rule of exactly 90 `=`', () => {
    expect(NODE_TABLE_RULE).toBe('='.repeat(90));
  });

  it.each([
    { name: 'node name', cells: ['n'.repeat(40), 'online', '', 'now'] as const, expected: `${'n'.repeat(30)}| online    |${' '.repeat(25)}| now${' '.repeat(25)}\n` },
    {
      name: 'IP',
      cells: ['a', 'online', '1234:5678:9abc:def0:1234:5678:9abc:def0', 'now'] as const,
      expected: `a${' '.repeat(29)}| online    | 1234:5678:9abc:def0:1234| now${' '.repeat(25)}\n`,
    },
  ])('truncates an over-long $name to its column width', ({ cells, expected }) => {
    expect(formatNodeLine(cells)).toBe(expected);
  });

  it('shows never for an offline node that never connected', () => {
    expect(nodeRow(nodeInfo('w', 'offline'), () => 0)).toEqual({ name: 'w', state: 'offline', ip: '', lastSeen: 'never' });
  });
});
