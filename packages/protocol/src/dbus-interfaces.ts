/**
 * The public D-Bus API, declared once (reference §2.1-§2.6): every interface
 * with its methods (in and out arguments), signals and properties. The
 * controller's D-Bus adapter dispatches and introspects from it, and the build
 * writes `usr/share/dbus-1/interfaces/<interface>.xml` from it.
 *
 * Arguments are written `type name`, comma-separated, e.g. `s name, s mode`.
 * A property's `change` is its org.freedesktop.DBus.Property.EmitsChangedSignal
 * annotation: `true` (PropertiesChanged carries the value), `false` (never
 * signalled) or `const` (never changes).
 */

export type DbusArg = { type: string; name: string };
export type DbusMethodSpec = { in: DbusArg[]; out: DbusArg[] };
export type DbusPropertySpec = { type: string; change: 'true' | 'false' | 'const' };
export type DbusInterfaceSpec = {
  name: string;
  methods: Record<string, DbusMethodSpec>;
  signals: Record<string, DbusArg[]>;
  properties: Record<string, DbusPropertySpec>;
};

function args(text: string): DbusArg[] {
  if (text.trim() === '') return [];
  return text.split(',').map((a) => {
    const [type = '', name = ''] = a.trim().split(/\s+/);
    return { type, name };
  });
}

function m(inArgs: string, outArgs = ''): DbusMethodSpec {
  return { in: args(inArgs), out: args(outArgs) };
}

const p = (type: string, change: DbusPropertySpec['change']): DbusPropertySpec => ({ type, change });

export const BLUECHI_BUS_NAME = 'org.eclipse.bluechi';
export const CONTROLLER_OBJECT_PATH = '/org/eclipse/bluechi';
export const METRICS_OBJECT_PATH = '/org/eclipse/bluechi/metrics';

export const ControllerInterface: DbusInterfaceSpec = {
  name: 'org.eclipse.bluechi.Controller',
  methods: {
    ListUnits: m('', 'a{sa(ssssssouso)} units'),
    ListUnitFiles: m('', 'a{sa(ss)} unitfiles'),
    ListNodes: m('', 'a(soss) nodes'),
    GetNode: m('s name', 'o path'),
    CreateMonitor: m('', 'o monitor'),
    EnableMetrics: m(''),
    DisableMetrics: m(''),
    SetLogLevel: m('s loglevel'),
  },
  signals: {
    JobNew: args('u id, o job'),
    JobRemoved: args('u id, o job, s node, s unit, s result'),
  },
  properties: {
    Status: p('s', 'true'),
    LogLevel: p('s', 'false'),
    LogTarget: p('s', 'const'),
  },
};

const changes = 'a(sss) changes';

export const NodeInterface: DbusInterfaceSpec = {
  name: 'org.eclipse.bluechi.Node',
  methods: {
    StartUnit: m('s name, s mode', 'o job'),
    StopUnit: m('s name, s mode', 'o job'),
    RestartUnit: m('s name, s mode', 'o job'),
    ReloadUnit: m('s name, s mode', 'o job'),
    StartTransientUnit: m('s name, s mode, a(sv) properties, a(sa(sv)) aux', 'o job'),
    FreezeUnit: m('s name'),
    ThawUnit: m('s name'),
    KillUnit: m('s name, s whom, i signal'),
    GetUnitProperties: m('s name, s interface', 'a{sv} props'),
    GetUnitProperty: m('s name, s interface, s property', 'v value'),
    SetUnitProperties: m('s name, b runtime, a(sv) keyvalues'),
    EnableUnitFiles: m('as files, b runtime, b force', `b carries_install_info, ${changes}`),
    DisableUnitFiles: m('as files, b runtime', changes),
    ListUnits: m('', 'a(ssssssouso) units'),
    ListUnitFiles: m('', 'a(ss) unitfiles'),
    GetUnitFileState: m('s file', 's state'),
    Reload: m(''),
    ResetFailed: m(''),
    ResetFailedUnit: m('s name'),
    SetLogLevel: m('s level'),
    GetDefaultTarget: m('', 's defaulttarget'),
    SetDefaultTarget: m('s target, b force', changes),
  },
  signals: {},
  properties: {
    Name: p('s', 'const'),
    Status: p('s', 'true'),
    PeerIp: p('s', 'false'),
    LastSeenTimestamp: p('t', 'false'),
    LastSeenTimestampMonotonic: p('t', 'false'),
  },
};

export const JobInterface: DbusInterfaceSpec = {
  name: 'org.eclipse.bluechi.Job',
  methods: { Cancel: m('') },
  signals: {},
  properties: {
    Id: p('u', 'const'),
    Node: p('s', 'const'),
    Unit: p('s', 'const'),
    JobType: p('s', 'const'),
    State: p('s', 'true'),
  },
};

