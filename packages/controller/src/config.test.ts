import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIni } from '@bluechi-ts/protocol';
import { buildControllerConfig, controllerConfigPaths, CONTROLLER_DEFAULTS, DEFAULT_CONTROLLER_PATHS, loadControllerConfig } from './config.js';

const build = (text: string, overrides = {}) => buildControllerConfig(parseIni(text, 'test.conf'), ['test.conf'], overrides);

describe('controller config', () => {
  it('ignores unknown keys and sections with one warning each, [node NAME] keys included', () => {
    const c = build('[bluechi-controller]\nControllerPrt=900\nTCPKeepAliveCount=3\n[node worker1]\nAllowed=true\nAllowDependencyOn=main\n[bluechi-agent]\nNodeName=x\n');
    expect(c.port).toBe(842);
    expect(c.warnings).toEqual([
      "Ignoring the unknown key ControllerPrt= in [bluechi-controller] ('test.conf' line 2)",
      "Ignoring the unknown key AllowDependencyOn= in [node worker1] ('test.conf' line 6)",
      "Ignoring the unknown section [bluechi-agent] ('test.conf' line 8 and on)",
    ]);
  });

  it('keeps the default for an unknown LogLevel and says so; the environment names its variable', () => {
    const c = build('[bluechi-controller]\nLogLevel=debug\n');
    expect(c.logLevel).toBe('INFO');
    expect(c.warnings).toEqual(["Ignoring LogLevel=debug ('test.conf' line 2): not one of DEBUG, INFO, WARN, ERROR; using INFO"]);
    const env = buildControllerConfig(new Map([['bluechi-controller', new Map([['LogLevel', { value: 'LOUD', file: 'environment BC_LOG_LEVEL', line: 0 }]])]]), []);
    expect(env.warnings).toEqual(['Ignoring LogLevel=LOUD (environment BC_LOG_LEVEL): not one of DEBUG, INFO, WARN, ERROR; using INFO']);
  });

  it('uses upstream defaults for an empty section', () => {
    const c = build('[bluechi-controller]\n');
    expect(c.port).toBe(842);
    expect(c.useTcp).toBe(true);
    expect(c.useUds).toBe(true);
    expect(c.heartbeatInterval).toBe(0);
    expect(c.nodeHeartbeatThreshold).toBe(6000);
    expect(c.logLevel).toBe('INFO');
    expect(c.logTarget).toBe('journald');
    expect(c.nodes).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists AllowedNodeNames first, then allowed [node] sections sorted by name', () => {
    const c = build(
      '[bluechi-controller]\nAllowedNodeNames=main, worker1,worker2\n[node zeta]\nAllowed=yes\n[node extra10]\nAllowed=true\n[node extra2]\nAllowed=true\n[node denied]\nAllowed=no\n[node worker1]\nAllowDependenciesOn=main,worker2\n',
    );
    expect(c.nodes.map((n) => n.name)).toEqual(['main', 'worker1', 'worker2', 'extra10', 'extra2', 'zeta']);
    expect(c.nodes.find((n) => n.name === 'worker1')!.allowDependenciesOn).toEqual(['main', 'worker2']);
    expect(c.nodes.find((n) => n.name === 'main')!.allowDependenciesOn).toEqual([]);
  });

  it('lets -p override ControllerPort', () => {
    expect(build('[bluechi-controller]\nControllerPort=2020\n', { port: '8421' }).port).toBe(8421);
  });

  it.each(['542O', '65538'])('refuses port %s naming file and line', (port) => {
    expect(() => build(`[bluechi-controller]\n\nControllerPort=${port}\n`)).toThrow(`Invalid port format '${port}' in 'test.conf' on line 3`);
  });

  it('refuses a config with no listener at all', () => {
    expect(() => build('[bluechi-controller]\nUseTCP=false\nUseUDS=false\n')).toThrow('No connection request handler configured');
  });

  it('keeps defaults for unknown log values', () => {
    const c = build('[bluechi-controller]\nLogLevel=LOUD\nLogTarget=printer\nLogIsQuiet=garbage\n');
    expect([c.logLevel, c.logTarget, c.logIsQuiet]).toEqual([CONTROLLER_DEFAULTS.logLevel, CONTROLLER_DEFAULTS.logTarget, false]);
  });

  it('refuses node names that cannot work with proxies', () => {
    expect(() => build('[bluechi-controller]\nAllowedNodeNames=good,bad_name\n')).toThrow("Invalid node name 'bad_name'");
  });

  it('listens on every address unless ControllerListenAddress names one', () => {
    expect(build('[bluechi-controller]\n').listenAddress).toBeUndefined();
    expect(build('[bluechi-controller]\nControllerListenAddress=127.0.0.1\n').listenAddress).toBe('127.0.0.1');
    expect(build('[bluechi-controller]\nControllerListenAddress=::1\n').listenAddress).toBe('::1');
    expect(build('[bluechi-controller]\nControllerListenAddress=\n').listenAddress).toBeUndefined();
  });

  it('refuses a ControllerListenAddress that is not an IP address, naming file and line', () => {
    expect(() => build('[bluechi-controller]\n\nControllerListenAddress=my-host\n')).toThrow(
      "Invalid address 'my-host' for ControllerListenAddress in 'test.conf' on line 3",
    );
  });
});

