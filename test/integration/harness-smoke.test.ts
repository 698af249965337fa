/**
 * The test bed itself: one systemd container boots, runs the host's node,
 * and has the staged build installed where the units expect it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemdNode } from '../harness/systemd-container.js';

describe('systemd test container', () => {
  let node: SystemdNode;

  beforeAll(async () => {
    node = await SystemdNode.start({ name: 'smoke' });
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('boots systemd as PID 1 to running or degraded', async () => {
    const pid1 = await node.exec('cat /proc/1/comm');
    expect(pid1).toEqual({ exitCode: 0, stdout: 'systemd\n', stderr: '' });
    const state = await node.exec('systemctl is-system-running');
    expect(['running\n', 'degraded\n']).toContain(state.stdout);
  });

  it('runs the same node binary as the host', async () => {
    const result = await node.exec('node --version');
    expect(result).toEqual({ exitCode: 0, stdout: `${process.version}\n`, stderr: '' });
  });

  it('keeps stdout and stderr apart, byte for byte', async () => {
    const result = await node.exec(`printf ' out\\n\\n'; printf 'err \\xc3\\xa9' >&2; exit 3`);
    expect(result).toEqual({ exitCode: 3, stdout: ' out\n\n', stderr: 'err é' });
  });

  it('has the staged programs installed and executable', async () => {
    for (const program of ['/usr/libexec/bluechi-controller', '/usr/libexec/bluechi-agent', '/usr/bin/bluechictl']) {
      const check = await node.exec(`test -f ${program} -a -x ${program} && head -n 1 ${program}`);
      expect(check, program).toEqual({ exitCode: 0, stdout: '#!/usr/bin/env node\n', stderr: '' });
    }
    expect((await node.exec('readlink /usr/bin/ctl')).stdout).toBe('bluechictl\n');
  });

  it('runs the bundles with nothing but node', async () => {
    // A bundle that needs a module outside dist/root fails to load here.
    for (const program of ['/usr/libexec/bluechi-controller', '/usr/libexec/bluechi-agent']) {
      const result = await node.exec(`cd / && ${program} --version`);
      expect(result.exitCode, `${program}: ${result.stderr}`).toBe(0);
    }
  });

  it('knows the units, default configs, D-Bus policy and runtime directory', async () => {
    for (const unit of ['bluechi-controller.service', 'bluechi-agent.service']) {
      const load = await node.systemctl('show', '-p', 'LoadState,UnitFileState', unit);
      expect(load.stdout, unit).toBe('LoadState=loaded\nUnitFileState=disabled\n');
    }
    const files = await node.exec(
      'test -f /usr/share/bluechi/config/controller.conf && ' +
        'test -f /usr/share/bluechi-agent/config/agent.conf && ' +
        'test -d /etc/bluechi/controller.conf.d && test -d /etc/bluechi/agent.conf.d && ' +
        'test -f /usr/share/dbus-1/system.d/org.eclipse.bluechi.Agent.conf && ' +
        'stat -c %a:%U /run/bluechi',
    );
    expect(files).toEqual({ exitCode: 0, stdout: '700:root\n', stderr: '' });
  });

  it('writes files into the container', async () => {
    await node.writeFile('/etc/bluechi/agent.conf.d/9-smoke.conf', '[bluechi-agent]\nNodeName=smoke\n');
    expect((await node.exec('cat /etc/bluechi/agent.conf.d/9-smoke.conf')).stdout).toBe('[bluechi-agent]\nNodeName=smoke\n');
  });
});