export const MonitorInterface: DbusInterfaceSpec = {
  name: 'org.eclipse.bluechi.Monitor',
  methods: {
    Close: m(''),
    Subscribe: m('s node, s unit', 'u id'),
    SubscribeList: m('s node, as units', 'u id'),
    Unsubscribe: m('u id'),
    AddPeer: m('s name', 'u id'),
    RemovePeer: m('u id, s reason'),
  },
  signals: {
    UnitPropertiesChanged: args('s node, s unit, s interface, a{sv} props'),
    UnitStateChanged: args('s node, s unit, s active_state, s sub_state, s reason'),
    UnitNew: args('s node, s unit, s reason'),
    UnitRemoved: args('s node, s unit, s reason'),
    PeerRemoved: args('s reason'),
  },
  properties: {},
};

export const MetricsInterface: DbusInterfaceSpec = {
  name: 'org.eclipse.bluechi.Metrics',
  methods: {},
  signals: {
    StartUnitJobMetrics: args('s node_name, s job_id, s unit, t job_measured_time_micros, t unit_start_prop_time_micros'),
    AgentJobMetrics: args('s node_name, s unit, s method, t systemd_job_time_micros'),
  },
  properties: {},
};

export const AgentInterface: DbusInterfaceSpec = {
  name: 'org.eclipse.bluechi.Agent',
  methods: {
    CreateProxy: m('s local_service_name, s node, s unit'),
    RemoveProxy: m('s local_service_name, s node, s unit'),
    JobCancel: m('u id'),
    SwitchController: m('s dbus_address'),
  },
  signals: {},
  properties: {
    Status: p('s', 'true'),
    LogLevel: p('s', 'false'),
    LogTarget: p('s', 'const'),
    DisconnectTimestamp: p('t', 'false'),
    DisconnectTimestampMonotonic: p('t', 'false'),
    LastSeenTimestamp: p('t', 'false'),
    LastSeenTimestampMonotonic: p('t', 'false'),
    ControllerAddress: p('s', 'true'),
  },
};

/** Every public interface, in the order the build writes their XML files. */
export const PUBLIC_INTERFACES = [ControllerInterface, NodeInterface, JobInterface, MonitorInterface, MetricsInterface, AgentInterface];

/** The signature of a list of arguments, e.g. `ss`. */
export function argsSignature(list: readonly DbusArg[]): string {
  return list.map((a) => a.type).join('');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One interface as introspection XML, indented by `indent`. */
export function interfaceXml(spec: DbusInterfaceSpec, indent = '  '): string {
  const i1 = indent;
  const i2 = indent + '  ';
  const i3 = indent + '    ';
  const lines = [`${i1}<interface name="${spec.name}">`];
  for (const [name, method] of Object.entries(spec.methods)) {
    const argLines = [
      ...method.in.map((a) => `${i3}<arg name="${escapeXml(a.name)}" type="${escapeXml(a.type)}" direction="in"/>`),
      ...method.out.map((a) => `${i3}<arg name="${escapeXml(a.name)}" type="${escapeXml(a.type)}" direction="out"/>`),
    ];
    lines.push(argLines.length ? `${i2}<method name="${name}">\n${argLines.join('\n')}\n${i2}</method>` : `${i2}<method name="${name}"/>`);
  }
  for (const [name, list] of Object.entries(spec.signals)) {
    const argLines = list.map((a) => `${i3}<arg name="${escapeXml(a.name)}" type="${escapeXml(a.type)}"/>`);
    lines.push(argLines.length ? `${i2}<signal name="${name}">\n${argLines.join('\n')}\n${i2}</signal>` : `${i2}<signal name="${name}"/>`);
  }
  for (const [name, prop] of Object.entries(spec.properties)) {
    lines.push(`${i2}<property name="${name}" type="${prop.type}" access="read">`);
    lines.push(`${i3}<annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="${prop.change}"/>`);
    lines.push(`${i2}</property>`);
  }
  lines.push(`${i1}</interface>`);
  return lines.join('\n');
}

const DOCTYPE =
  '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n' +
  ' "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">';

/** A whole introspection document: the given interfaces, then child nodes. */
export function introspectionXml(interfaces: readonly DbusInterfaceSpec[], children: readonly string[] = []): string {
  const body = [...interfaces.map((i) => interfaceXml(i)), ...children.map((c) => `  <node name="${escapeXml(c)}"/>`)];
  return `${DOCTYPE}\n<node>\n${body.join('\n')}\n</node>\n`;
}

/** The standard interfaces every object serves. */
export const StandardInterfaces: DbusInterfaceSpec[] = [
  {
    name: 'org.freedesktop.DBus.Peer',
    methods: { Ping: m(''), GetMachineId: m('', 's machine_uuid') },
    signals: {},
    properties: {},
  },
  {
    name: 'org.freedesktop.DBus.Introspectable',
    methods: { Introspect: m('', 's xml_data') },
    signals: {},
    properties: {},
  },
  {
    name: 'org.freedesktop.DBus.Properties',
    methods: {
      Get: m('s interface_name, s property_name', 'v value'),
      GetAll: m('s interface_name', 'a{sv} props'),
      Set: m('s interface_name, s property_name, v value'),
    },
    signals: { PropertiesChanged: args('s interface_name, a{sv} changed_properties, as invalidated_properties') },
    properties: {},
  },
];
