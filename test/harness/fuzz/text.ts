/**
 * Fuzzed text for the parsers: INI configuration files (random bytes, long
 * lines, odd sections, duplicated keys, a bad value for every known key) and
 * proxy instance names (`NODE_UNIT.service`).
 */
import type { Prng } from './prng.js';

/** Every key buildControllerConfig and buildAgentConfig read, and a few they do not. */
const KEYS = {
  'bluechi-controller': ['ControllerPort', 'ControllerListenAddress', 'AllowedNodeNames', 'UseTCP', 'UseUDS', 'UnixSocketPath', 'ApiSocketPath', 'HeartbeatInterval', 'NodeHeartbeatThreshold', 'LogLevel', 'LogTarget', 'LogIsQuiet', 'MaxFrameBytes', 'MaxAnonymousConnections', 'RegisterTimeout', 'RequestTimeout', 'ProxyReleaseDelay', 'TLSCertificateFile', 'TLSPrivateKeyFile', 'TLSCAFile', 'TLSMinVersion', 'TLSNodeIdentity'],
  'bluechi-agent': ['NodeName', 'ControllerHost', 'ControllerPort', 'ControllerAddress', 'HeartbeatInterval', 'ControllerHeartbeatThreshold', 'ConnectionRetryCountUntilQuiet', 'LogLevel', 'LogTarget', 'LogIsQuiet', 'MaxFrameBytes', 'TLSCAFile', 'TLSCertificateFile', 'TLSPrivateKeyFile', 'TLSServerName', 'TLSMinVersion'],
  node: ['Allowed', 'AllowDependenciesOn'],
} as const;

const VALUES = [
  '', ' ', '0', '1', '-1', '842', '65535', '65536', '99999999999999999999', '1e3', '0x10', '1.5', 'NaN', 'Infinity', '2147483647', '2147483648', '-0',
  'true', 'false', 'yes', 'no', 'on', 'off', 'TRUE', 'maybe',
  'DEBUG', 'debug', 'INFO', 'WARN', 'ERROR', 'TRACE', 'journald', 'stderr', 'stderr-full', 'syslog',
  '1.2', '1.3', '1.1', 'TLSv1.3', 'san', 'cn', 'dns',
  '127.0.0.1', '::1', '256.1.1.1', 'localhost', '::ffff:1.2.3.4', 'fe80::1%eth0',
  'main,worker1', 'a,,b', ',', 'bad_name', 'x'.repeat(300), '*', 'é', '\u0000', '\ud800',
  'tcp:host=127.0.0.1,port=842', 'tcp:host=,port=', 'unix:path=', 'unix:path=/run/x.sock', 'tcp:port=x', 'ws://x', 'tcp:host=h,port=842,extra=1', 'garbage:',
  '/nonexistent/cert.pem', '/dev/null', '/', '.', 'relative/path.pem',
];

export function fuzzIni(rng: Prng): { text: string; mutation: string } {
  const kind = rng.weighted<string>([
    [6, 'keys'],
    [1, 'random-bytes'],
    [1, 'long-line'],
    [1, 'odd-sections'],
    [1, 'continuations'],
  ]);
  const line = () => {
    const section = rng.pick(Object.keys(KEYS)) as keyof typeof KEYS;
    const key = rng.chance(0.9) ? rng.pick(KEYS[section]) : rng.pick(['Unknown', 'controllerport', ' ', '=', 'Key With Space']);
    const value = rng.chance(0.8) ? rng.pick(VALUES) : rng.string(rng.range(0, 30), 'abc019_-.,:=/ \t\u00e9');
    return `${key}=${value}`;
  };
  const header = () => rng.pick(['[bluechi-controller]', '[bluechi-agent]', `[node ${rng.pick(['main', 'worker1', 'bad_name', '', ' ', 'é', 'x'.repeat(300)])}]`]);
  switch (kind) {
    case 'random-bytes':
      return { text: rng.bytes(rng.range(0, 400)).toString(rng.chance(0.5) ? 'utf8' : 'latin1'), mutation: kind };
    case 'long-line':
      return { text: `${header()}\n${rng.pick(['AllowedNodeNames', 'NodeName', 'ControllerAddress', 'LogLevel'])}=${rng.pick(['a,', 'x', '[', '='])!.repeat(rng.range(10_000, 200_000))}\n`, mutation: kind };
    case 'odd-sections': {
      const s = rng.pick(['[', ']', '[]', '[ ]', '[[bluechi-agent]]', '[bluechi-agent', 'bluechi-agent]', '[node]', '[node ]', '[node  main]', '[bluechi-controller] x', '[\u0000]', '[' + 'x'.repeat(5000) + ']']);
      return { text: `${s}\n${line()}\n${header()}\n${line()}\n`, mutation: kind };
    }
    case 'continuations':
      return { text: `${rng.pick(['', '  indented=1\n'])}${header()}\n${line()}\n${rng.pick([' ', '\t', '   '])}${rng.pick(['more', '[x]', '=', 'a=b'])}\n\n  after-blank\n`, mutation: kind };
    default: {
      const lines: string[] = [];
      const n = rng.range(1, 12);
      for (let i = 0; i < n; i++) {
        if (rng.chance(0.3)) lines.push(header());
        lines.push(rng.chance(0.1) ? rng.pick(['# comment', '; comment', '', 'no equals sign', '=value', ' = ']) : line());
        // Duplicated keys: the later one wins.
        if (rng.chance(0.1)) lines.push(lines[lines.length - 1]!);
      }
      if (rng.chance(0.5)) lines.unshift(rng.pick(['[bluechi-controller]', '[bluechi-agent]']));
      return { text: lines.join(rng.pick(['\n', '\r\n', '\r', '\n\n'])), mutation: kind };
    }
  }
}

const NAME_PARTS = ['main', 'worker1', 'a', '', '_', '__', '.', '-', ':', 'node.example.com', 'x'.repeat(255), 'x'.repeat(256), 'é', '\u0000', '@', '/', '\\', ' ', '*', 'bad name'];
const UNIT_PARTS = ['a.service', 'a_b.service', 'foo@bar.service', 'foo@.service', '.service', 'service', 'a.target', 'a.nosuchtype', '', '_', 'x'.repeat(250) + '.service', 'x'.repeat(300) + '.service', 'a b.service', 'a/b.service', 'é.service', '\ud800.service', '-.slice'];

export function fuzzProxyName(rng: Prng): { name: string; mutation: string } {
  switch (rng.int(4)) {
    case 0:
      return { name: `${rng.pick(NAME_PARTS)}_${rng.pick(UNIT_PARTS)}`, mutation: 'parts' };
    case 1:
      return { name: rng.string(rng.range(0, 80), 'aZ09_.-@:\\/ *\u0000\u00e9'), mutation: 'random' };
    case 2:
      return { name: rng.bytes(rng.range(0, 100)).toString('utf8'), mutation: 'random-bytes' };
    default: {
      const n = rng.range(1000, 100_000);
      return { name: rng.pick([`main_${'a'.repeat(n)}.service`, `${'a'.repeat(n)}_a.service`, '_'.repeat(n), `main_${'_'.repeat(n)}.service`]), mutation: 'huge' };
    }
  }
}
