import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
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
    client.failNext.set('getUnitProperties', new BluechiError(ErrorCodes.INVALID_UNIT_NAME, 'Unit name bad is not valid.'));
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
          id: 'bench.service',
          loadState: 'loaded',
          activeState: 'inactive',
          subState: 'dead',
          freezerState: 'running',
          unitFileState: 'static',
        },
        {
          unit: 'nosuch.service',
          id: 'nosuch.service',
          loadState: 'not-found',
          activeState: 'inactive',
          subState: 'dead',
          freezerState: null,
          unitFileState: null,
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

describe('status NODE UNIT --watch', () => {
  const row = (active: string, sub: string) =>
    `bench.service\t| loaded\t| ${active}\t| ${sub}\t${sub.length < 6 ? '\t' : ''}| running\t| static\t|\n`;

  it('prints the first table without clearing, then redraws with a clear on each change', async () => {
    const client = cluster();
    const set = (a: string, s: string) => client.properties.set('worker1/bench.service', props('bench.service', a, s));
    const r = recordingDeps(client, {
      onTick: (n, stop) => {
        if (n === 1) set('active', 'exited');
        if (n === 3) set('inactive', 'dead');
        if (n === 4) stop.abort();
      },
    });
    expect(await runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      HEADER_14 +
        row('inactive', 'dead') +
        CLEAR_SCREEN +
        HEADER_14 +
        row('active', 'exited') +
        CLEAR_SCREEN +
        HEADER_14 +
        row('inactive', 'dead'),
    );
  });

  it('exits 1 when the first poll fails', async () => {
    const r = recordingDeps(cluster());
    expect(await runStatus(args(['worker2', 'bench.service'], [['watch', true]]), r.deps)).toBe(1);
    expect(r.stderr()).toContain('Input/output error');
    expect(r.ticks()).toBe(0);
  });

  it('keeps watching while the node is offline and shows it again when back', async () => {
    const client = cluster();
    const r = recordingDeps(client, {
      onTick: (n, stop) => {
        if (n === 1) client.nodes[1] = nodeInfo('worker1', 'offline');
        if (n === 3) client.nodes[1] = nodeInfo('worker1');
        if (n === 4) stop.abort();
      },
    });
    expect(await runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps)).toBe(0);
    expect(r.stdout()).toBe(
      HEADER_14 + row('inactive', 'dead') + CLEAR_SCREEN + HEADER_14 + CLEAR_SCREEN + HEADER_14 + row('inactive', 'dead'),
    );
    expect(r.stderr()).toBe(
      'Failed to issue call: Node is offline\nFailed to get status of unit bench.service on node worker1 - Input/output error\n',
    );
  });

  it('exits 1 when the connection to the controller is lost', async () => {
    const client = cluster();
    const r = recordingDeps(client, {
      onTick: () => client.failNext.set('getUnitProperties', new BluechiError(ErrorCodes.CONNECTION_CLOSED, 'Connection to the controller closed')),
    });
    expect(await runStatus(args(['worker1', 'bench.service'], [['watch', true]]), r.deps)).toBe(1);
    expect(r.stderr()).toContain('Failed to issue call: Connection to the controller closed\n');
    expect(r.stderr()).toContain('- Connection reset by peer\n');
  });
});
