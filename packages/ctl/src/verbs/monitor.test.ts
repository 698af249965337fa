import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClient, nodeInfo, recordingDeps } from '../fake-client.js';
import { monitorTargets, runMonitor } from './monitor.js';

/** Lets the verb run until `cond` holds (or gives up after many turns of the event loop). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/** A controller whose CreateMonitor answers with monitor `id`. */
function controller(id = 1): FakeClient {
  const client = new FakeClient();
  client.nodes = [nodeInfo('main'), nodeInfo('worker1')];
  client.handlers.CreateMonitor = () => ({ monitorId: id, path: `/org/eclipse/bluechi/monitor/${id}` });
  return client;
}

const args = (positionals: string[], options: Array<[string, string | true]> = []) => ({ positionals, options: new Map(options) });
const subscribed = (client: FakeClient) => () => client.calledMethods().includes('SubscribeList');
const ev = { node: 'worker1', unit: 'bench.service' };

describe('monitor targets', () => {
  it.each([
    { positionals: [], node: '*', units: ['*'] },
    { positionals: ['worker1'], node: 'worker1', units: ['*'] },
    { positionals: ['*', 'bench.service'], node: '*', units: ['bench.service'] },
    { positionals: ['worker1', 'a.service,b.service'], node: 'worker1', units: ['a.service', 'b.service'] },
    { positionals: ['worker1', ',a.service,,b.service,'], node: 'worker1', units: ['a.service', 'b.service'] },
  ])('$positionals: node $node, units $units', ({ positionals, node, units }) => {
    expect(monitorTargets(args(positionals))).toEqual({ node, units });
  });
});

