import { describe, expect, it } from 'vitest';
import { parseMilliseconds, parseRequest } from './request.js';

const watch = (component: object, o: { waitMs?: number; monitor?: boolean; switchTimeoutMs?: number } = {}) => ({
  kind: 'watch',
  component,
  options: { waitMs: o.waitMs ?? 0, monitor: o.monitor ?? false, switchTimeoutMs: o.switchTimeoutMs ?? 0 },
});
const usage = (message: string, showHelp = false) => ({ kind: 'usage-error', message, getopt: false, showHelp });
const getopt = (message: string) => ({ kind: 'usage-error', message, getopt: true, showHelp: true });

describe('bluechi-is-online command line', () => {
  it.each([
    { argv: ['agent'], want: watch({ kind: 'agent' }) },
    { argv: ['system'], want: watch({ kind: 'system' }) },
    { argv: ['node', 'worker1'], want: watch({ kind: 'node', name: 'worker1' }) },
    { argv: ['agent', '--wait=2000'], want: watch({ kind: 'agent' }, { waitMs: 2000 }) },
    { argv: ['agent', '--wait', '2000'], want: watch({ kind: 'agent' }, { waitMs: 2000 }) },
    { argv: ['--wait=0', 'system'], want: watch({ kind: 'system' }) },
    { argv: ['node', '--monitor', 'w1'], want: watch({ kind: 'node', name: 'w1' }, { monitor: true }) },
    { argv: ['agent', '--monitor', '--switch-timeout=3000'], want: watch({ kind: 'agent' }, { monitor: true, switchTimeoutMs: 3000 }) },
    { argv: ['agent', '--wait=5000', '--monitor'], want: watch({ kind: 'agent' }, { waitMs: 5000, monitor: true }) },
    // --initial-wait=MS means --wait=MS --monitor; adding --monitor changes nothing.
    { argv: ['agent', '--initial-wait=5000'], want: watch({ kind: 'agent' }, { waitMs: 5000, monitor: true }) },
    { argv: ['agent', '--initial-wait=5000', '--monitor'], want: watch({ kind: 'agent' }, { waitMs: 5000, monitor: true }) },
    { argv: ['node', 'w1', '--initial-wait', '10'], want: watch({ kind: 'node', name: 'w1' }, { waitMs: 10, monitor: true }) },
    // getopt_long's unambiguous abbreviations, last repeat wins, `--` ends options.
    { argv: ['agent', '--mon', '--wa=7'], want: watch({ kind: 'agent' }, { waitMs: 7, monitor: true }) },
    { argv: ['agent', '--wait=1', '--wait=2'], want: watch({ kind: 'agent' }, { waitMs: 2 }) },
    { argv: ['node', '--', '-odd-name'], want: watch({ kind: 'node', name: '-odd-name' }) },
  ])('$argv', ({ argv, want }) => {
    expect(parseRequest(argv)).toEqual(want);
  });

  it.each([
    { argv: ['--help'] },
    { argv: ['-h'] },
    { argv: ['help'] },
    { argv: ['agent', '--help'] },
    { argv: ['node', '-h'] },
    { argv: ['system', '--wait=bogus', '--help'] },
  ])('$argv asks for help', ({ argv }) => {
    expect(parseRequest(argv)).toEqual({ kind: 'help' });
  });

  it('version is a command, not an option', () => {
    expect(parseRequest(['version'])).toEqual({ kind: 'version' });
    expect(parseRequest(['-v'])).toEqual(getopt("invalid option -- 'v'"));
    expect(parseRequest(['--version'])).toEqual(getopt("unrecognized option '--version'"));
  });

  it.each([
    { argv: [], want: usage('No command given', true) },
    { argv: ['bogus'], want: usage('Method bogus not found', true) },
    { argv: ['agent', '--bogus'], want: getopt("unrecognized option '--bogus'") },
    { argv: ['agent', '--wait'], want: getopt("option '--wait' requires an argument") },
    { argv: ['agent', '--monitor=yes'], want: getopt("option '--monitor' doesn't allow an argument") },
    { argv: ['node'], want: usage('Too few arguments for method node') },
    { argv: ['node', 'a', 'b'], want: usage('Too many arguments for method node') },
    { argv: ['agent', 'worker1'], want: usage('Too many arguments for method agent') },
    { argv: ['help', 'agent'], want: usage('Too many arguments for method help') },
    { argv: ['version', '--monitor'], want: usage("Unsupported option 'monitor' for method 'version'") },
    { argv: ['node', 'w1', '--switch-timeout=5'], want: usage("Unsupported option 'switch-timeout' for method 'node'") },
    { argv: ['system', '--switch-timeout=5'], want: usage("Unsupported option 'switch-timeout' for method 'system'") },
    { argv: ['agent', '--wait=abc'], want: usage("Value 'abc' of option --wait is invalid") },
    { argv: ['agent', '--wait=-1'], want: usage("Value '-1' of option --wait is invalid") },
    { argv: ['agent', '--wait='], want: usage("Value '' of option --wait is invalid") },
    { argv: ['agent', '--wait=1.5'], want: usage("Value '1.5' of option --wait is invalid") },
    { argv: ['agent', '--switch-timeout=1s'], want: usage("Value '1s' of option --switch-timeout is invalid") },
    { argv: ['system', '--initial-wait=x'], want: usage("Value 'x' of option --initial-wait is invalid") },
    { argv: ['agent', '--wait=1', '--initial-wait=2'], want: usage('Options --wait and --initial-wait cannot be used together') },
  ])('$argv is refused', ({ argv, want }) => {
    expect(parseRequest(argv)).toEqual(want);
  });

  it.each([
    ['0', 0],
    ['250', 250],
    ['007', 7],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
    [String(Number.MAX_SAFE_INTEGER + 2), undefined],
    ['1e3', undefined],
    [' 5', undefined],
    ['0x10', undefined],
  ])('milliseconds %j -> %j', (raw, ms) => {
    expect(parseMilliseconds(raw)).toBe(ms);
  });
});
