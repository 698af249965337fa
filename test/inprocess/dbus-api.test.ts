/**
 * The D-Bus API and the local API are two adapters over one set of controller
 * operations: a real controller and agents (fake systemd) with the controller's
 * D-Bus API on an in-memory bus. A job started through either adapter is the
 * same job, with the same id, seen by both; monitors and node status reach the
 * bus as upstream's signals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runJob, startAgent, startController, waitFor, waitOnline, type TestAgent, type TestController } from './fixture.js';

const NODE = '/org/eclipse/bluechi/node/worker1';
const N = 'org.eclipse.bluechi.Node';
const C = 'org.eclipse.bluechi.Controller';
const M = 'org.eclipse.bluechi.Monitor';

describe('the D-Bus API over the controller operations', () => {
  let ctl: TestController;
  const agents: TestAgent[] = [];

  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await ctl?.stop();
  });

  async function cluster(): Promise<void> {
    ctl = await startController('', ['worker1']);
    agents.push(startAgent('worker1', `unix:path=${ctl.agentSocket}`, { units: { 'a.service': {}, 'b.service': { failing: true } } }));
    await waitOnline(await ctl.api(), ['worker1']);
  }

  it('a job started on the bus is the job the local API sees, and JobNew comes before JobRemoved', async () => {
    await cluster();
    const reply = await ctl.bus.call(':1.10', NODE, N, 'StartUnit', 'ss', ['a.service', 'replace']);
    expect(reply.body).toEqual(['/org/eclipse/bluechi/job/1']);
    const removed = await waitFor('JobRemoved', () => ctl.bus.signals.find((s) => s.member === 'JobRemoved'));
    expect(removed.body).toEqual([1, '/org/eclipse/bluechi/job/1', 'worker1', 'a.service', 'done']);
    const order = ctl.bus.signals.filter((s) => s.member.startsWith('Job') || s.path.startsWith('/org/eclipse/bluechi/job/')).map((s) => s.member);
    expect(order[0]).toBe('JobNew');
    expect(order.at(-1)).toBe('JobRemoved');

    const api = await ctl.api();
    const viaSocket = await runJob(api, 'start', 'worker1', 'b.service');
    expect(viaSocket).toMatchObject({ jobId: 2, result: 'failed' });
    await waitFor('JobRemoved of job 2', () => ctl.bus.signals.find((s) => s.member === 'JobRemoved' && s.body[0] === 2));
    expect(ctl.bus.signals.filter((s) => s.member === 'JobNew').map((s) => s.body[0])).toEqual([1, 2]);
  });

  it('monitor events reach the owner on the bus, and node status changes are signalled', async () => {
    await cluster();
    const monitor = (await ctl.bus.call(':1.20', '/org/eclipse/bluechi', C, 'CreateMonitor')).body[0] as string;
    expect((await ctl.bus.call(':1.20', monitor, M, 'Subscribe', 'ss', ['worker1', 'a.service'])).body).toEqual([2]);
    await runJob(await ctl.api(), 'start', 'worker1', 'a.service');
    const state = await waitFor('UnitStateChanged active', () =>
      ctl.bus.signals.find((s) => s.member === 'UnitStateChanged' && s.body[2] === 'active'),
    );
    expect(state).toMatchObject({ path: monitor, destination: ':1.20', body: ['worker1', 'a.service', 'active', 'running', 'real'] });

    ctl.bus.signals.length = 0;
    await agents[0]!.stop();
    const offline = await waitFor('Node Status offline', () =>
      ctl.bus.signals.find((s) => s.path === NODE && s.member === 'PropertiesChanged'),
    );
    expect(offline.body).toEqual([N, { Status: { signature: 's', value: 'offline' } }, []]);
    const down = ctl.bus.signals.find((s) => s.path === '/org/eclipse/bluechi' && s.member === 'PropertiesChanged');
    expect(down?.body).toEqual([C, { Status: { signature: 's', value: 'down' } }, []]);
    const refused = await ctl.bus.call(':1.20', NODE, N, 'StopUnit', 'ss', ['a.service', 'replace']);
    expect(refused.error).toEqual({ name: 'org.eclipse.bluechi.Offline', text: 'Node is offline' });

    ctl.bus.leave(':1.20');
    expect(ctl.controller.monitors.size).toBe(0);
  });
});
