/**
 * `org.eclipse.bluechi.Controller` at `/org/eclipse/bluechi` (reference §2.1).
 * Its methods are the controller operations; CreateMonitor also puts the new
 * monitor on the bus, owned by the caller.
 */
import { ControllerInterface, type Json, type LogTarget } from '@bluechi-ts/protocol';
import type { Services } from '../operations/index.js';
import type { DbusSessions } from './dbus-sessions.js';
import type { BusObject } from './object-tree.js';
import { unitFileRow, unitRow } from './unit-rows.js';

export class ControllerObject implements BusObject {
  readonly interfaces = [ControllerInterface];

  constructor(
    private readonly services: Services,
    private readonly sessions: DbusSessions,
    private readonly logTarget: LogTarget,
    /** Puts a monitor created by `owner` on the bus. */
    private readonly monitorCreated: (monitorId: number, path: string) => void,
  ) {}

  properties(): Record<string, Json> {
    return { Status: this.services.registry.systemStatus(), LogLevel: this.services.logLevel(), LogTarget: this.logTarget };
  }

  async call(_iface: string, member: string, args: Json[], caller: string): Promise<Json[]> {
    const s = this.sessions;
    switch (member) {
      case 'ListUnits': {
        const r = await s.invoke(caller, 'ListUnits', {});
        return [Object.fromEntries(r.nodes.map((n) => [n.node, n.units.map(unitRow)]))];
      }
      case 'ListUnitFiles': {
        const r = await s.invoke(caller, 'ListUnitFiles', {});
        return [Object.fromEntries(r.nodes.map((n) => [n.node, n.unitFiles.map(unitFileRow)]))];
      }
      case 'ListNodes': {
        const r = await s.invoke(caller, 'ListNodes', {});
        const paths = new Map(this.services.registry.list().map((n) => [n.name, n.path]));
        return [r.nodes.map((n) => [n.name, paths.get(n.name)!, n.status, n.peerIp])];
      }
      case 'GetNode':
        return [(await s.invoke(caller, 'GetNode', { node: args[0] as string })).path];
      case 'CreateMonitor': {
        const { monitorId, path } = await s.invoke(caller, 'CreateMonitor', {});
        this.monitorCreated(monitorId, path);
        return [path];
      }
      case 'EnableMetrics':
      case 'DisableMetrics':
        await s.invoke(caller, member, {});
        return [];
      case 'SetLogLevel':
        await s.invoke(caller, 'SetLogLevel', { level: args[0] as string });
        return [];
      default:
        throw new Error(`org.eclipse.bluechi.Controller.${member} has no handler`);
    }
  }
}
