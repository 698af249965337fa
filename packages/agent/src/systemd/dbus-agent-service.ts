/**
 * The agent's public D-Bus API on the node's system bus: `org.eclipse.bluechi.Agent`
 * at `/org/eclipse/bluechi`, with upstream's names and signatures as the
 * protocol's dbus-interfaces.ts declares them (the build writes the
 * introspection XML from the same declaration), so upstream's bluechi-proxy,
 * bluechi-is-online and busctl can use it.
 *
 *   CreateProxy(s local_service_name, s node, s unit)
 *       answered once the remote target is active, or with org.eclipse.bluechi.ActivationFailed
 *   RemoveProxy(s local_service_name, s node, s unit)
 *       always succeeds
 *   JobCancel(u id)
 *       cancels the systemd job behind that controller job id on this node;
 *       Failed "No job with ID '<n>' found" for an unknown id
 *   SwitchController(s dbus_address)
 *       answered as soon as the address is switched, never after the new
 *       connection; InvalidArgs for an address the agent cannot dial, Failed
 *       for the current address
 *
 *   Status                        s  online (registered) | offline            emits change
 *   LogLevel                      s  DEBUG | INFO | WARN | ERROR
 *   LogTarget                     s  journald | stderr | stderr-full          const
 *   DisconnectTimestamp           t  µs (realtime) the connection was lost; 0 while online
 *   DisconnectTimestampMonotonic  t  the same on CLOCK_MONOTONIC
 *   LastSeenTimestamp             t  µs (realtime) of the last registration or controller heartbeat
 *   LastSeenTimestampMonotonic    t  the same on CLOCK_MONOTONIC
 *   ControllerAddress             s  sd-bus address, e.g. tcp:host=10.0.0.1,port=842   emits change
 *
 * A failure keeps the D-Bus error name of the BluechiError behind it. Like
 * dbus-next-port.ts, one of the two files that import dbus-next.
 */
import dbus from 'dbus-next';
import type { MessageBus } from 'dbus-next';
import { AgentInterface as AGENT_API, argsSignature, toBluechiError } from '@bluechi-ts/protocol';

export const AGENT_BUS_NAME = 'org.eclipse.bluechi.Agent';
export const AGENT_OBJECT_PATH = '/org/eclipse/bluechi';
export const AGENT_INTERFACE = AGENT_API.name;
export const ACTIVATION_FAILED = 'org.eclipse.bluechi.ActivationFailed';

/** Every property, under its D-Bus name; `t` values as BigInt. */
export type AgentProperties = {
  Status: 'online' | 'offline';
  LogLevel: string;
  LogTarget: string;
  DisconnectTimestamp: bigint;
  DisconnectTimestampMonotonic: bigint;
  LastSeenTimestamp: bigint;
  LastSeenTimestampMonotonic: bigint;
  ControllerAddress: string;
};

/** What the agent does for each method, and its properties. Failures are BluechiErrors. */
export interface AgentBusHandlers {
  createProxy(serviceName: string, node: string, unit: string): Promise<void>;
  removeProxy(serviceName: string, node: string, unit: string): void;
  jobCancel(jobId: number): Promise<void>;
  /** Sets the address and starts reconnecting; returns without waiting for the connection. */
  switchController(address: string): void;
  properties(): AgentProperties;
}

export interface AgentBusService {
  /** Emits PropertiesChanged for the change-signalled properties that differ from what was last announced. */
  propertiesChanged(): void;
  close(): Promise<void>;
}

const { Interface, DBusError, ACCESS_READ } = { ...dbus.interface, DBusError: dbus.DBusError };

function busError(err: unknown): Error {
  const e = toBluechiError(err);
  return new DBusError(e.dbusName, e.message);
}

/** The exported object. Members are defined here first: configureMembers() captures them. */
/** The shape dbus-next's `$introspect()` returns, as far as it is touched here. */
type IntrospectedInterface = {
  property?: Array<{ $: { name: string }; annotation?: Array<{ $: { name: string; value: string } }> }>;
};

export class AgentObject extends Interface {
  constructor(private readonly h: AgentBusHandlers) {
    super(AGENT_INTERFACE);
  }

