/**
 * Shared by the dbus-controller/node/job and dbus-readers-group tests:
 * `busctl` and `dbus-send` run inside a container against org.eclipse.bluechi
 * (or, with `dest`, the agent's org.eclipse.bluechi.Agent), the way a user at
 * a shell there would, as root or (with `as`) as another user.
 *
 *   const bus = new BusCtl(cluster.main);
 *   await bus.call(CONTROLLER, CONTROLLER_IFACE, 'ListNodes');     // busctl's JSON reply data
 *   await bus.get(nodePath, NODE_IFACE, 'Status');                 // one property's value
 *   await bus.error(nodePath, `${NODE_IFACE}.StartUnit`, 'string:x.service', 'string:replace');
 *                                                                  // { name, message } of a failed call
 *
 * busctl prints replies as JSON (`--json=short`) but only the message of an
 * error ("Call failed: MESSAGE"); dbus-send prints the error's name too
 * ("Error NAME: MESSAGE"), so error names are read with it.
 */
import { shq, type ExecResult, type SystemdNode } from '../../harness/systemd-container.js';

export const DEST = 'org.eclipse.bluechi';
export const CONTROLLER = '/org/eclipse/bluechi';
export const CONTROLLER_IFACE = 'org.eclipse.bluechi.Controller';
export const NODE_IFACE = 'org.eclipse.bluechi.Node';
export const JOB_IFACE = 'org.eclipse.bluechi.Job';
export const MONITOR_IFACE = 'org.eclipse.bluechi.Monitor';

export const nodePath = (escaped: string): string => `/org/eclipse/bluechi/node/${escaped}`;

/** A D-Bus error reply as dbus-send reports it. */
export type BusError = { name: string; message: string };

/** A variant in busctl's JSON: `{ type: "s", data: "active" }`. */
export type Variant = { type: string; data: unknown };

export class BusCtl {
  constructor(
    readonly node: SystemdNode,
    /** Run as this user (runuser -u USER --) instead of root. */
    readonly as?: string,
    /** The bus name called; the agent's is org.eclipse.bluechi.Agent. */
    readonly dest: string = DEST,
  ) {}

  private prefix(): string {
    return this.as ? `runuser -u ${shq(this.as)} -- ` : '';
  }

  /** `busctl ARGS...` as is, each argument quoted for the shell. */
  busctl(...args: string[]): Promise<ExecResult> {
    return this.node.exec(`${this.prefix()}busctl ${args.map(shq).join(' ')}`);
  }

  /** `busctl call` of a method: the reply's out arguments, or throws with busctl's message. */
  async call(path: string, iface: string, member: string, signature = '', ...args: string[]): Promise<unknown[]> {
    const r = await this.busctl('--json=short', 'call', this.dest, path, iface, member, ...(signature ? [signature, ...args] : []));
    if (r.exitCode !== 0) throw new Error(`busctl call ${path} ${iface}.${member} failed: ${r.stderr.trim()}`);
    if (r.stdout.trim() === '') return [];
    return (JSON.parse(r.stdout) as { data: unknown[] }).data;
  }

  /** The message busctl prints for a call that must fail (throws if it succeeds). */
  async callFails(path: string, iface: string, member: string, signature = '', ...args: string[]): Promise<string> {
    const r = await this.busctl('call', this.dest, path, iface, member, ...(signature ? [signature, ...args] : []));
    if (r.exitCode === 0) throw new Error(`busctl call ${iface}.${member} succeeded: ${r.stdout}`);
    return r.stderr.trim().replace(/^Call failed: /, '');
  }

  /** One property's value (`busctl get-property`). */
  async get(path: string, iface: string, property: string): Promise<unknown> {
    const r = await this.busctl('--json=short', 'get-property', this.dest, path, iface, property);
    if (r.exitCode !== 0) throw new Error(`busctl get-property ${path} ${iface} ${property} failed: ${r.stderr.trim()}`);
    return (JSON.parse(r.stdout) as Variant).data;
  }

  /** Every property of one interface (Properties.GetAll), by name: value. */
  async getAll(path: string, iface: string): Promise<Record<string, unknown>> {
    const [dict] = (await this.call(path, 'org.freedesktop.DBus.Properties', 'GetAll', 's', iface)) as [Record<string, Variant>];
    return Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, v.data]));
  }

  /** The object paths `busctl tree` shows for the bus name. */
  async tree(): Promise<string[]> {
    const r = await this.busctl('tree', '--list', this.dest);
    if (r.exitCode !== 0) throw new Error(`busctl tree failed: ${r.stderr.trim()}`);
    return r.stdout.split('\n').filter((l) => l.startsWith('/'));
  }

  /** The introspection XML of an object. */
  async introspect(path: string): Promise<string> {
    const [xml] = await this.call(path, 'org.freedesktop.DBus.Introspectable', 'Introspect');
    return xml as string;
  }

  /**
   * A call that must fail, sent with dbus-send (`method` is INTERFACE.MEMBER,
   * `args` in dbus-send's TYPE:VALUE form): its error name and message.
   */
  async error(path: string, method: string, ...args: string[]): Promise<BusError> {
    const r = await this.node.exec(
      `${this.prefix()}dbus-send --system --print-reply --dest=${this.dest} ${[path, method, ...args].map(shq).join(' ')}`,
    );
    const m = /^Error (\S+): (.*)$/s.exec(r.stderr.trim());
    if (r.exitCode === 0 || !m) throw new Error(`expected ${method} on ${path} to fail; exit ${r.exitCode}\n${r.stdout}${r.stderr}`);
    return { name: m[1]!, message: m[2]! };
  }
}

/** The `<interface name="NAME">…</interface>` block of an introspection document. */
export function interfaceBlock(xml: string, name: string): string {
  const start = xml.indexOf(`<interface name="${name}">`);
  if (start === -1) throw new Error(`no interface ${name} in:\n${xml}`);
  const end = xml.indexOf('</interface>', start);
  return xml.slice(start, end + '</interface>'.length);
}

/** The names of an interface block's members of one kind (method, signal, property). */
export function memberNames(block: string, kind: 'method' | 'signal' | 'property'): string[] {
  return [...block.matchAll(new RegExp(`<${kind} name="([^"]+)"`, 'g'))].map((m) => m[1]!).sort();
}

/** `systemctl show` of some properties of a unit on a node, by name: value. */
export async function showUnit(node: SystemdNode, unit: string, ...props: string[]): Promise<Record<string, string>> {
  const { stdout } = await node.run(`systemctl show ${shq(unit)} ${props.map((p) => `-p ${shq(p)}`).join(' ')}`);
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