describe('controller configuration files', () => {
  it('reads the standard paths unless BLUECHI_CONFIG_ROOT is set', () => {
    expect(controllerConfigPaths({})).toEqual(DEFAULT_CONTROLLER_PATHS);
    expect(controllerConfigPaths({ BLUECHI_CONFIG_ROOT: '/tmp/staged' })).toEqual({
      defaultsFile: '/tmp/staged/usr/share/bluechi/config/controller.conf',
      mainFile: '/tmp/staged/etc/bluechi/controller.conf',
      dropinDir: '/tmp/staged/etc/bluechi/controller.conf.d',
    });
  });

  it('layers the files under BLUECHI_CONFIG_ROOT, then -c and -p as usual', () => {
    const root = mkdtempSync(join(tmpdir(), 'bc-config-root-'));
    try {
      const put = (path: string, text: string) => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      put('usr/share/bluechi/config/controller.conf', '[bluechi-controller]\nControllerPort=842\nAllowedNodeNames=a\n');
      put('etc/bluechi/controller.conf', '[bluechi-controller]\nAllowedNodeNames=a,b\n');
      put('etc/bluechi/controller.conf.d/10-listen.conf', '[bluechi-controller]\nControllerListenAddress=127.0.0.1\n');
      put('extra.conf', '[bluechi-controller]\nControllerPort=2020\n');
      const env = { BLUECHI_CONFIG_ROOT: root };
      const c = loadControllerConfig({}, env);
      expect(c.nodes.map((n) => n.name)).toEqual(['a', 'b']);
      expect([c.port, c.listenAddress]).toEqual([842, '127.0.0.1']);
      expect(c.files).toEqual([
        join(root, 'usr/share/bluechi/config/controller.conf'),
        join(root, 'etc/bluechi/controller.conf'),
        join(root, 'etc/bluechi/controller.conf.d/10-listen.conf'),
      ]);
      expect(loadControllerConfig({ configFile: join(root, 'extra.conf') }, env).port).toBe(2020);
      expect(loadControllerConfig({ configFile: join(root, 'extra.conf'), port: '9' }, env).port).toBe(9);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('still requires the defaults file under BLUECHI_CONFIG_ROOT', () => {
    const root = mkdtempSync(join(tmpdir(), 'bc-config-root-'));
    try {
      expect(() => loadControllerConfig({}, { BLUECHI_CONFIG_ROOT: root })).toThrow(`Failed to read configuration file '${root}/usr/share/bluechi/config/controller.conf'`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('controller TLS keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bc-ctls-'));
  const pem = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, '-----BEGIN X-----\nAA\n-----END X-----\n');
    return path;
  };

  it('is off without keys, and on with certificate and key (client CA, version and identity source optional)', () => {
    expect(build('[bluechi-controller]\n').tls).toBeUndefined();
    const [cert, key, ca] = [pem('c.pem'), pem('c.key'), pem('ca.pem')];
    expect(build(`[bluechi-controller]\nTLSCertificateFile=${cert}\nTLSPrivateKeyFile=${key}\n`).tls).toEqual({
      certificateFile: cert,
      privateKeyFile: key,
      caFile: undefined,
      minVersion: 'TLSv1.3',
      nodeIdentity: 'san',
    });
    const full = build(`[bluechi-controller]\nTLSCertificateFile=${cert}\nTLSPrivateKeyFile=${key}\nTLSCAFile=${ca}\nTLSMinVersion=1.2\nTLSNodeIdentity=cn\n`).tls;
    expect(full).toMatchObject({ caFile: ca, minVersion: 'TLSv1.2', nodeIdentity: 'cn' });
  });

  it('refuses half a configuration and unreadable files, naming them', () => {
    const cert = pem('c2.pem');
    expect(() => build(`[bluechi-controller]\nTLSCertificateFile=${cert}\n`)).toThrow('TLS needs both TLSCertificateFile and TLSPrivateKeyFile; only TLSCertificateFile is set');
    expect(() => build(`[bluechi-controller]\nTLSCAFile=${cert}\n`)).toThrow('TLSCAFile is set but TLSCertificateFile and TLSPrivateKeyFile are not');
    expect(() => build(`[bluechi-controller]\nTLSCertificateFile=${cert}\nTLSPrivateKeyFile=${join(dir, 'missing.key')}\n`)).toThrow(
      `Cannot read TLSPrivateKeyFile '${join(dir, 'missing.key')}': no such file`,
    );
  });
});

describe('[node NAME] TokenSHA256', () => {
  it('keeps the hash in lower case for its node, and refuses a malformed one', () => {
    const hash = 'AB'.repeat(32);
    const c = build(`[bluechi-controller]\nAllowedNodeNames=w1,w2\n[node w1]\nTokenSHA256=${hash}\n`);
    expect(c.nodes.find((n) => n.name === 'w1')!.tokenSha256).toBe(hash.toLowerCase());
    expect(c.nodes.find((n) => n.name === 'w2')!.tokenSha256).toBeUndefined();
    expect(() => build('[bluechi-controller]\nAllowedNodeNames=w1\n[node w1]\nTokenSHA256=xyz\n')).toThrow('Invalid value for TokenSHA256');
  });
});

describe('limit keys', () => {
  it('have documented defaults and take values', () => {
    const d = build('[bluechi-controller]\n');
    expect([d.maxAnonymousConnectionsPerAddress, d.maxRegistrationsPerSecond, d.maxPendingRequestsPerNode, d.maxMonitorsPerClient, d.maxSubscriptionsPerMonitor]).toEqual([
      64, 5000, 256, 64, 4096,
    ]);
    const c = build(
      '[bluechi-controller]\nMaxAnonymousConnectionsPerAddress=4\nMaxRegistrationsPerSecond=100\nMaxPendingRequestsPerNode=32\nMaxMonitorsPerClient=8\nMaxSubscriptionsPerMonitor=512\n',
    );
    expect([c.maxAnonymousConnectionsPerAddress, c.maxRegistrationsPerSecond, c.maxPendingRequestsPerNode, c.maxMonitorsPerClient, c.maxSubscriptionsPerMonitor]).toEqual([
      4, 100, 32, 8, 512,
    ]);
    expect(() => build('[bluechi-controller]\nMaxPendingRequestsPerNode=lots\n')).toThrow('MaxPendingRequestsPerNode');
  });
});
