import { describe, expect, it } from 'vitest';
import { array, boolean, integer, json, literal, object, optional, record, SchemaError, string } from './schema.js';

const unit = object({ name: string({ min: 1, max: 8 }), jobId: integer({ min: 0 }), tags: optional(array(string())) });
const reply = object({ nodes: array(object({ node: string(), units: array(unit, { max: 3 }) })), props: optional(record(integer())) });

function failure(schema: { parse(v: unknown): unknown }, value: unknown): { path: string; message: string } {
  try {
    schema.parse(value);
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaError);
    return { path: (err as SchemaError).path, message: (err as Error).message };
  }
  throw new Error('expected a SchemaError');
}

describe('schema', () => {
  it('returns valid values, dropping unknown keys and absent optional ones', () => {
    const v = { nodes: [{ node: 'w1', units: [{ name: 'a', jobId: 0, extra: true }] }], ignored: 1 };
    expect(reply.parse(v)).toEqual({ nodes: [{ node: 'w1', units: [{ name: 'a', jobId: 0 }] }] });
  });

  it.each([
    [{ nodes: 'x' }, 'nodes', 'nodes: expected an array'],
    [{ nodes: [{ node: 'w1', units: [{ name: '', jobId: 0 }] }] }, 'nodes[0].units[0].name', 'nodes[0].units[0].name: expected at least 1 characters'],
    [{ nodes: [{ node: 'w1', units: [{ name: 'a', jobId: 0 }, { name: 'b', jobId: -1 }] }] }, 'nodes[0].units[1].jobId', 'nodes[0].units[1].jobId: expected an integer in 0..9007199254740991'],
    [{ nodes: [{ node: 'w1', units: [{ name: 'a', jobId: 0, tags: ['x', 3] }] }] }, 'nodes[0].units[0].tags[1]', 'nodes[0].units[0].tags[1]: expected a string'],
    [{ nodes: [{ node: 'w1', units: [1, 2, 3, 4] }] }, 'nodes[0].units', 'nodes[0].units: expected at most 3 items'],
    [{ nodes: [], props: { a: 1, b: 'two' } }, 'props.b', 'props.b: expected an integer'],
    [[], '', 'value: expected an object'],
  ])('names the path of the first failure: %j', (value, path, message) => {
    expect(failure(reply, value)).toEqual({ path, message });
  });

  it('keeps the caller-given root path in front', () => {
    expect(() => unit.parse({ name: 'a', jobId: 'x' }, 'params')).toThrow('params.jobId: expected an integer');
  });

  it('checks literals, booleans, lengths and JSON values', () => {
    expect(failure(literal('a', 'b'), 'c').message).toBe('value: expected one of a, b');
    expect(failure(boolean(), 'true').message).toBe('value: expected a boolean');
    expect(failure(string({ max: 2 }), 'abc').message).toBe('value: expected at most 2 characters');
    expect(failure(array(string(), { min: 1 }), []).message).toBe('value: expected at least 1 item');
    expect(json().parse({ any: [1, 'x'] })).toEqual({ any: [1, 'x'] });
    expect(optional(string()).parse(null)).toBeUndefined();
  });

  it('does not mistake a failure of its own code for bad input', () => {
    const broken = { description: 'broken', parse: () => { throw new TypeError('bug'); } };
    expect(() => object({ a: broken }).parse({ a: 1 })).toThrow(TypeError);
  });
});
