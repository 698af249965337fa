import { describe, expect, it } from 'vitest';
import { escapeObjectPathElement, isValidUnitName, nodeObjectPath, parseProxyInstance, proxyUnitName, depUnitName } from './unit-name.js';

describe('unit names', () => {
  it.each([
    ['foo.service', true],
    ['a@b.service', true],
    ['sys-fs-fuse-connections.mount', true],
    ['my_svc.service', true],
    ['foo@.service', true],
    ['foo', false],
    ['.service', false],
    ['foo.bogus', false],
    ['bad unit name', false],
    ['bad/unit.service', false],
    ['x'.repeat(300) + '.service', false],
  ])('%s is valid: %s', (name, valid) => {
    expect(isValidUnitName(name)).toBe(valid);
  });
});

describe('node object paths', () => {
  it.each([
    ['worker1', 'worker1'],
    ['node-foo', 'node_2dfoo'],
    ['node_1', 'node_5f1'],
    ['bad/node', 'bad_2fnode'],
    ['1abc', '_31abc'],
    ['', '_'],
  ])('escapes %j as %s', (name, escaped) => {
    expect(escapeObjectPathElement(name)).toBe(escaped);
  });

  it('builds the node object path', () => {
    expect(nodeObjectPath('nosuchnode')).toBe('/org/eclipse/bluechi/node/nosuchnode');
  });
});

describe('proxy instance parsing', () => {
  it('splits at the first underscore and keeps underscores in the unit', () => {
    expect(parseProxyInstance('worker1_my_svc.service')).toEqual({ ok: true, target: { node: 'worker1', unit: 'my_svc.service' } });
  });
  it.each([
    ['noseparator.service', "No underscore in unit name 'noseparator.service'"],
    ['_target.service', "No node specified in unit name '_target.service'"],
    ['worker1_.service', "No service specified in unit name 'worker1_.service'"],
    ['worker1_', "No service specified in unit name 'worker1_'"],
  ])('refuses %s', (arg, reason) => {
    expect(parseProxyInstance(arg)).toEqual({ ok: false, reason });
  });
  it('names the proxy and dep units', () => {
    expect(proxyUnitName({ node: 'worker1', unit: 'target.service' })).toBe('bluechi-proxy@worker1_target.service');
    expect(depUnitName('target.service')).toBe('bluechi-dep@target.service');
  });
});
