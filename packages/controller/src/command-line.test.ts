import { describe, expect, it } from 'vitest';
import { parseControllerCommandLine as parse } from './command-line.js';

describe("bluechi-controller's command line", () => {
  it('runs with nothing given', () => {
    expect(parse([])).toEqual({ action: 'run' });
  });

  it.each([
    [['-p', '842'], { port: '842' }],
    [['--port', '842'], { port: '842' }],
    [['--port=842'], { port: '842' }],
    [['-p842'], { port: '842' }],
    [['-c', '/etc/x.conf'], { configFile: '/etc/x.conf' }],
    [['--config=/etc/x.conf', '-p', '1'], { configFile: '/etc/x.conf', port: '1' }],
    [['-cmine.conf'], { configFile: 'mine.conf' }],
    [['--port', '1', '--port', '2'], { port: '2' }],
    [['--port', '0842'], { port: '0842' }],
  ])('takes the port and the configuration file: %j', (argv, expected) => {
    expect(parse(argv)).toEqual({ action: 'run', ...expected });
  });

  it.each([[['-h']], [['--help']], [['-h', '-p', '1']], [['-hv']], [['--help', 'stray']]])('asks for the usage: %j', (argv) => {
    expect(parse(argv)).toEqual({ action: 'help' });
  });

  it.each([[['-v']], [['--version']], [['--version', '-p', '1']]])('asks for the version: %j', (argv) => {
    expect(parse(argv)).toEqual({ action: 'version' });
  });

  it.each([
    [['--bogus'], "unrecognized option '--bogus'"],
    [['--bogus=1'], "unrecognized option '--bogus=1'"],
    [['-x'], "unrecognized option '-x'"],
    [['--no-help'], "unrecognized option '--no-help'"],
    [['--help', '--bogus'], "unrecognized option '--bogus'"],
    [['--user'], "unrecognized option '--user'"],
    [['stray'], "unexpected argument 'stray'"],
    [['-p', '1', 'stray', 'more'], "unexpected argument 'stray'"],
    [['--', '--bogus'], "unexpected argument '--bogus'"],
    [['--port'], "option '--port' requires an argument"],
    [['-p'], "option '-p' requires an argument"],
    [['--config'], "option '--config' requires an argument"],
  ])('refuses %j in one line', (argv, message) => {
    expect(parse(argv)).toEqual({ action: 'refuse', message });
  });
});
