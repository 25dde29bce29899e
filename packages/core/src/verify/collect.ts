/**
 * Rows gathered by identity from both sides (a bounded selection: the rows of a few differing
 * buckets, or a sample), and what their differences are. Identity is the key, or for keyless
 * comparisons the hash of the row's values.
 */
import type { Difference } from './types.js';

export interface RowRecord {
  readonly rowHash: bigint;
  readonly fieldHashes: readonly bigint[];
  /** How a keyless row is named in a report: `source row #N`, or the target's own id. */
  readonly label: string;
}

export interface Entry {
  /** Report text of the key (keyed comparisons). */
  readonly key: string;
  readonly source: RowRecord[];
  readonly target: RowRecord[];
}

export class Collector {
  readonly entries = new Map<string | bigint, Entry>();

  add(identity: string | bigint, key: string, side: 'source' | 'target', record: RowRecord): void {
    let e = this.entries.get(identity);
    if (!e) {
      e = { key, source: [], target: [] };
      this.entries.set(identity, e);
    }
    e[side].push(record);
  }

  /** Every difference among the gathered rows, sorted by key (numerically for integer keys). */
  differences(byKey: boolean, fieldNames: readonly string[]): Difference[] {
    const out: Difference[] = [];
    for (const e of this.entries.values()) {
      if (byKey) {
        const d = keyedDifference(e, fieldNames);
        if (d) out.push(d);
      } else out.push(...keylessDifferences(e));
    }
    return out.sort((a, b) => compareKeyText(a.key, b.key));
  }
}

function keyedDifference(e: Entry, fieldNames: readonly string[]): Difference | undefined {
  const counts = { sourceRows: e.source.length, targetRows: e.target.length };
  if (e.source.length === 0) return { kind: 'extra', key: e.key, ...counts };
  if (e.target.length === 0) return { kind: 'missing', key: e.key, ...counts };
  if (e.source.length > 1) return { kind: 'duplicated-in-source', key: e.key, ...counts };
  if (e.target.length > 1) return { kind: 'duplicated', key: e.key, ...counts };
  const s = e.source[0]!;
  const t = e.target[0]!;
  if (s.rowHash === t.rowHash) return undefined;
  const fields = fieldNames.filter((_, i) => s.fieldHashes[i] !== t.fieldHashes[i]);
  return { kind: 'different', key: e.key, ...counts, fields };
}

/** Rows with equal values are interchangeable: only the surplus on either side is a difference. */
function keylessDifferences(e: Entry): Difference[] {
  const counts = { sourceRows: e.source.length, targetRows: e.target.length };
  const surplus = e.source.length - e.target.length;
  if (surplus > 0) return e.source.slice(-surplus).map((r) => ({ kind: 'missing' as const, key: r.label, ...counts }));
  if (surplus < 0) {
    const kind = e.source.length > 0 ? ('duplicated' as const) : ('extra' as const);
    return e.target.slice(surplus).map((r) => ({ kind, key: r.label, ...counts }));
  }
  return [];
}

const INTEGER = /^-?\d+$/;

/** Integer keys in numeric order (as bigint: int64 beyond 2^53 stays exact), others by text. */
export function compareKeyText(a: string, b: string): number {
  if (INTEGER.test(a) && INTEGER.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
