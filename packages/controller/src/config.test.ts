import { describe, expect, it } from 'vitest';
import { parseIni } from '@bluechi-ts/protocol';
import { buildControllerConfig, CONTROLLER_DEFAULTS } from './config.js';

const build = (text: string, overrides = {}) => buildControllerConfig(parseIni(text, 'test.conf'), ['test.conf'], overrides);

describe('controller config', () => {
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
});
