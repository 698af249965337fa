/**
 * The objects the controller serves on the bus, by path, and the one dispatcher
 * of calls to them. It serves the standard interfaces (Peer, Introspectable,
 * Properties) for every object, checks each call's signature against the
 * declaration in `@bluechi-ts/protocol`'s dbus-interfaces, converts arguments,
 * results and signal bodies between the bus library's values and their JSON
 * form (dbus-values), and turns a thrown error into a D-Bus error reply:
 * BluechiError -> its D-Bus name and message, a value that does not fit its
 * type -> InvalidArgs, anything else -> Failed.
 */
import { readFileSync } from 'node:fs';
import {
  BluechiError,
  DbusSignatureError,
  DbusValueError,
  SchemaError,
  StandardInterfaces,
  argsSignature,
  dbusToJson,
  introspectionXml,
  jsonToDbus,
  type DbusInterfaceSpec,
  type Json,
} from '@bluechi-ts/protocol';
import type { BusCall, BusServer } from './bus-server.js';

/** An object on the bus; everything it sees and returns is in the JSON form of dbus-values. */
export interface BusObject {
  readonly interfaces: readonly DbusInterfaceSpec[];
  /** The current values of one interface's properties. */
  properties(iface: string): Record<string, Json>;
  /** Runs one method of one of its interfaces; resolves with the out arguments. */
  call(iface: string, member: string, args: Json[], caller: string): Json[] | Promise<Json[]>;
  /**
   * Throws to refuse a call of one of its own methods before its arguments
   * are even looked at, as upstream's bus filter refuses an offline node's.
   */
  admit?(iface: string, member: string): void;
}

export const DBUS_ERROR = {
  UNKNOWN_OBJECT: 'org.freedesktop.DBus.Error.UnknownObject',
  UNKNOWN_METHOD: 'org.freedesktop.DBus.Error.UnknownMethod',
  UNKNOWN_INTERFACE: 'org.freedesktop.DBus.Error.UnknownInterface',
  UNKNOWN_PROPERTY: 'org.freedesktop.DBus.Error.UnknownProperty',
  PROPERTY_READ_ONLY: 'org.freedesktop.DBus.Error.PropertyReadOnly',
  INVALID_ARGS: 'org.freedesktop.DBus.Error.InvalidArgs',
  FAILED: 'org.freedesktop.DBus.Error.Failed',
} as const;

class CallError extends Error {
  constructor(
    readonly dbusName: string,
    message: string,
  ) {
    super(message);
  }
}

const [PEER, INTROSPECTABLE, PROPERTIES] = StandardInterfaces as [DbusInterfaceSpec, DbusInterfaceSpec, DbusInterfaceSpec];

function readMachineId(): string {
  try {
    return readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    return '';
  }
}

export class ObjectTree {
  private readonly objects = new Map<string, BusObject>();
  private machineId: string | undefined;

  constructor(private readonly bus: BusServer) {
    bus.onCall((call) => void this.handle(call));
  }

  add(path: string, obj: BusObject): void {
    this.objects.set(path, obj);
  }

  remove(path: string): void {
    this.objects.delete(path);
  }

  has(path: string): boolean {
    return this.objects.has(path);
  }

  /** A signal declared in `spec`, its arguments in JSON form; unicast when `destination` is given. */
  emit(path: string, spec: DbusInterfaceSpec, member: string, args: Json[], destination?: string): void {
    const declared = spec.signals[member];
    if (!declared) throw new Error(`${spec.name} declares no signal ${member}`);
    const body = declared.map((a, i) => jsonToDbus(a.type, args[i] ?? null, this.variant));
    this.bus.emit(path, spec.name, member, argsSignature(declared), body, destination);
  }

  /** PropertiesChanged for the given properties of `spec` on `path`. */
  propertiesChanged(path: string, spec: DbusInterfaceSpec, changed: Record<string, Json>): void {
    const props: Record<string, Json> = {};
    for (const [name, value] of Object.entries(changed)) {
      const type = spec.properties[name]?.type;
      if (type) props[name] = { signature: type, value };
    }
    this.emit(path, PROPERTIES, 'PropertiesChanged', [spec.name, props, []]);
  }

  private readonly variant = (signature: string, value: unknown) => this.bus.variant(signature, value);

  private async handle(call: BusCall): Promise<void> {
    try {
      const out = await this.dispatch(call);
      this.bus.reply(call, out.signature, out.body);
    } catch (err) {
      const [name, text] = describe(err);
      this.bus.error(call, name, text);
    }
  }

