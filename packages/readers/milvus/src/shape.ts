/**
 * Shaping a collection on the way out of the source: `fields: {old: new}` renames fields,
 * `drop: [...]` leaves fields out (they are not even asked of the server), and `filter` keeps
 * the rows a Milvus expression matches (the server evaluates it, AND-ed with every key range the
 * reader queries and counts). These live on the milvus reader, not in a run-level transform:
 * the reader is what knows the source's field names and its indexes, functions and keys, which
 * change with a rename or a drop, and what decides which fields travel over the wire.
 *
 * A filter's values can be given apart from it: `{name}` in the filter is replaced by the
 * value `filter_values.name`, written as a literal (strings quoted, every backslash, quote and
 * line break escaped — expr.ts), so a value from user input can never end the literal and add
 * a clause.
 */
import { MilvusdmError, type CollectionSchema, type FieldSchema, type FunctionSchema } from '@milvusdm/core';
import { quoteString } from '@milvusdm/milvus-client';

export type FilterValue = string | number | boolean | readonly (string | number | boolean)[];

export interface Shape {
  /** The schema the dataset yields (renamed, without dropped fields). */
  readonly schema: CollectionSchema;
  /** Yielded field name → the source's. */
  readonly sourceName: ReadonlyMap<string, string>;
  /** The row filter as the server takes it, or undefined. */
  readonly filter: string | undefined;
}

function literal(v: FilterValue, where: string): string {
  if (Array.isArray(v)) return `[${v.map((x) => literal(x as FilterValue, where)).join(', ')}]`;
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new MilvusdmError('MDM_CONFIG', `${where}: ${v} is not a number Milvus takes`, { exitCode: 2 });
    return String(v);
  }
  return v ? 'true' : 'false';
}

/** The filter with every `{name}` replaced by its value's literal. */
export function filterExpression(
  filter: string | undefined,
  values: Readonly<Record<string, FilterValue>> | undefined,
): string | undefined {
  if (filter === undefined) return undefined;
  const unused = new Set(Object.keys(values ?? {}));
  const out = filter.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    if (!values || !(name in values)) {
      throw new MilvusdmError('MDM_CONFIG', `source.filter: {${name}} has no value in source.filter_values`, { exitCode: 2 });
    }
    unused.delete(name);
    return literal(values[name]!, `source.filter_values.${name}`);
  });
  if (unused.size > 0) {
    throw new MilvusdmError(
      'MDM_CONFIG',
      `source.filter_values: ${[...unused].map((n) => `"${n}"`).join(', ')} not used in source.filter`,
      {
        exitCode: 2,
      },
    );
  }
  return out;
}

/** `(filter) && (expr)`, or whichever of the two there is. */
export function withFilter(filter: string | undefined, expr: string): string {
  if (!filter) return expr;
  return expr ? `(${filter}) && (${expr})` : filter;
}

/** The schema renamed and without dropped fields; every name checked against the collection. */
export function shapeSchema(
  collection: string,
  schema: CollectionSchema,
  rename: Readonly<Record<string, string>> = {},
  drop: readonly string[] = [],
): { schema: CollectionSchema; sourceName: Map<string, string> } {
  const all = [...schema.fields, ...(schema.functionOutputFields ?? [])];
  const known = new Set(all.map((f) => f.name));
  const have = () => schema.fields.map((f) => f.name).join(', ');
  for (const name of [...Object.keys(rename), ...drop]) {
    if (!known.has(name)) {
      const where = drop.includes(name) ? 'source.drop' : 'source.fields';
      throw new MilvusdmError('MDM_CONFIG', `${where}: "${name}" is not a field of "${collection}" (it has ${have()})`, { exitCode: 2 });
    }
  }
  const key = schema.fields.find((f) => f.isPrimaryKey);
  if (key && drop.includes(key.name)) {
    throw new MilvusdmError('MDM_CONFIG', `source.drop: "${key.name}" is the primary key of "${collection}"; it cannot be dropped`, {
      exitCode: 2,
    });
  }
  const dropped = new Set(drop);
  // A function whose input or output goes goes too, with its output fields.
  const functions: FunctionSchema[] = [];
  for (const fn of schema.functions ?? []) {
    if ([...fn.inputFields, ...fn.outputFields].some((n) => dropped.has(n))) fn.outputFields.forEach((n) => dropped.add(n));
    else functions.push(fn);
  }
  const to = (n: string) => rename[n] ?? n;
  const names = new Map<string, string>();
  for (const f of all) {
    if (dropped.has(f.name)) continue;
    const n = to(f.name);
    if (names.has(n)) {
      throw new MilvusdmError('MDM_CONFIG', `source.fields: "${f.name}" and "${names.get(n)}" would both be called "${n}"`, {
        exitCode: 2,
      });
    }
    names.set(n, f.name);
  }
  const field = (f: FieldSchema): FieldSchema => ({ ...f, name: to(f.name) });
  const fields = schema.fields.filter((f) => !dropped.has(f.name)).map(field);
  const outputs = (schema.functionOutputFields ?? []).filter((f) => !dropped.has(f.name)).map(field);
  const indexes = (schema.indexes ?? [])
    .filter((i) => !dropped.has(i.field))
    // An index named after its field (Milvus's default) keeps following it.
    .map((i) => ({ ...i, field: to(i.field), name: i.name === i.field ? to(i.field) : i.name }));
  const { functions: _f, functionOutputFields: _o, indexes: _i, ...rest } = schema;
  return {
    schema: {
      ...rest,
      fields,
      ...(outputs.length > 0 ? { functionOutputFields: outputs } : {}),
      ...(functions.length > 0
        ? { functions: functions.map((fn) => ({ ...fn, inputFields: fn.inputFields.map(to), outputFields: fn.outputFields.map(to) })) }
        : {}),
      ...(indexes.length > 0 ? { indexes } : {}),
    },
    sourceName: names,
  };
}
