import { BluechiError, ErrorCodes, Messages } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { runMetrics } from './metrics.js';

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/** A controller that refuses to switch metrics to the state they are in, as the real one does. */
function controller(enabled = false): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1')];
  let on = enabled;
  client.handlers.EnableMetrics = () => {
    if (on) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.metricsAlreadyEnabled);
    on = true;
    return {};
  };
  client.handlers.DisableMetrics = () => {
    if (!on) throw new BluechiError(ErrorCodes.INVALID_STATE, Messages.metricsAlreadyDisabled);
    on = false;
    return {};
  };
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });
const watching = (client: FakeClient) => () => client.calledMethods().includes('WatchMetrics');

const agentJob = (node: string, method: 'StartUnit' | 'StopUnit', us: number) => ({ node, unit: 'bench.service', method, systemdJobTimeUs: us });
const startJob = { node: 'worker1', jobId: 12, jobPath: '/org/eclipse/bluechi/job/12', unit: 'bench.service', jobMeasuredTimeUs: 14_049, unitStartPropTimeUs: 1_500 };

describe('metrics enable, disable', () => {
  it('prints Done, and fails like upstream when already in that state', async () => {
    const client = controller();
    const runs = [];
    for (const command of ['enable', 'enable', 'disable', 'disable']) {
      const r = recordingDeps(client);
      runs.push({ code: await runMetrics(args([command]), r.deps), stdout: r.stdout(), stderr: r.stderr() });
    }
    expect(runs).toEqual([
      { code: 0, stdout: 'Done\n', stderr: '' },
      { code: 1, stdout: '', stderr: 'Failed to issue method call: Metrics already enabled\n' },
      { code: 0, stdout: 'Done\n', stderr: '' },
      { code: 1, stdout: '', stderr: 'Failed to issue method call: Metrics already disabled\n' },
    ]);
    expect(client.calledMethods()).toEqual(['EnableMetrics', 'EnableMetrics', 'DisableMetrics', 'DisableMetrics']);
  });

  it('prints an unknown command without a newline, exit 1, and calls nothing', async () => {
    const client = controller();
    const r = recordingDeps(client);
    expect(await runMetrics(args(['bogus']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Unknown metrics command: bogus');
    expect(client.calls).toEqual([]);
  });
});

describe('metrics listen', () => {
  it("prints upstream's lines for each report until stopped, exit 0", async () => {
    const client = controller(true);
    const r = recordingDeps(client);
    const running = runMetrics(args(['listen']), r.deps);
    await until(watching(client));
    client.emit('AgentJobMetrics', agentJob('worker1', 'StartUnit', 7_700));
    client.emit('StartUnitJobMetrics', startJob);
    client.emit('AgentJobMetrics', agentJob('worker1', 'StopUnit', 1_250));
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(
      'Waiting for metrics signals...\n' +
        '[worker1] Agent systemd StartUnit job on bench.service net measured time: 7.7ms\n' +
        '[worker1] Job /org/eclipse/bluechi/job/12 to start unit bench.service:\n' +
        '\tBlueChi job gross measured time: 14.0ms\n' +
        '\tUnit net start time (from properties): 1.5ms\n' +
        '[worker1] Agent systemd StopUnit job on bench.service net measured time: 1.2ms\n',
    );
    expect(r.stderr()).toBe('');
  });

  it('prints only the waiting line when nothing comes', async () => {
    const client = controller();
    const r = recordingDeps(client);
    const running = runMetrics(args(['listen']), r.deps);
    await until(watching(client));
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe('Waiting for metrics signals...\n');
  });

  it('prints one JSON object per report with --json', async () => {
    const client = controller(true);
    const r = recordingDeps(client);
    const running = runMetrics(args(['listen'], [['json', true]]), r.deps);
    await until(watching(client));
    client.emit('StartUnitJobMetrics', startJob);
    client.emit('AgentJobMetrics', agentJob('main', 'StartUnit', 7_700));
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(
      'Waiting for metrics signals...\n' +
        '{"event":"StartUnitJobMetrics","node":"worker1","jobId":12,"jobPath":"/org/eclipse/bluechi/job/12","unit":"bench.service","jobMeasuredTimeUs":14049,"unitStartPropTimeUs":1500}\n' +
        '{"event":"AgentJobMetrics","node":"main","unit":"bench.service","method":"StartUnit","systemdJobTimeUs":7700}\n',
    );
  });

  it('listens again after the controller comes back', async () => {
    const first = controller(true);
    const second = controller(true);
    const r = recordingDeps(first, { connect: async () => second });
    const running = runMetrics(args(['listen']), r.deps);
    await until(watching(first));
    first.close();
    await until(watching(second));
    second.emit('AgentJobMetrics', agentJob('worker1', 'StopUnit', 1_400));
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(
      'Waiting for metrics signals...\n[worker1] Agent systemd StopUnit job on bench.service net measured time: 1.4ms\n',
    );
    expect(r.stderr()).toBe('Lost the connection to the controller, reconnecting...\nConnected to the controller again\n');
  });

  it('fails when the controller refuses to send reports, exit 1', async () => {
    const client = controller();
    client.failNext.set('WatchMetrics', new BluechiError(ErrorCodes.TOO_MANY_REQUESTS, 'Too many watchers'));
    const r = recordingDeps(client);
    expect(await runMetrics(args(['listen']), r.deps)).toBe(1);
    expect(r.stderr()).toBe('Failed to issue method call: Too many watchers\n');
  });
});
