import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIni, ConfigError } from './ini.js';
import { loadLayers } from './layers.js';
import { logSettings, parseBool, parsePort } from './values.js';

describe('parseIni', () => {
  it('reads sections, keys, comments and trims whitespace', () => {
    const doc = parseIni('# comment\n[bluechi-controller]\n ; also comment\nControllerPort = 2020\n\n[node worker1]\nAllowed=true\n', 'x.conf');
    expect(doc.get('bluechi-controller')!.get('ControllerPort')!.value).toBe('2020');
    expect(doc.get('node worker1')!.get('Allowed')!.value).toBe('true');
  });
  it('concatenates indented continuation lines', () => {
    const doc = parseIni('[s]\nAllowedNodeNames=a,b,\n  c,d,\n  e\nOther=1\n', 'x.conf');
    expect(doc.get('s')!.get('AllowedNodeNames')!.value).toBe('a,b,c,d,e');
    expect(doc.get('s')!.get('Other')!.value).toBe('1');
  });
  it.each([
    ['[s]\nno equals sign\n', 2],
    ['Key=before any section\n', 1],
    ['[s]\n[broken\n', 2],
    ['[s]\n=value\n', 2],
  ])('names file and line of a syntax error in %j', (text, line) => {
    expect(() => parseIni(text, '/etc/bluechi/agent.conf')).toThrow(
      new ConfigError(`Error parsing configuration file '/etc/bluechi/agent.conf' on line ${line}`),
    );
  });
});

describe('values', () => {
  it.each([
    ['true', true],
    ['YES', true],
    ['y', true],
    ['on', true],
    ['t', true],
    ['false', false],
    ['garbage', false],
    ['1', false],
  ])('bool %s -> %s', (v, b) => expect(parseBool(v)).toBe(b));
  it.each(['542O', '65538', '-1', ''])('rejects port %j', (v) => {
    expect(() => parsePort(v)).toThrow(`Invalid port format '${v}'`);
  });
  it('accepts ports', () => expect(parsePort(' 8420 ')).toBe(8420));
  it('ignores unknown log levels', () =>
    expect(logSettings(() => ({ value: 'garbage', file: 'f.conf', line: 1 }), { logLevel: 'INFO', logTarget: 'journald' }).logLevel).toBe('INFO'));
});

describe('loadLayers', () => {
  function tree() {
    const dir = mkdtempSync(join(tmpdir(), 'bc-layers-'));
    mkdirSync(join(dir, 'c.conf.d'));
    writeFileSync(join(dir, 'defaults.conf'), '[x]\n# A=commented\n');
    return dir;
  }
  it('applies defaults, main file, sorted drop-ins, environment and -c in that order', () => {
    const dir = tree();
    writeFileSync(join(dir, 'c.conf'), '[x]\nA=main\nB=main\nC=main\nLogLevel=INFO\n');
    writeFileSync(join(dir, 'c.conf.d', '20-b.conf'), '[x]\nB=dropin20\nC=dropin20\n');
    writeFileSync(join(dir, 'c.conf.d', '10-a.conf'), '[x]\nB=dropin10\n');
    writeFileSync(join(dir, 'c.conf.d', 'ignored.txt'), 'not ini at all');
    writeFileSync(join(dir, 'cli.conf'), '[x]\nC=cli\n');
    const { doc, files } = loadLayers(
      { defaultsFile: join(dir, 'defaults.conf'), mainFile: join(dir, 'c.conf'), dropinDir: join(dir, 'c.conf.d'), cliFile: join(dir, 'cli.conf') },
      'x',
      { BC_LOG_LEVEL: 'DEBUG' },
    );
    const x = doc.get('x')!;
    expect(x.get('A')!.value).toBe('main');
    expect(x.get('B')!.value).toBe('dropin20');
    expect(x.get('C')!.value).toBe('cli');
    expect(x.get('LogLevel')!.value).toBe('DEBUG');
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['defaults.conf', 'c.conf', 'c.conf.d/10-a.conf', 'c.conf.d/20-b.conf', 'cli.conf']);
  });
  it('requires the distribution defaults file', () => {
    const dir = tree();
    expect(() => loadLayers({ defaultsFile: join(dir, 'missing.conf'), mainFile: join(dir, 'c.conf'), dropinDir: join(dir, 'c.conf.d') }, 'x', {})).toThrow(
      /Failed to read configuration file '.*missing.conf'/,
    );
  });
  it('tolerates a missing main file and drop-in directory', () => {
    const dir = tree();
    const { files } = loadLayers({ defaultsFile: join(dir, 'defaults.conf'), mainFile: join(dir, 'nope.conf'), dropinDir: join(dir, 'nope.d') }, 'x', {});
    expect(files).toHaveLength(1);
  });
  it('names the drop-in and line of a broken drop-in', () => {
    const dir = tree();
    writeFileSync(join(dir, 'c.conf.d', '50-bad.conf'), '[x]\nA=1\nbroken line\n');
    expect(() => loadLayers({ defaultsFile: join(dir, 'defaults.conf'), mainFile: join(dir, 'c.conf'), dropinDir: join(dir, 'c.conf.d') }, 'x', {})).toThrow(
      `Error parsing configuration file '${join(dir, 'c.conf.d', '50-bad.conf')}' on line 3`,
    );
  });
});
