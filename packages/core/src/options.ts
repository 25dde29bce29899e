/**
 * Validation of the option blocks of a job file. Plugins describe their options with zod;
 * errors name the key in the job file (`target.mode: …`) and exit with code 2.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';

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

function issueText(issue: z.core.$ZodIssue, raw: unknown): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
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
  const lines = result.error.issues.map((issue) => `${joinPath(where, issue.path)}: ${issueText(issue, raw)}`);
  const origin = file ? `${file}: ` : '';
  throw new ConfigError(`${origin}${lines.join('; ')}`);
}

/** JSON Schema of an options schema, for publishing and editor completion. */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
