import { describe, expect, it, vi } from 'vitest';
import type { RequestContext } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { FakeSystemdManager } from '../systemd/fake-manager.js';
import { UnitWatch } from '../unit-watch.js';
import { agentHandlers } from './index.js';

const log = createLogger({ name: 'test', level: 'ERROR', target: 'stderr', quiet: true });
const ctx: RequestContext = { id: 1, signal: new AbortController().signal };
const UNIT = 'org.freedesktop.systemd1.Unit';
const SERVICE = 'org.freedesktop.systemd1.Service';
const EXEC_TRUE = { name: 'ExecStart', signature: 'a(sasb)', value: [['/bin/true', ['/bin/true'], false]] };

function setup() {
  const systemd = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' } });
  const notify = vi.fn();
  const handlers = agentHandlers({ systemd, watch: new UnitWatch(systemd, notify, log), notify, log, metrics: { enabled: false } });
  return { systemd, handlers, notify };
}

describe('agent handlers: GetUnitProperty and SetUnitProperties', () => {
  it('reads one property as its signature and JSON value', async () => {
    const { handlers } = setup();
    expect(await handlers.GetUnitProperty({ unit: 'a.service', interface: UNIT, property: 'SubState' }, ctx)).toEqual({ signature: 's', value: 'running' });
  });

  it('writes properties that later reads see', async () => {
    const { handlers } = setup();
    expect(
      await handlers.SetUnitProperties(
        { unit: 'a.service', runtime: true, properties: [{ name: 'CPUWeight', signature: 't', value: '200' }] },
        ctx,
      ),
    ).toEqual({});
    expect(await handlers.GetUnitProperty({ unit: 'a.service', interface: SERVICE, property: 'CPUWeight' }, ctx)).toEqual({ signature: 't', value: '200' });
  });

  it("keeps systemd's error name and text", async () => {
    const { handlers } = setup();
    await expect(handlers.GetUnitProperty({ unit: 'a.service', interface: UNIT, property: 'Nope' }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: `Unknown interface ${UNIT} or property Nope.`,
      data: { dbusName: 'org.freedesktop.DBus.Error.UnknownProperty' },
    });
    await expect(handlers.SetUnitProperties({ unit: 'nosuch.service', runtime: false, properties: [] }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      message: 'Unit nosuch.service not found.',
      data: { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' },
    });
  });

  it.each<[string, string, unknown, string]>([
    ['a value of the wrong type', 't', 'many', "CPUWeight does not fit D-Bus type 't': expected an integer"],
    ['an out-of-range value', 'u', 2 ** 32, "CPUWeight does not fit D-Bus type 'u': expected an integer in range"],
    ['a malformed signature', 'a{s', {}, "Invalid D-Bus signature 'a{s'"],
    ['two types in one signature', 'tt', 1, "Invalid D-Bus signature 'tt': the value of property CPUWeight needs exactly one complete type"],
  ])('answers %s with INVALID_ARGS and a clear message', async (_what, signature, value, message) => {
    const { handlers, systemd } = setup();
    const err = await Promise.resolve(
      handlers.SetUnitProperties({ unit: 'a.service', runtime: true, properties: [{ name: 'CPUWeight', signature, value }] }, ctx),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_ARGS' });
    expect((err as Error).message).toContain(message);
    expect((await systemd.getUnitProperties('a.service', SERVICE)).properties).not.toHaveProperty('CPUWeight');
  });

  it('refuses an invalid unit name before systemd sees it', async () => {
    const { handlers, systemd } = setup();
    await expect(Promise.resolve().then(() => handlers.GetUnitProperty({ unit: 'x', interface: UNIT, property: 'Id' }, ctx))).rejects.toMatchObject({
      code: 'INVALID_UNIT_NAME',
    });
    await expect(Promise.resolve().then(() => handlers.SetUnitProperties({ unit: 'x', runtime: true, properties: [] }, ctx))).rejects.toMatchObject({
      code: 'INVALID_UNIT_NAME',
    });
    expect(systemd.managerCalls).toEqual([]);
  });
});

describe('agent handlers: StartTransientUnit', () => {
  it("answers with systemd's job path and sends no job signals", async () => {
    const { handlers, systemd, notify } = setup();
    const { jobPath } = await handlers.StartTransientUnit({ unit: 'run-9.service', mode: 'replace', properties: [EXEC_TRUE], aux: [] }, ctx);
    expect(jobPath).toMatch(/^\/org\/freedesktop\/systemd1\/job\/\d+$/);
    await vi.waitFor(() => expect(systemd.unit('run-9.service')?.activeState).toBe('active'));
    expect(systemd.pendingJobs).toBe(0);
    expect(notify).not.toHaveBeenCalled();
  });

  it("keeps systemd's error name, and refuses bad values and names with clear errors", async () => {
    const { handlers } = setup();
    await expect(handlers.StartTransientUnit({ unit: 'a.service', mode: 'replace', properties: [EXEC_TRUE], aux: [] }, ctx)).rejects.toMatchObject({
      code: 'SYSTEMD_ERROR',
      data: { dbusName: 'org.freedesktop.systemd1.UnitExists' },
    });
    await expect(
      handlers.StartTransientUnit({ unit: 'b.service', mode: 'replace', properties: [{ ...EXEC_TRUE, value: '/bin/true' }], aux: [] }, ctx),
    ).rejects.toMatchObject({ code: 'INVALID_ARGS', message: "ExecStart does not fit D-Bus type 'a(sasb)': expected an array" });
    await expect(
      Promise.resolve().then(() => handlers.StartTransientUnit({ unit: 'b.service', mode: 'replace', properties: [EXEC_TRUE], aux: [{ name: 'bad', properties: [] }] }, ctx)),
    ).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
  });
});
