import { describe, expect, it } from 'vitest';
import { ControllerInterface, JobInterface, PUBLIC_INTERFACES, argsSignature, interfaceXml, introspectionXml } from './dbus-interfaces.js';
import { isSingleType } from './dbus-values.js';

describe('the public D-Bus interfaces', () => {
  it('declare only valid types', () => {
    for (const spec of PUBLIC_INTERFACES) {
      for (const m of Object.values(spec.methods)) for (const a of [...m.in, ...m.out]) expect(isSingleType(a.type), `${spec.name} ${a.name}`).toBe(true);
      for (const list of Object.values(spec.signals)) for (const a of list) expect(isSingleType(a.type), `${spec.name} ${a.name}`).toBe(true);
      for (const p of Object.values(spec.properties)) expect(isSingleType(p.type)).toBe(true);
    }
  });

  it("keep upstream's signatures where clients depend on them (reference §2)", () => {
    expect(argsSignature(ControllerInterface.methods.ListUnits!.out)).toBe('a{sa(ssssssouso)}');
    expect(argsSignature(ControllerInterface.signals.JobNew!)).toBe('uo');
    expect(argsSignature(ControllerInterface.signals.JobRemoved!)).toBe('uosss');
  });

  it('render introspection XML with arguments, directions and change annotations', () => {
    const xml = interfaceXml(JobInterface);
    expect(xml).toContain('<interface name="org.eclipse.bluechi.Job">');
    expect(xml).toContain('<method name="Cancel"/>');
    expect(xml).toContain('<property name="State" type="s" access="read">');
    expect(xml).toContain('<annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/>');
    const doc = introspectionXml([ControllerInterface], ['node', 'job']);
    expect(doc).toMatch(/^<!DOCTYPE node PUBLIC/);
    expect(doc).toContain('<arg name="name" type="s" direction="in"/>');
    expect(doc).toContain('  <node name="job"/>\n</node>\n');
  });
});
