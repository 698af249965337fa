import { describe, expect, it } from 'vitest';
import { parseAgentCommandLine as parse } from './command-line.js';

describe("bluechi-agent's command line", () => {
  it('runs with nothing given', () => {
    expect(parse([])).toEqual({ action: 'run', overrides: {} });
  });

  it('takes every override in its long and short form', () => {
    expect(parse(['--host', 'h', '--port=842', '--address', 'unix:path=/run/x.sock', '--name', 'worker1', '--interval=500', '--config', 'a.conf'])).toEqual({
      action: 'run',
      overrides: { host: 'h', port: '842', address: 'unix:path=/run/x.sock', name: 'worker1', interval: '500', configFile: 'a.conf' },
    });
    expect(parse(['-H', 'h', '-p', '842', '-a', 'tcp:host=10.0.0.1,port=842', '-n', 'worker1', '-i', '500', '-c', 'a.conf'])).toEqual({
      action: 'run',
      overrides: { host: 'h', port: '842', address: 'tcp:host=10.0.0.1,port=842', name: 'worker1', interval: '500', configFile: 'a.conf' },
    });
  });

  it('takes values glued to the short options, and keeps the last of a repeat', () => {
    expect(parse(['-Hcontroller.example', '-nworker1', '-i500', '-n', 'worker2'])).toEqual({
      action: 'run',
      overrides: { host: 'controller.example', name: 'worker2', interval: '500' },
    });
  });

  it.each([[['-h']], [['--help']], [['-h', '--user']], [['--help', 'stray']]])('asks for the usage: %j', (argv) => {
    expect(parse(argv)).toEqual({ action: 'help' });
  });

  it.each([[['-v']], [['--version']], [['-v', '--user']]])('asks for the version: %j', (argv) => {
    expect(parse(argv)).toEqual({ action: 'version' });
  });

  it.each([[['--user']], [['-u']], [['-u', '-n', 'worker1']]])('recognises the user-session mode it refuses: %j', (argv) => {
    expect(parse(argv)).toEqual({ action: 'user' });
  });

  it.each([
    [['--bogus'], "unrecognized option '--bogus'"],
    [['-x'], "unrecognized option '-x'"],
    [['--user', '--bogus'], "unrecognized option '--bogus'"],
    [['worker1'], "unexpected argument 'worker1'"],
    [['-n', 'worker1', 'stray'], "unexpected argument 'stray'"],
    [['--name'], "option '--name' requires an argument"],
    [['-H'], "option '-H' requires an argument"],
  ])('refuses %j in one line', (argv, message) => {
    expect(parse(argv)).toEqual({ action: 'refuse', message });
  });
});
