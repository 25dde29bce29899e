/**
 * A canonical text for a JSON document, so that two stores holding the same document compare
 * equal even when one re-serialised it: object keys sorted, no whitespace, numbers in one form
 * (`1.0`, `1e0` and `1` are the same number). Numbers are read with lossless-json, because
 * JSON.parse would round integers beyond 2^53 and make different documents look equal.
 */
import { isSafeNumber, parse } from 'lossless-json';

/** A number as canonical text; a class so the serialiser can tell it from a string. */
class CanonicalNumber {
  constructor(readonly text: string) {}
}

function canonicalNumber(literal: string): CanonicalNumber {
  // Integers keep every digit (ids in JSON are often int64).
  if (/^-?\d+$/.test(literal)) return new CanonicalNumber(BigInt(literal).toString());
  const n = Number(literal);
  // A literal a double holds exactly is written the way JavaScript writes that double; one with
  // more precision than a double keeps its digits, so nothing is rounded into equality.
  if (Number.isFinite(n) && isSafeNumber(literal))
    return new CanonicalNumber(Number.isInteger(n) && Math.abs(n) >= 2 ** 53 ? BigInt(n).toString() : String(n));
  return new CanonicalNumber(literal.toLowerCase());
}

function write(value: unknown, out: string[]): void {
  if (value instanceof CanonicalNumber) out.push(value.text);
  else if (value === null || typeof value === 'boolean') out.push(String(value));
  else if (typeof value === 'string') out.push(JSON.stringify(value));
  else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((v, i) => {
      if (i > 0) out.push(',');
      write(v, out);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.push('{');
    entries.forEach(([k, v], i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write(v, out);
    });
    out.push('}');
  } else throw new Error(`unexpected JSON value of type ${typeof value}`);
}

/**
 * The canonical form of a JSON text. Text that is not valid JSON is returned marked as such,
 * unchanged, so it still compares equal only to the same text.
 */
export function canonicalJson(text: string): string {
  let doc: unknown;
  try {
    doc = parse(text, null, canonicalNumber);
  } catch {
    return `\u0000invalid:${text}`;
  }
  const out: string[] = [];
  write(doc, out);
  return out.join('');
}
