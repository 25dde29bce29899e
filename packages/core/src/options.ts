/**
 * Validation of the option blocks of a job file. Plugins describe their options with zod;
 * errors name the key in the job file (`target.mode: …`) and exit with code 2.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { closest } from './suggest.js';

export { z };

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The keys an object schema at `path` accepts, for "did you mean"; empty when unknown. */
function knownKeys(schema: unknown, path: readonly PropertyKey[]): string[] {
  type Node = { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown } } } | undefined;
  // Optional, default and nullable wrappers keep the object inside as `innerType`.
  const unwrap = (n: Node): Node => {
    for (let i = 0; i < 8 && n && !n.shape && n._zod?.def?.innerType; i++) n = n._zod.def.innerType as Node;
    return n;
  };
  let node = unwrap(schema as Node);
  for (const key of path) node = unwrap(node?.shape?.[String(key)] as Node);
  return node?.shape ? Object.keys(node.shape) : [];
}

function issueText(issue: z.core.$ZodIssue, raw: unknown, schema: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = knownKeys(schema, issue.path);
      const guesses = issue.keys.map((k) => closest(k, keys)).filter((k): k is string => k !== undefined);
      const guess = guesses.length > 0 ? ` (did you mean ${guesses.map((k) => `"${k}"`).join(', ')}?)` : '';
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${guess}`;
    }
    case 'invalid_type': {
      const got = valueAt(raw, issue.path);
      return got === undefined ? 'is required' : `expected ${issue.expected}, got ${describeValue(got)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(valueAt(raw, issue.path))}`;
    default:
      return issue.message;
  }
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out;
}

/**
 * Parses `raw` with `schema`, or throws a ConfigError whose message names the offending key
 * under `where` (for example `source.path`) and the file it came from.
 */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown, where: string, file?: string): z.output<T> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    // An issue of the whole file (an unknown top-level key) has no key path to name.
    const at = joinPath(where, issue.path);
    return at ? `${at}: ${issueText(issue, raw, schema)}` : issueText(issue, raw, schema);
  });
  const origin = file ? `${file}: ` : '';
  throw new ConfigError(`${origin}${lines.join('; ')}`);
}

/** JSON Schema of an options schema, for publishing and editor completion. */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  // Anything with `safeParse` is accepted as options; only zod schemas can describe themselves.
  // (`_zod` rather than instanceof: a plugin may bring its own copy of zod 4).
  const undescribed = { type: 'object', description: 'Options of a plugin that does not describe them (see its documentation).' };
  if (typeof (schema as { _zod?: unknown })._zod !== 'object') return undescribed;
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return undescribed;
  }
}