  private async dispatch(call: BusCall): Promise<{ signature: string; body: unknown[] }> {
    const obj = this.objects.get(call.path);
    const children = this.childrenOf(call.path);
    if (!obj && children.length === 0) throw new CallError(DBUS_ERROR.UNKNOWN_OBJECT, `Unknown object '${call.path}'.`);
    const interfaces = [PEER, INTROSPECTABLE, ...(obj ? [PROPERTIES, ...obj.interfaces] : [])];
    const spec = call.iface
      ? interfaces.find((i) => i.name === call.iface)
      : interfaces.find((i) => Object.hasOwn(i.methods, call.member));
    if (!spec) {
      if (call.iface) throw new CallError(DBUS_ERROR.UNKNOWN_INTERFACE, `Unknown interface '${call.iface}'.`);
      throw new CallError(DBUS_ERROR.UNKNOWN_METHOD, `Unknown method '${call.member}'.`);
    }
    const method = Object.hasOwn(spec.methods, call.member) ? spec.methods[call.member] : undefined;
    if (!method) throw new CallError(DBUS_ERROR.UNKNOWN_METHOD, `Unknown method '${call.member}' or interface '${spec.name}'.`);
    if (obj?.interfaces.includes(spec)) obj.admit?.(spec.name, call.member);
    const expected = argsSignature(method.in);
    if (call.signature !== expected) {
      throw new CallError(
        DBUS_ERROR.INVALID_ARGS,
        `Invalid arguments '${call.signature}' to call ${spec.name}.${call.member}(), expecting '${expected}'.`,
      );
    }
    const args = method.in.map((a, i) => dbusToJson(a.type, call.body[i], a.name));
    const out = await this.invoke(spec, call.member, args, call, obj, children);
    if (out.length !== method.out.length) throw new Error(`${spec.name}.${call.member} returned ${out.length} values`);
    return { signature: argsSignature(method.out), body: method.out.map((a, i) => jsonToDbus(a.type, out[i]!, this.variant)) };
  }

  private async invoke(
    spec: DbusInterfaceSpec,
    member: string,
    args: Json[],
    call: BusCall,
    obj: BusObject | undefined,
    children: string[],
  ): Promise<Json[]> {
    switch (spec.name) {
      case PEER.name:
        if (member === 'Ping') return [];
        this.machineId ??= readMachineId();
        return [this.machineId];
      case INTROSPECTABLE.name:
        return [introspectionXml([...StandardInterfaces.filter((i) => obj || i !== PROPERTIES), ...(obj?.interfaces ?? [])], children)];
      case PROPERTIES.name:
        return this.properties(obj!, member, args as string[]);
      default:
        return obj!.call(spec.name, member, args, call.sender);
    }
  }

  private properties(obj: BusObject, member: string, [ifaceName = '', property = '']: string[]): Json[] {
    const ifaces = ifaceName === '' ? obj.interfaces : obj.interfaces.filter((i) => i.name === ifaceName);
    if (ifaces.length === 0) throw new CallError(DBUS_ERROR.UNKNOWN_INTERFACE, `Unknown interface '${ifaceName}'.`);
    if (member === 'GetAll') {
      const all: Record<string, Json> = {};
      for (const spec of ifaces) {
        const values = obj.properties(spec.name);
        for (const [name, p] of Object.entries(spec.properties)) all[name] = { signature: p.type, value: values[name] ?? null };
      }
      return [all];
    }
    const spec = ifaces.find((i) => Object.hasOwn(i.properties, property));
    if (!spec) throw new CallError(DBUS_ERROR.UNKNOWN_PROPERTY, `Unknown property or interface.`);
    if (member === 'Set') throw new CallError(DBUS_ERROR.PROPERTY_READ_ONLY, `Property '${property}' is not writable.`);
    return [{ signature: spec.properties[property]!.type, value: obj.properties(spec.name)[property] ?? null }];
  }

  /** The next path element of every object below `path`. */
  private childrenOf(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const out = new Set<string>();
    for (const p of this.objects.keys()) {
      if (p.startsWith(prefix) && p !== path) out.add(p.slice(prefix.length).split('/')[0]!);
    }
    return [...out].sort();
  }
}

function describe(err: unknown): [string, string] {
  if (err instanceof CallError) return [err.dbusName, err.message];
  if (err instanceof BluechiError) return [err.dbusName, err.message];
  if (err instanceof SchemaError || err instanceof DbusValueError || err instanceof DbusSignatureError) {
    return [DBUS_ERROR.INVALID_ARGS, err.message];
  }
  return [DBUS_ERROR.FAILED, err instanceof Error ? err.message : String(err)];
}
