/**
 * `org.eclipse.bluechi.Monitor` at `/org/eclipse/bluechi/monitor/<id>`
 * (reference §2.4, §6): the monitor operations for the client that created
 * it. Its signals are unicast to the owner and its peers (see dbus-sessions.ts).
 */
import { MonitorInterface, type Json } from '@bluechi-ts/protocol';
import type { DbusSessions } from './dbus-sessions.js';
import type { BusObject } from './object-tree.js';

export class MonitorObject implements BusObject {
  readonly interfaces = [MonitorInterface];

  constructor(
    private readonly monitorId: number,
    private readonly sessions: DbusSessions,
  ) {}

  properties(): Record<string, Json> {
    return {};
  }

  async call(_iface: string, member: string, args: Json[], caller: string): Promise<Json[]> {
    const monitorId = this.monitorId;
    const s = this.sessions;
    switch (member) {
      case 'Subscribe':
        return [(await s.invoke(caller, 'Subscribe', { monitorId, node: args[0] as string, unit: args[1] as string })).subscriptionId];
      case 'SubscribeList':
        return [(await s.invoke(caller, 'SubscribeList', { monitorId, node: args[0] as string, units: args[1] as string[] })).subscriptionId];
      case 'Unsubscribe':
        await s.invoke(caller, 'Unsubscribe', { monitorId, subscriptionId: args[0] as number });
        return [];
      case 'AddPeer':
        return [(await s.invoke(caller, 'AddPeer', { monitorId, peer: args[0] as string })).peerId];
      case 'RemovePeer':
        await s.invoke(caller, 'RemovePeer', { monitorId, peerId: args[0] as number, reason: args[1] as string });
        return [];
      case 'Close':
        await s.invoke(caller, 'CloseMonitor', { monitorId });
        return [];
      default:
        throw new Error(`org.eclipse.bluechi.Monitor.${member} has no handler`);
    }
  }
}
