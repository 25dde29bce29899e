/**
 * Filter expressions over the primary key, for reading a collection range by range.
 * Strings are quoted with every backslash and double quote escaped.
 */
export type KeyValue = bigint | string;

export interface KeyBound {
  readonly value: KeyValue;
  readonly inclusive: boolean;
}

export interface KeyRange {
  readonly lower?: KeyBound;
  readonly upper?: KeyBound;
}

/**
 * A string literal for a Milvus filter expression. Milvus's grammar forbids a raw line break
 * inside quotes and ends the literal at an unescaped quote, so backslashes, double quotes, line
 * breaks and tabs are escaped: whatever the value (a key, a name from user input), it stays one
 * literal and can never close it to add a clause. Other control characters go through as they
 * are: the grammar allows them, and Milvus Lite 3.2 rejects `\u` escapes ("unknown escape
 * sequence").
 */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${out}"`;
}

function literal(v: KeyValue): string {
  return typeof v === 'bigint' ? v.toString() : quoteString(v);
}

const INT64_MIN = -(2n ** 63n);

/**
 * Rewrites bounds so the literal -2^63 never appears: Milvus 2.3 cannot parse it and Milvus
 * Lite 2.5 matches nothing with it. `>= MIN` is no bound; `> MIN` is `>= MIN + 1`.
 */
function normalise(range: KeyRange): KeyRange | 'empty' {
  let { lower, upper } = range;
  if (lower && lower.value === INT64_MIN) lower = lower.inclusive ? undefined : { value: INT64_MIN + 1n, inclusive: true };
  if (upper && upper.value === INT64_MIN) {
    if (!upper.inclusive) return 'empty';
    upper = { value: INT64_MIN + 1n, inclusive: false };
  }
  return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

/** `id >= 10 && id < 20`; the empty string for an unbounded range. */
export function rangeExpr(field: string, range: KeyRange): string {
  const r = normalise(range);
  // An empty int64 range: nothing is below the minimum.
  if (r === 'empty') return `${field} < ${INT64_MIN + 1n} && ${field} > ${INT64_MIN + 1n}`;
  const parts: string[] = [];
  if (r.lower) parts.push(`${field} ${r.lower.inclusive ? '>=' : '>'} ${literal(r.lower.value)}`);
  if (r.upper) parts.push(`${field} ${r.upper.inclusive ? '<=' : '<'} ${literal(r.upper.value)}`);
  return parts.join(' && ');
}

/** Byte-wise UTF-8 order, as Milvus compares VarChar keys (not JS's UTF-16 order). */
export function compareKeys(a: KeyValue, b: KeyValue): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

/**
 * A filter every row passes. Needed because Milvus Lite 3.2 ignores `partition_names` when it
 * counts with an empty filter (it answers the whole collection's count).
 */
export function everyRowExpr(field: string, type: 'int64' | 'varchar'): string {
  return type === 'int64' ? `${field} < 0 || ${field} >= 0` : `${field} >= ""`;
}