  /**
   * dbus-next's introspection leaves out the EmitsChangedSignal annotation
   * (so clients assume every property signals changes); add the declared one.
   */
  $introspect(): IntrospectedInterface {
    // Not in dbus-next's type declarations, but the method its bus calls to introspect.
    const xml = (Interface.prototype as unknown as { $introspect(): IntrospectedInterface }).$introspect.call(this);
    for (const p of xml.property ?? []) {
      const change = AGENT_API.properties[p.$.name]?.change;
      if (change) p.annotation = [{ $: { name: 'org.freedesktop.DBus.Property.EmitsChangedSignal', value: change } }];
    }
    return xml;
  }

  CreateProxy(serviceName: string, node: string, unit: string): Promise<void> {
    return this.h.createProxy(serviceName, node, unit).catch((err: Error) => {
      throw new DBusError(ACTIVATION_FAILED, err.message);
    });
  }

  RemoveProxy(serviceName: string, node: string, unit: string): void {
    this.h.removeProxy(serviceName, node, unit);
  }

  JobCancel(jobId: number): Promise<void> {
    return this.h.jobCancel(jobId).catch((err: unknown) => {
      throw busError(err);
    });
  }

  SwitchController(address: string): void {
    try {
      this.h.switchController(address);
    } catch (err) {
      throw busError(err);
    }
  }

  get Status(): string {
    return this.h.properties().Status;
  }
  get LogLevel(): string {
    return this.h.properties().LogLevel;
  }
  get LogTarget(): string {
    return this.h.properties().LogTarget;
  }
  get DisconnectTimestamp(): bigint {
    return this.h.properties().DisconnectTimestamp;
  }
  get DisconnectTimestampMonotonic(): bigint {
    return this.h.properties().DisconnectTimestampMonotonic;
  }
  get LastSeenTimestamp(): bigint {
    return this.h.properties().LastSeenTimestamp;
  }
  get LastSeenTimestampMonotonic(): bigint {
    return this.h.properties().LastSeenTimestampMonotonic;
  }
  get ControllerAddress(): string {
    return this.h.properties().ControllerAddress;
  }
}

AgentObject.configureMembers({
  methods: Object.fromEntries(
    Object.entries(AGENT_API.methods).map(([name, m]) => [name, { inSignature: argsSignature(m.in), outSignature: argsSignature(m.out) }]),
  ),
  properties: Object.fromEntries(Object.entries(AGENT_API.properties).map(([name, p]) => [name, { signature: p.type, access: ACCESS_READ }])),
});

/** The properties whose changes are signalled (EmitsChangedSignal=true). */
export const SIGNALLED_PROPERTIES = Object.entries(AGENT_API.properties)
  .filter(([, p]) => p.change === 'true')
  .map(([name]) => name as keyof AgentProperties);

/** The signalled properties of `now` that differ from `last`. */
export function changedProperties(last: Partial<AgentProperties>, now: AgentProperties): Partial<AgentProperties> {
  const changed: Record<string, unknown> = {};
  for (const k of SIGNALLED_PROPERTIES) if (now[k] !== last[k]) changed[k] = now[k];
  return changed as Partial<AgentProperties>;
}

const DBUS_NAME_FLAG_DO_NOT_QUEUE = 4;
const DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER = 1;
const DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER = 4;

export async function serveAgentBus(handlers: AgentBusHandlers): Promise<AgentBusService> {
  const bus: MessageBus = dbus.systemBus();
  bus.on('error', () => {});
  const iface = new AgentObject(handlers);
  bus.export(AGENT_OBJECT_PATH, iface);
  let reply: number;
  try {
    reply = await bus.requestName(AGENT_BUS_NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE);
  } catch (err) {
    bus.disconnect();
    throw new Error(`Failed to acquire ${AGENT_BUS_NAME} on the system bus: ${(err as Error).message}`);
  }
  if (reply !== DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER && reply !== DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER) {
    bus.disconnect();
    throw new Error(`Failed to acquire ${AGENT_BUS_NAME} on the system bus: another agent owns it`);
  }
  let last: Partial<AgentProperties> = handlers.properties();
  let closed = false;
  return {
    propertiesChanged() {
      if (closed) return;
      const changed = changedProperties(last, handlers.properties());
      if (Object.keys(changed).length === 0) return;
      last = { ...last, ...changed };
      try {
        Interface.emitPropertiesChanged(iface, changed, []);
      } catch {
        // The bus connection is gone (e.g. shutting down): nobody to tell.
      }
    },
    async close() {
      closed = true;
      bus.disconnect();
    },
  };
}
