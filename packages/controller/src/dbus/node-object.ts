/**
 * `org.eclipse.bluechi.Node` at `/org/eclipse/bluechi/node/<escaped name>`
 * (reference §2.2), one per configured node, online or not. Every method is
 * the controller operation of the same name for this node; an offline node's
 * calls fail with org.eclipse.bluechi.Offline "Node is offline" before their
 * arguments are checked (reference §2.1: upstream refuses them in a bus
 * filter), while its properties stay readable.
 */
import { BluechiError, ErrorCodes, Messages, NodeInterface, jobObjectPath, type Json } from '@bluechi-ts/protocol';
import type { ControllerNode } from '../node.js';
import type { DbusSessions } from './dbus-sessions.js';
import type { BusObject } from './object-tree.js';
import { changeRow, typedDict, typedProperties, unitFileRow, unitRow } from './unit-rows.js';

/** CLOCK_MONOTONIC minus performance.now(), in ms: the node's monotonic times are kept on the latter. */
const MONOTONIC_OFFSET_MS = Number(process.hrtime.bigint() / 1000n) / 1000 - performance.now();

export class NodeObject implements BusObject {
  readonly interfaces = [NodeInterface];

  constructor(
    private readonly node: ControllerNode,
    private readonly sessions: DbusSessions,
  ) {}

  properties(): Record<string, Json> {
    const n = this.node;
    const seenMono = n.lastSeenMono > 0 ? Math.round((n.lastSeenMono + MONOTONIC_OFFSET_MS) * 1000) : 0;
    return {
      Name: n.name,
      Status: n.status,
      PeerIp: n.peerIp,
      LastSeenTimestamp: n.lastSeenWall * 1000,
      LastSeenTimestampMonotonic: seenMono,
    };
  }

  admit(): void {
    if (this.node.status !== 'online') throw new BluechiError(ErrorCodes.NODE_OFFLINE, Messages.nodeOffline);
  }

  async call(_iface: string, member: string, args: Json[], caller: string): Promise<Json[]> {
    const node = this.node.name;
    const s = this.sessions;
    const str = (i: number) => args[i] as string;
    const bool = (i: number) => args[i] as boolean;
    switch (member) {
      case 'StartUnit':
      case 'StopUnit':
      case 'RestartUnit':
      case 'ReloadUnit': {
        const { jobId } = await s.invoke(caller, member, { node, unit: str(0), mode: str(1) as never });
        return [jobObjectPath(jobId)];
      }
      case 'StartTransientUnit': {
        const aux = (args[3] as Array<[string, Json]>).map(([name, props]) => ({ name, properties: typedProperties(props) }));
        const r = await s.invoke(caller, 'StartTransientUnit', { node, unit: str(0), mode: str(1) as never, properties: typedProperties(args[2]!), aux });
        return [r.jobPath];
      }
      case 'FreezeUnit':
      case 'ThawUnit':
      case 'ResetFailedUnit':
        await s.invoke(caller, member, { node, unit: str(0) });
        return [];
      case 'KillUnit':
        await s.invoke(caller, 'KillUnit', { node, unit: str(0), whom: str(1) as never, signal: args[2] as number });
        return [];
      case 'GetUnitProperties': {
        const r = await s.invoke(caller, 'GetUnitProperties', { node, unit: str(0), interface: str(1) });
        return [typedDict(r.properties as Record<string, Json>, r.signatures)];
      }
      case 'GetUnitProperty': {
        const r = await s.invoke(caller, 'GetUnitProperty', { node, unit: str(0), interface: str(1), property: str(2) });
        return [{ signature: r.signature, value: r.value as Json }];
      }
      case 'SetUnitProperties':
        await s.invoke(caller, 'SetUnitProperties', { node, unit: str(0), runtime: bool(1), properties: typedProperties(args[2]!) });
        return [];
      case 'EnableUnitFiles': {
        const r = await s.invoke(caller, 'EnableUnitFiles', { node, files: args[0] as string[], runtime: bool(1), force: bool(2) });
        return [r.carriesInstallInfo, r.changes.map(changeRow)];
      }
      case 'DisableUnitFiles': {
        const r = await s.invoke(caller, 'DisableUnitFiles', { node, files: args[0] as string[], runtime: bool(1) });
        return [r.changes.map(changeRow)];
      }
      case 'ListUnits': {
        const r = await s.invoke(caller, 'ListUnits', { node });
        return [(r.nodes[0]?.units ?? []).map(unitRow)];
      }
      case 'ListUnitFiles': {
        const r = await s.invoke(caller, 'ListUnitFiles', { node });
        return [(r.nodes[0]?.unitFiles ?? []).map(unitFileRow)];
      }
      case 'GetUnitFileState':
        return [(await s.invoke(caller, 'GetUnitFileState', { node, file: str(0) })).state];
      case 'Reload':
      case 'ResetFailed':
        await s.invoke(caller, member, { node });
        return [];
      case 'SetLogLevel':
        await s.invoke(caller, 'SetLogLevel', { node, level: str(0) });
        return [];
      case 'GetDefaultTarget':
        return [(await s.invoke(caller, 'GetDefaultTarget', { node })).target];
      case 'SetDefaultTarget': {
        const r = await s.invoke(caller, 'SetDefaultTarget', { node, target: str(0), force: bool(1) });
        return [r.changes.map(changeRow)];
      }
      default:
        throw new Error(`org.eclipse.bluechi.Node.${member} has no handler`);
    }
  }
}
