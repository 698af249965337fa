import { describe, expect, it } from 'vitest';
import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { fakeServices, recordingSession, type AgentAnswer } from './fake-services.js';
import { forward, oneOrEveryNode, onlineNode } from './forward.js';

/** Nodes n1..n4; n1..n3 online, each answering through `answer` (by node). */
function setup(answer?: AgentAnswer) {
  const { services: s, ops, calls } = fakeServices({ nodes: ['n1', 'n2', 'n3', 'n4'], attached: ['n3', 'n1', 'n2'], answer });
  return { s, ctx: recordingSession().ctx, calls, ops };
}

const fail = (code: keyof typeof ErrorCodes, message: string, dbusName?: string) => {
  throw new BluechiError(ErrorCodes[code], message, dbusName ? { dbusName } : {});
};

describe('onlineNode and forward', () => {
  it('refuses an unknown node as a missing object and an offline one as offline', () => {
    const { s } = setup();
    expect(() => onlineNode(s.registry, 'nosuch')).toThrow(
      expect.objectContaining({ code: 'NODE_NOT_FOUND', message: "Unknown object '/org/eclipse/bluechi/node/nosuch'." }),
    );
    expect(() => onlineNode(s.registry, 'n4')).toThrow(expect.objectContaining({ code: 'NODE_OFFLINE', message: 'Node is offline' }));
    expect(onlineNode(s.registry, 'n1').name).toBe('n1');
  });

  it("sends the request with the caller's AbortSignal and returns the agent's reply", async () => {
    const { s, ctx, calls } = setup(() => ({ state: 'enabled' }));
    expect(await forward(s, ctx, 'n2', 'GetUnitFileState', { file: 'a.service' })).toEqual({ state: 'enabled' });
    expect(calls).toEqual([{ node: 'n2', method: 'GetUnitFileState', params: { file: 'a.service' }, signal: ctx.signal }]);
  });

  it("passes the agent's error back unchanged, D-Bus name included", async () => {
    const { s, ctx } = setup(() => fail('SYSTEMD_ERROR', 'Unit a.service not loaded.', 'org.freedesktop.systemd1.NoSuchUnit'));
    await expect(forward(s, ctx, 'n1', 'FreezeUnit', { unit: 'a.service' })).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Unit a.service not loaded.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
  });
});

describe('oneOrEveryNode without a node', () => {
  it('asks every online node and answers in configuration order', async () => {
    const { s, ctx, calls } = setup((node) => ({ units: [], node }));
    const out = await oneOrEveryNode(s, ctx, undefined, 'ListUnits', {}, (name) => name);
    expect(out).toEqual(['n1', 'n2', 'n3']);
    expect(calls.map((c) => c.signal)).toEqual([ctx.signal, ctx.signal, ctx.signal]);
  });

  it('leaves out a node that drops meanwhile', async () => {
    const { s, ctx } = setup((node) => {
      if (node === 'n2') fail('CONNECTION_CLOSED', 'connection closed (1006)');
      if (node === 'n3') fail('NODE_OFFLINE', 'Node is offline');
      return { units: [] };
    });
    expect(await oneOrEveryNode(s, ctx, undefined, 'ListUnits', {}, (name) => name)).toEqual(['n1']);
  });

  it('fails the whole request when one node fails otherwise, as upstream words it', async () => {
    const { s, ctx } = setup((node) => (node === 'n2' ? fail('SYSTEMD_ERROR', 'Access denied', 'org.freedesktop.DBus.Error.AccessDenied') : { units: [] }));
    await expect(oneOrEveryNode(s, ctx, undefined, 'ListUnits', {}, (name) => name)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Request to at least one node failed: Access denied',
      data: { dbusName: 'org.freedesktop.DBus.Error.AccessDenied' },
    });
  });
});

describe('unit and unit-file operations', () => {
  it('forward each request to the named node with its own parameters', async () => {
    const { ctx, calls, ops } = setup((_node, method) =>
      method === 'EnableUnitFiles' ? { carriesInstallInfo: true, changes: [] } : method === 'GetDefaultTarget' ? { target: 'multi-user.target' } : { changes: [] },
    );
    await ops.FreezeUnit({ node: 'n1', unit: 'a.service' }, ctx);
    await ops.ThawUnit({ node: 'n1', unit: 'a.service' }, ctx);
    await ops.KillUnit({ node: 'n1', unit: 'a.service', whom: 'main', signal: 9 }, ctx);
    await ops.ResetFailed({ node: 'n1' }, ctx);
    await ops.ResetFailedUnit({ node: 'n1', unit: 'a.service' }, ctx);
    expect(await ops.EnableUnitFiles({ node: 'n2', files: ['a.service'], runtime: true, force: false }, ctx)).toEqual({ carriesInstallInfo: true, changes: [] });
    await ops.DisableUnitFiles({ node: 'n2', files: ['a.service'], runtime: false }, ctx);
    await ops.Reload({ node: 'n2' }, ctx);
    expect(await ops.GetDefaultTarget({ node: 'n2' }, ctx)).toEqual({ target: 'multi-user.target' });
    await ops.SetDefaultTarget({ node: 'n2', target: 'multi-user.target', force: true }, ctx);
    await ops.GetUnitProperties({ node: 'n3', unit: 'a.service' }, ctx);
    expect(calls.map((c) => `${c.node} ${c.method} ${JSON.stringify(c.params)}`)).toEqual([
      'n1 FreezeUnit {"unit":"a.service"}',
      'n1 ThawUnit {"unit":"a.service"}',
      'n1 KillUnit {"unit":"a.service","whom":"main","signal":9}',
      'n1 ResetFailed {}',
      'n1 ResetFailedUnit {"unit":"a.service"}',
      'n2 EnableUnitFiles {"files":["a.service"],"runtime":true,"force":false}',
      'n2 DisableUnitFiles {"files":["a.service"],"runtime":false}',
      'n2 Reload {}',
      'n2 GetDefaultTarget {}',
      'n2 SetDefaultTarget {"target":"multi-user.target","force":true}',
      'n3 GetUnitProperties {"unit":"a.service","interface":""}',
    ]);
  });

  it('check unit names once, before anything goes to a node', async () => {
    const { ctx, calls, ops } = setup();
    await expect(ops.KillUnit({ node: 'n1', unit: 'no unit', whom: 'all', signal: 15 }, ctx)).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
    await expect(ops.SetDefaultTarget({ node: 'n1', target: 'x', force: false }, ctx)).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
    expect(calls).toEqual([]);
  });

  it('list units and unit files of one node or of every online node', async () => {
    const { ctx, ops } = setup((node, method) => (method === 'ListUnitFiles' ? { unitFiles: [{ path: `/x/${node}.service`, state: 'static' }] } : { units: [] }));
    expect(await ops.ListUnitFiles({ node: 'n2' }, ctx)).toEqual({ nodes: [{ node: 'n2', unitFiles: [{ path: '/x/n2.service', state: 'static' }] }] });
    expect((await ops.ListUnitFiles({}, ctx)).nodes.map((n) => n.node)).toEqual(['n1', 'n2', 'n3']);
    expect((await ops.ListUnits({}, ctx)).nodes.map((n) => n.node)).toEqual(['n1', 'n2', 'n3']);
    await expect(ops.ListUnits({ node: 'n4' }, ctx)).rejects.toMatchObject({ code: 'NODE_OFFLINE' });
  });
});
