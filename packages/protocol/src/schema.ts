/**
 * A deliberately small schema library: every message on the wire is declared with
 * these combinators and checked at the socket edge, so domain code only ever sees
 * values of the declared shape.
 */

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || 'value'}: expected ${expected}`);
    this.name = 'SchemaError';
  }
}

export interface Schema<T> {
  readonly description: string;
  parse(value: unknown, path?: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function schema<T>(description: string, parse: (value: unknown, path: string) => T): Schema<T> {
  return { description, parse: (value, path = '') => parse(value, path) };
}

export function string(opts: { max?: number; min?: number; pattern?: RegExp } = {}): Schema<string> {
  const max = opts.max ?? 4096;
  const min = opts.min ?? 0;
  return schema(`string(${min}..${max})`, (v, path) => {
    if (typeof v !== 'string') throw new SchemaError(path, 'a string');
    if (v.length > max) throw new SchemaError(path, `at most ${max} characters`);
    if (v.length < min) throw new SchemaError(path, `at least ${min} characters`);
    if (opts.pattern && !opts.pattern.test(v)) throw new SchemaError(path, `a string matching ${opts.pattern}`);
    return v;
  });
}

export function integer(opts: { min?: number; max?: number } = {}): Schema<number> {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  return schema(`integer(${min}..${max})`, (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new SchemaError(path, 'an integer');
    if (v < min || v > max) throw new SchemaError(path, `an integer in ${min}..${max}`);
    return v;
  });
}

export function boolean(): Schema<boolean> {
  return schema('boolean', (v, path) => {
    if (typeof v !== 'boolean') throw new SchemaError(path, 'a boolean');
    return v;
  });
}

export function literal<const T extends string>(...values: T[]): Schema<T> {
  return schema(values.join('|'), (v, path) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) {
      throw new SchemaError(path, `one of ${values.join(', ')}`);
    }
    return v as T;
  });
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { optional: true } {
  return {
    optional: true,
    description: `${inner.description}?`,
    parse: (v, path = '') => (v === undefined || v === null ? undefined : inner.parse(v, path)),
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/**
 * Parses a nested value; only when it fails is the path of the failure built
 * (`parent.key`, `parent[3]`), so valid data (a reply of thousands of units)
 * costs no string building.
 */
function parseChild<T>(inner: Schema<T>, value: unknown, path: string, step: string): T {
  try {
    return inner.parse(value);
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    const here = path + step;
    const full = err.path === '' ? here : err.path.startsWith('[') ? here + err.path : `${here}.${err.path}`;
    throw new SchemaError(full.startsWith('.') ? full.slice(1) : full, err.expected);
  }
}

/** An object with exactly these keys; unknown keys are dropped (forward compatible). */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const entries = Object.entries(shape);
  return schema('object', (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(path, 'an object');
    const out: Record<string, unknown> = {};
    for (const [key, inner] of entries) {
      const parsed = parseChild(inner, (v as Record<string, unknown>)[key], path, `.${key}`);
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as ObjectOf<S>;
  });
}

export function array<T>(item: Schema<T>, opts: { max?: number; min?: number } = {}): Schema<T[]> {
  const max = opts.max ?? 1_000_000;
  const min = opts.min ?? 0;
  return schema(`${item.description}[]`, (v, path) => {
    if (!Array.isArray(v)) throw new SchemaError(path, 'an array');
    if (v.length > max) throw new SchemaError(path, `at most ${max} items`);
    if (v.length < min) throw new SchemaError(path, `at least ${min} item${min === 1 ? '' : 's'}`);
    return v.map((x, i) => parseChild(item, x, path, `[${i}]`));
  });
}

export function record<T>(value: Schema<T>, opts: { maxKeys?: number } = {}): Schema<Record<string, T>> {
  const maxKeys = opts.maxKeys ?? 100_000;
  return schema(`record<${value.description}>`, (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SchemaError(path, 'an object');
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length > maxKeys) throw new SchemaError(path, `at most ${maxKeys} keys`);
    const out: Record<string, T> = Object.create(null);
    for (const [k, x] of entries) out[k] = parseChild(value, x, path, `.${k}`);
    return out;
  });
}

/** JSON-compatible value of any shape (already JSON-parsed, so nothing to check). */
export function json(): Schema<unknown> {
  return schema('json', (v) => v);
}

export const empty = object({});

/**
 * Rows of `columns` cells each, every cell a string of at most `maxCell`
 * characters or a non-negative integer: the shape of a large list such as the
 * units of a node. Checked in place with plain loops and returned as is: no
 * per-row object, copy or path string (a path is built only for the first bad
 * cell), so 150,000 rows cost no allocation. The parsed frame is owned by the
 * receiver, so returning it uncopied is safe.
 */
export function table(opts: { maxRows: number; maxCell: number }): Schema<Array<Array<string | number>>> {
  const { maxRows, maxCell } = opts;
  return schema(`table(..${maxRows})`, (v, path) => {
    if (!Array.isArray(v)) throw new SchemaError(path, 'an array');
    if (v.length > maxRows) throw new SchemaError(path, `at most ${maxRows} rows`);
    const columns = v.length === 0 ? 0 : Array.isArray(v[0]) ? (v[0] as unknown[]).length : -1;
    for (let r = 0; r < v.length; r++) {
      const row = v[r] as unknown;
      if (!Array.isArray(row) || row.length !== columns) throw new SchemaError(`${path}[${r}]`, `a row of ${Math.max(columns, 0)} cells`);
      for (let c = 0; c < columns; c++) {
        const cell = row[c] as unknown;
        if (typeof cell === 'string') {
          if (cell.length <= maxCell) continue;
          throw new SchemaError(`${path}[${r}][${c}]`, `at most ${maxCell} characters`);
        }
        if (typeof cell === 'number' && Number.isSafeInteger(cell) && cell >= 0) continue;
        throw new SchemaError(`${path}[${r}][${c}]`, 'a string or a non-negative integer');
      }
    }
    return v as Array<Array<string | number>>;
  });
}