describe('monitor', () => {
  it("prints upstream's header and event blocks until stopped, exit 0", async () => {
    const client = controller(2);
    const r = recordingDeps(client);
    const running = runMonitor(args(['worker1', 'bench.service']), r.deps);
    await until(subscribed(client));
    client.emit('UnitNew', { monitorId: 2, ...ev, reason: 'real' });
    client.emit('UnitStateChanged', { monitorId: 2, ...ev, activeState: 'activating', subState: 'start', reason: 'real' });
    client.emit('UnitPropertiesChanged', {
      monitorId: 2,
      ...ev,
      interface: 'org.freedesktop.systemd1.Service',
      properties: { StatusText: '' },
      signatures: { StatusText: 's' },
    });
    client.emit('UnitRemoved', { monitorId: 2, ...ev, reason: 'real' });
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(
      'Monitor path: /org/eclipse/bluechi/monitor/2\n' +
        "Subscribing to node 'worker1' and unit 'bench.service'\n" +
        '[worker1] bench.service\n\tUnit created (reason: real)\n' +
        '[worker1] bench.service\n\tUnit state changed (reason: real)\n\tActive: activating (start)\n' +
        '[worker1] bench.service\n\tUnit properties changed (Interface: org.freedesktop.systemd1.Service)\n\tStatusText: \n' +
        '[worker1] bench.service\n\tUnit removed (reason: real)\n',
    );
    expect(r.stderr()).toBe('');
    expect(client.calls).toEqual([
      { method: 'CreateMonitor', params: {} },
      { method: 'SubscribeList', params: { monitorId: 2, node: 'worker1', units: ['bench.service'] } },
    ]);
  });

  it('subscribes to every unit on every node by default', async () => {
    const client = controller();
    const r = recordingDeps(client);
    const running = runMonitor(args([]), r.deps);
    await until(subscribed(client));
    client.emit('UnitNew', { monitorId: 1, node: 'main', unit: '*', reason: 'virtual' });
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(
      "Monitor path: /org/eclipse/bluechi/monitor/1\nSubscribing to node '*' and unit '*'\n[main] *\n\tUnit created (reason: virtual)\n",
    );
    expect(client.calls[1]).toEqual({ method: 'SubscribeList', params: { monitorId: 1, node: '*', units: ['*'] } });
  });

  it('ignores the events of other monitors', async () => {
    const client = controller(3);
    const r = recordingDeps(client);
    const running = runMonitor(args([]), r.deps);
    await until(subscribed(client));
    client.emit('UnitNew', { monitorId: 4, ...ev, reason: 'real' });
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).not.toContain('bench.service');
  });

  it('prints one JSON object per line with --json', async () => {
    const client = controller();
    const r = recordingDeps(client);
    const running = runMonitor(args(['worker1', 'a.service,b.service'], [['json', true]]), r.deps);
    await until(subscribed(client));
    client.emit('UnitStateChanged', { monitorId: 1, ...ev, activeState: 'active', subState: 'exited', reason: 'real' });
    client.emit('UnitPropertiesChanged', {
      monitorId: 1,
      ...ev,
      interface: 'org.freedesktop.systemd1.Unit',
      properties: { ActiveState: 'active', SubState: 'exited' },
      signatures: { ActiveState: 's', SubState: 's' },
    });
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout()).toBe(
      '{"event":"Subscribed","monitor":"/org/eclipse/bluechi/monitor/1","node":"worker1","unit":"a.service"}\n' +
        '{"event":"Subscribed","monitor":"/org/eclipse/bluechi/monitor/1","node":"worker1","unit":"b.service"}\n' +
        '{"event":"UnitStateChanged","node":"worker1","unit":"bench.service","activeState":"active","subState":"exited","reason":"real"}\n' +
        '{"event":"UnitPropertiesChanged","node":"worker1","unit":"bench.service","interface":"org.freedesktop.systemd1.Unit","properties":{"ActiveState":"active","SubState":"exited"}}\n',
    );
  });

  it('monitors again after the controller comes back, and says so on stderr', async () => {
    const first = controller(1);
    const second = controller(7);
    const r = recordingDeps(first, { connect: async () => second });
    const running = runMonitor(args(['worker1', 'bench.service']), r.deps);
    await until(subscribed(first));
    first.close();
    await until(subscribed(second));
    second.emit('UnitStateChanged', { monitorId: 7, ...ev, activeState: 'active', subState: 'exited', reason: 'virtual' });
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.connects()).toBe(1);
    expect(r.stderr()).toBe(
      'Lost the connection to the controller, reconnecting...\n' +
        'Connected to the controller again\n' +
        'Monitoring again as /org/eclipse/bluechi/monitor/7\n',
    );
    expect(r.stdout()).toBe(
      "Monitor path: /org/eclipse/bluechi/monitor/1\nSubscribing to node 'worker1' and unit 'bench.service'\n" +
        '[worker1] bench.service\n\tUnit state changed (reason: virtual)\n\tActive: active (exited)\n',
    );
    expect(second.calls).toEqual([
      { method: 'CreateMonitor', params: {} },
      { method: 'SubscribeList', params: { monitorId: 7, node: 'worker1', units: ['bench.service'] } },
    ]);
    expect(second.closed).toBe(true);
  });

  it('reports the units it knew as out of reach when the controller goes away, then what the new subscription says', async () => {
    const first = controller(1);
    const second = controller(7);
    const r = recordingDeps(first, { connect: async () => second });
    const running = runMonitor(args(['worker1', 'bench.service,web.service,gone.service']), r.deps);
    await until(subscribed(first));
    first.emit('UnitNew', { monitorId: 1, ...ev, reason: 'virtual' });
    first.emit('UnitStateChanged', { monitorId: 1, ...ev, activeState: 'active', subState: 'exited', reason: 'virtual' });
    first.emit('UnitNew', { monitorId: 1, node: 'worker1', unit: 'web.service', reason: 'real' });
    first.emit('UnitNew', { monitorId: 1, node: 'worker1', unit: 'gone.service', reason: 'real' });
    first.emit('UnitRemoved', { monitorId: 1, node: 'worker1', unit: 'gone.service', reason: 'real' });
    const before = r.stdout().length;
    first.close();
    await until(subscribed(second));
    // bench.service was stopped and unloaded meanwhile: the new subscription reports nothing for it.
    second.emit('UnitNew', { monitorId: 7, node: 'worker1', unit: 'web.service', reason: 'virtual' });
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout().slice(before)).toBe(
      '[worker1] bench.service\n\tUnit state changed (reason: virtual)\n\tActive: inactive (agent-offline)\n' +
        '[worker1] bench.service\n\tUnit removed (reason: virtual)\n' +
        '[worker1] web.service\n\tUnit removed (reason: virtual)\n' +
        '[worker1] web.service\n\tUnit created (reason: virtual)\n',
    );
  });

  it('marks the break in --json output and subscribes again in the open', async () => {
    const first = controller(1);
    const second = controller(7);
    const r = recordingDeps(first, { connect: async () => second });
    const running = runMonitor(args(['*', '*'], [['json', true]]), r.deps);
    await until(subscribed(first));
    first.emit('UnitNew', { monitorId: 1, node: 'worker1', unit: '*', reason: 'virtual' });
    const before = r.stdout().length;
    first.close();
    await until(subscribed(second));
    r.stop.abort();
    expect(await running).toBe(0);
    expect(r.stdout().slice(before).trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
      { event: 'ConnectionLost' },
      { event: 'UnitStateChanged', node: 'worker1', unit: '*', activeState: 'inactive', subState: 'agent-offline', reason: 'virtual' },
      { event: 'UnitRemoved', node: 'worker1', unit: '*', reason: 'virtual' },
      { event: 'Subscribed', monitor: '/org/eclipse/bluechi/monitor/7', node: '*', unit: '*' },
    ]);
  });

  it('says nothing about the units when it is stopped', async () => {
    const client = controller(1);
    const r = recordingDeps(client);
    const running = runMonitor(args(['worker1', 'bench.service']), r.deps);
    await until(subscribed(client));
    client.emit('UnitNew', { monitorId: 1, ...ev, reason: 'virtual' });
    const before = r.stdout().length;
    r.stop.abort();
    expect(await running).toBe(0);
    client.close();
    expect(r.stdout().slice(before)).toBe('');
  });

  it('keeps trying to reconnect until stopped, exit 0', async () => {
    const client = controller();
    const r = recordingDeps(client, { onTick: (n, stop) => n === 4 && stop.abort() });
    const running = runMonitor(args([]), r.deps);
    await until(subscribed(client));
    client.close();
    expect(await running).toBe(0);
    expect(r.connects()).toBe(3);
    expect(r.stderr()).toBe('Lost the connection to the controller, reconnecting...\n');
  });

  it('words a failed monitor creation like upstream, exit 1', async () => {
    const client = controller();
    client.failNext.set('CreateMonitor', new BluechiError(ErrorCodes.INTERNAL, 'too many monitors'));
    const r = recordingDeps(client);
    expect(await runMonitor(args([]), r.deps)).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('Failed to create monitor: too many monitors\n');
  });

  it('words a failed subscription like upstream, after the header, exit 1', async () => {
    const client = controller();
    client.failNext.set('SubscribeList', new BluechiError(ErrorCodes.INVALID_ARGS, 'Invalid unit name'));
    const r = recordingDeps(client);
    expect(await runMonitor(args(['worker1', 'x']), r.deps)).toBe(1);
    expect(r.stdout()).toBe("Monitor path: /org/eclipse/bluechi/monitor/1\nSubscribing to node 'worker1' and unit 'x'\n");
    expect(r.stderr()).toBe('Failed to subscribe to monitor: Invalid unit name\n');
  });
});
