import { describe, expect, it } from 'vitest';
import dbus from 'dbus-next';
import { AgentInterface as AGENT_API, BluechiError, ErrorCodes, argsSignature } from '@bluechi-ts/protocol';
import { AgentObject, SIGNALLED_PROPERTIES, changedProperties, type AgentBusHandlers, type AgentProperties } from './dbus-agent-service.js';

const PROPS: AgentProperties = {
  Status: 'online',
  LogLevel: 'INFO',
  LogTarget: 'journald',
  DisconnectTimestamp: 0n,
  DisconnectTimestampMonotonic: 0n,
  LastSeenTimestamp: 1_700_000_000_000_000n,
  LastSeenTimestampMonotonic: 12_345_678n,
  ControllerAddress: 'tcp:host=127.0.0.1,port=842',
};

function object(overrides: Partial<AgentBusHandlers> = {}): AgentObject {
  return new AgentObject({
    createProxy: async () => {},
    removeProxy: () => {},
    jobCancel: async () => {},
    switchController: () => {},
    properties: () => PROPS,
    ...overrides,
  });
}

type Members = {
  $methods: Record<string, { inSignature: string; outSignature: string; fn: unknown }>;
  $properties: Record<string, { signature: string; access: string }>;
};

describe('org.eclipse.bluechi.Agent on the bus', () => {
  it('introspects each property with its declared EmitsChangedSignal annotation', () => {
    const xml = object().$introspect();
    const annotations = Object.fromEntries((xml.property ?? []).map((p) => [p.$.name, p.annotation?.[0]?.$.value]));
    expect(annotations).toEqual(Object.fromEntries(Object.entries(AGENT_API.properties).map(([name, p]) => [name, p.change])));
    expect(annotations.Status).toBe('true');
    expect(annotations.LogTarget).toBe('const');
  });

  it('exports every declared method with its signature and every property read-only', () => {
    const members = AgentObject.prototype as unknown as Members;
    for (const [name, m] of Object.entries(AGENT_API.methods)) {
      expect(members.$methods[name], name).toMatchObject({ inSignature: argsSignature(m.in), outSignature: argsSignature(m.out) });
      expect(typeof members.$methods[name]!.fn, name).toBe('function');
    }
    for (const [name, p] of Object.entries(AGENT_API.properties)) {
      expect(members.$properties[name], name).toMatchObject({ signature: p.type, access: 'read' });
      expect(Object.getOwnPropertyDescriptor(AgentObject.prototype, name)?.get, name).toBeTypeOf('function');
    }
    expect(Object.keys(members.$methods).sort()).toEqual(['CreateProxy', 'JobCancel', 'RemoveProxy', 'SwitchController']);
  });

  it('reads every property from the agent, 64-bit ones as BigInt', () => {
    const o = object() as unknown as Record<string, unknown>;
    for (const name of Object.keys(AGENT_API.properties)) expect(o[name], name).toBe(PROPS[name as keyof AgentProperties]);
    expect(typeof o.LastSeenTimestampMonotonic).toBe('bigint');
  });

  it("answers a failed JobCancel or SwitchController with the error's D-Bus name and text", async () => {
    const o = object({
      jobCancel: async (id) => {
        throw new BluechiError(ErrorCodes.NOT_FOUND, `No job with ID '${id}' found`);
      },
      switchController: (address) => {
        throw new BluechiError(ErrorCodes.INVALID_ARGS, `Invalid ControllerAddress '${address}'`);
      },
    });
    const cancel = await o.JobCancel(5).catch((e: unknown) => e);
    expect(cancel).toBeInstanceOf(dbus.DBusError);
    expect(cancel).toMatchObject({ type: 'org.freedesktop.DBus.Error.Failed', text: "No job with ID '5' found" });
    let switched: unknown;
    try {
      o.SwitchController('x');
    } catch (e) {
      switched = e;
    }
    expect(switched).toMatchObject({ type: 'org.freedesktop.DBus.Error.InvalidArgs', text: "Invalid ControllerAddress 'x'" });
  });

  it('answers a proxy that could not start with ActivationFailed', async () => {
    const o = object({
      createProxy: async () => {
        throw new Error('Proxy service failed to start');
      },
    });
    await expect(o.CreateProxy('bluechi-proxy@w_t.service', 'w', 't.service')).rejects.toMatchObject({
      type: 'org.eclipse.bluechi.ActivationFailed',
      text: 'Proxy service failed to start',
    });
  });

  it('signals changes of exactly the properties declared to emit them', () => {
    expect(SIGNALLED_PROPERTIES).toEqual(
      Object.entries(AGENT_API.properties)
        .filter(([, p]) => p.change === 'true')
        .map(([n]) => n),
    );
    expect(SIGNALLED_PROPERTIES).toEqual(expect.arrayContaining(['Status', 'ControllerAddress']));
    expect(changedProperties(PROPS, PROPS)).toEqual({});
    expect(changedProperties(PROPS, { ...PROPS, Status: 'offline', LastSeenTimestamp: 1n })).toEqual({ Status: 'offline' });
    expect(changedProperties({}, PROPS)).toMatchObject({ Status: 'online', ControllerAddress: PROPS.ControllerAddress });
  });
});
