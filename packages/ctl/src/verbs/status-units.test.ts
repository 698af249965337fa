import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { NO_WIDE_FACTS } from '../unit-fixtures.js';
import { runStatus } from './status.js';
import { CLEAR_SCREEN } from './status-units.js';

const HEADER_14 = 'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' + '-'.repeat(96) + '\n';

const props = (id: string, activeState: string, subState: string) => ({
  Id: id,
  LoadState: 'loaded',
  ActiveState: activeState,
  SubState: subState,
  FreezerState: 'running',
  UnitFileState: 'static',
  MainPID: 0,
});

function cluster(): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1'), nodeInfo('worker2', 'offline')];
  client.properties.set('worker1/bench.service', props('bench.service', 'inactive', 'dead'));
  client.properties.set('worker1/source.service', props('source.service', 'active', 'exited'));
  client.properties.set(
    'worker1/bluechi-proxy@worker2_target.service',
    props('bluechi-proxy@worker2_target.service', 'active', 'exited'),
  );
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });

describe('status NODE UNIT...', () => {
  it('reproduces upstream with two units of different lengths', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker1', 'source.service', 'bluechi-proxy@worker2_target.service']), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      'UNIT\t\t\t\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '-'.repeat(120) +
        '\n' +
        'source.service\t\t\t| loaded\t| active\t| exited\t| running\t| static\t|\n' +
        'bluechi-proxy@worker2_target.service\t| loaded\t| active\t| exited\t| running\t| static\t|\n',
    );
    expect(r.stderr()).toBe('');
  });

  it('reproduces upstream for an unknown unit: no row, message on stderr, exit 0', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker1', 'nosuch.service']), r.deps)).toBe(0);
    expect(r.stdout()).toBe(HEADER_14);
    expect(r.stderr()).toBe('Unit nosuch.service could not be found.\n');
  });

  it('reproduces upstream for an unknown unit next to a known one', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker1', 'nosuch.service', 'bench.service']), r.deps)).toBe(0);
    expect(r.stdout()).toBe(HEADER_14 + 'bench.service\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n');
    expect(r.stderr()).toBe('Unit nosuch.service could not be found.\n');
  });

  it('reproduces upstream for an unknown node: header, then two error lines, exit 1', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['nosuchnode', 'bench.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe('UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' + '-'.repeat(96) + '\n');
    expect(r.stderr()).toBe(
      "Failed to issue call: Unknown object '/org/eclipse/bluechi/node/nosuchnode'.\n" +
        'Failed to get status of unit bench.service on node nosuchnode - Invalid request descriptor\n',
    );
  });

  it('reproduces upstream for an offline node: Input/output error, exit 1', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker2', 'target.service']), r.deps)).toBe(1);
    expect(r.stdout()).toBe(HEADER_14);
    expect(r.stderr()).toBe(
      'Failed to issue call: Node is offline\n' +
        'Failed to get status of unit target.service on node worker2 - Input/output error\n',
    );
  });

  it('stops at the first failing unit', async () => {
    const client = cluster();
    client.failNext.set('GetUnitProperties', new BluechiError(ErrorCodes.INVALID_UNIT_NAME, 'Unit name bad is not valid.'));
    const r = recordingDeps(client);
    expect(await runStatus(args(['worker1', 'bad', 'bench.service']), r.deps)).toBe(1);
    expect(r.stderr()).toBe(
      'Failed to issue call: Unit name bad is not valid.\n' +
        'Failed to get status of unit bad on node worker1 - Invalid argument\n',
    );
    expect(client.calls).toHaveLength(1);
  });

  it('prints every requested unit as JSON with --json, not-found ones included', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker1', 'bench.service', 'nosuch.service'], [['json', true]]), r.deps)).toBe(0);
    expect(JSON.parse(r.stdout())).toEqual({
      node: 'worker1',
      units: [
        {
          unit: 'bench.service',
          found: true,
          id: 'bench.service',
          loadState: 'loaded',
          activeState: 'inactive',
          subState: 'dead',
          freezerState: 'running',
          unitFileState: 'static',
          ...NO_WIDE_FACTS,
        },
        {
          unit: 'nosuch.service',
          found: false,
          id: 'nosuch.service',
          loadState: 'not-found',
          activeState: 'inactive',
          subState: 'dead',
          freezerState: null,
          unitFileState: null,
          ...NO_WIDE_FACTS,
        },
      ],
    });
    expect(r.stderr()).toBe('');
  });

  it('prints the node error lines and no JSON when --json fails', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker2', 'a.service'], [['json', true]]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toContain('Failed to get status of unit a.service on node worker2 - Input/output error\n');
  });
});

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('status NODE UNIT --watch', () => {
  const row = (active: string, sub: string) =>
    `bench.service\t| loaded\t| ${active}\t| ${sub}\t${sub.length < 6 ? '\t' : ''}| running\t| static\t|\n`;
  const changed = (client: FakeClient, activeState: string, subState: string, reason: 'real' | 'virtual' = 'real') => {
    client.properties.set('worker1/bench.service', props('bench.service', activeState, subState));
    client.emit('UnitStateChanged', { monitorId: 1, node: 'worker1', unit: 'bench.service', activeState, subState, reason });
  };

  it('prints the first table without clearing, then redraws with a clear on each change', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    const running = runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps);
    await flush();
    expect(client.calls.find((c) => c.method === 'SubscribeList')?.params).toEqual({ monitorId: 1, node: 'worker1', units: ['bench.service'] });
    changed(client, 'active', 'exited');
    await flush();
    changed(client, 'inactive', 'dead');
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(HEADER_14 + row('inactive', 'dead') + CLEAR_SCREEN + HEADER_14 + row('active', 'exited') + CLEAR_SCREEN + HEADER_14 + row('inactive', 'dead'));
  });

  it('does not redraw for an event that leaves the table as it is, nor for another monitor', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    const running = runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps);
    await flush();
    changed(client, 'inactive', 'dead', 'virtual');
    client.emit('UnitStateChanged', { monitorId: 9, node: 'worker1', unit: 'bench.service', activeState: 'x', subState: 'y', reason: 'real' });
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(HEADER_14 + row('inactive', 'dead'));
  });

  it('exits 1 when the first read fails', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker2', 'bench.service'], [['watch', true]]), r.deps)).toBe(1);
    expect(r.stderr()).toContain('Input/output error');
  });

  it('keeps watching while the node is offline and shows the unit again when it is back', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    const running = runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps);
    await flush();
    client.nodes[1] = nodeInfo('worker1', 'offline');
    client.emit('UnitStateChanged', { monitorId: 1, node: 'worker1', unit: 'bench.service', activeState: 'inactive', subState: 'agent-offline', reason: 'virtual' });
    await flush();
    client.nodes[1] = nodeInfo('worker1');
    changed(client, 'inactive', 'dead', 'virtual');
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(HEADER_14 + row('inactive', 'dead') + CLEAR_SCREEN + HEADER_14 + CLEAR_SCREEN + HEADER_14 + row('inactive', 'dead'));
    expect(r.stderr()).toBe('Failed to issue call: Node is offline\nFailed to get status of unit bench.service on node worker1 - Input/output error\n');
  });

  it('reads the units again when their node comes back, even when no unit event comes', async () => {
    const client = cluster();
    const r = recordingDeps(client);
    const running = runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps);
    await flush();
    expect(client.calledMethods()).toContain('WatchNodes');
    client.nodes[1] = nodeInfo('worker1', 'offline');
    client.emit('NodeStatusChanged', { node: 'worker1', status: 'offline' });
    await flush();
    client.nodes[1] = nodeInfo('worker1');
    client.emit('NodeStatusChanged', { node: 'worker2', status: 'online' });
    await flush();
    const whileAway = r.stdout();
    client.emit('NodeStatusChanged', { node: 'worker1', status: 'online' });
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(whileAway).toBe(HEADER_14 + row('inactive', 'dead') + CLEAR_SCREEN + HEADER_14);
    expect(r.stdout()).toBe(whileAway + CLEAR_SCREEN + HEADER_14 + row('inactive', 'dead'));
  });

  it('subscribes again and redraws after the controller comes back', async () => {
    const first = cluster();
    const second = cluster();
    second.properties.set('worker1/bench.service', props('bench.service', 'active', 'exited'));
    const r = recordingDeps(first, { connect: async () => second });
    const running = runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps);
    await flush();
    first.close();
    await flush();
    r.stop.abort();
    expect(await running).toBe(0);
    expect(second.calledMethods()).toEqual(['CreateMonitor', 'WatchNodes', 'SubscribeList', 'GetUnitProperties']);
    expect(r.stdout()).toBe(HEADER_14 + row('inactive', 'dead') + CLEAR_SCREEN + HEADER_14 + row('active', 'exited'));
    expect(r.stderr()).toBe('Lost the connection to the controller, reconnecting...\nConnected to the controller again\n');
  });
});
