/**
 * The agent's public D-Bus API on the node's system bus: `org.eclipse.bluechi.Agent`
 * at `/org/eclipse/bluechi`, with upstream's names and signatures, so upstream's
 * own bluechi-proxy (and our shell helper, through busctl) can use it.
 *
 *   CreateProxy(s local_service_name, s node, s unit)  answered once the remote
 *       target is active, or with org.eclipse.bluechi.ActivationFailed
 *   RemoveProxy(s, s, s)                                always succeeds
 *   Status (s, emits change)                            online | offline
 *
 * Like dbus-next-port.ts, one of the two files that import dbus-next.
 */
import dbus from 'dbus-next';
import type { MessageBus } from 'dbus-next';

export const AGENT_BUS_NAME = 'org.eclipse.bluechi.Agent';
export const AGENT_OBJECT_PATH = '/org/eclipse/bluechi';
export const AGENT_INTERFACE = 'org.eclipse.bluechi.Agent';
export const ACTIVATION_FAILED = 'org.eclipse.bluechi.ActivationFailed';

export interface AgentBusHandlers {
  createProxy(serviceName: string, node: string, unit: string): Promise<void>;
  removeProxy(serviceName: string, node: string, unit: string): void;
  status(): 'online' | 'offline';
  controllerAddress(): string;
}

export interface AgentBusService {
  statusChanged(): void;
  close(): Promise<void>;
}

const { Interface, DBusError, ACCESS_READ } = { ...dbus.interface, DBusError: dbus.DBusError };

class AgentInterface extends Interface {
  constructor(private readonly h: AgentBusHandlers) {
    super(AGENT_INTERFACE);
  }

  CreateProxy(serviceName: string, node: string, unit: string): Promise<void> {
    return this.h.createProxy(serviceName, node, unit).catch((err: Error) => {
      throw new DBusError(ACTIVATION_FAILED, err.message);
    });
  }

  RemoveProxy(serviceName: string, node: string, unit: string): void {
    this.h.removeProxy(serviceName, node, unit);
  }

  get Status(): string {
    return this.h.status();
  }

  get ControllerAddress(): string {
    return this.h.controllerAddress();
  }
}

AgentInterface.configureMembers({
  methods: {
    CreateProxy: { inSignature: 'sss', outSignature: '' },
    RemoveProxy: { inSignature: 'sss', outSignature: '' },
  },
  properties: {
    Status: { signature: 's', access: ACCESS_READ },
    ControllerAddress: { signature: 's', access: ACCESS_READ },
  },
});

const DBUS_NAME_FLAG_DO_NOT_QUEUE = 4;
const DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER = 1;
const DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER = 4;

export async function serveAgentBus(handlers: AgentBusHandlers): Promise<AgentBusService> {
  const bus: MessageBus = dbus.systemBus();
  bus.on('error', () => {});
  const iface = new AgentInterface(handlers);
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
  let last = handlers.status();
  let closed = false;
  return {
    statusChanged() {
      const now = handlers.status();
      if (closed || now === last) return;
      last = now;
      try {
        Interface.emitPropertiesChanged(iface, { Status: now }, []);
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
