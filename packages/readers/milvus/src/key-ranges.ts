/**
 * Reading a collection completely, by primary-key ranges. Milvus returns query rows in no
 * promised order (Milvus Lite 3 returns storage order), so paging by "key > last seen" loses
 * and repeats rows. Instead, the key space is split until each range holds at most one page,
 * as counted by the server; each range is then fetched whole and its row count checked.
 */
import { MilvusdmError, elementsPerRow, type Column } from '@milvusdm/core';
import {
  compareKeys,
  countRows,
  everyRowExpr,
  queryColumns,
  quoteString,
  rangeExpr,
  readConsistency,
  readTimestamp,
  type ReadPoint,
  type KeyRange,
  type KeyValue,
  type MilvusConnection,
} from '@milvusdm/milvus-client';
import { DuplicateKeys, type DuplicatesPolicy } from './duplicates.js';
import { keysOf, permute } from './row-order.js';
import { withFilter } from './shape.js';

const INT64_MAX = 2n ** 63n - 1n;
/** Milvus's largest query window. */
const MAX_LIMIT = 16_384;

export interface RangeScanTarget {
  readonly conn: MilvusConnection;
  readonly collection: string;
  readonly partitions: readonly string[] | undefined;
  readonly keyField: string;
  readonly keyType: 'int64' | 'varchar';
  /** Human name for messages, e.g. `milvus books/p1`. */
  readonly origin: string;
  /** The job's `run.duplicates`; default fail. */
  readonly duplicates?: DuplicatesPolicy;
  /**
   * When the server counts more rows than a query returns, find the keys it counts more than
   * once and report them (verification), instead of failing. Milvus 2.3 keeps every row
   * inserted under an existing key, counts them all, and returns one per key.
   */
  readonly countDuplicates?: boolean | undefined;
  /** The job's row filter (`source.filter`), AND-ed with every expression (shape.ts). */
  readonly filter?: string | undefined;
  /**
   * `changes: allow`: a range whose count moved is counted again and read as it stands then,
   * instead of failing the read. Ranges never overlap, so no row is read twice; a row written
   * into a range already read is missed, one written into a range not yet read is included.
   */
  readonly allowChanges?: boolean | undefined;
}

/** Times one range is counted again because it keeps changing before its rows are fetched. */
const MAX_RECOUNTS = 50;

/** A key the server counts `times` times but returns once. */
export interface CountedDuplicate {
  readonly key: KeyValue;
  readonly times: number;
}

interface PendingRange {
  readonly range: KeyRange;
  readonly count: number;
  /** The range holds one key only (with copies): fetch it whole however large its count. */
  readonly singleKey?: boolean;
}

export class RangeScanner {
  /** Copies of keys (rows sharing a key with a row already read) found so far. */
  readonly duplicates = new DuplicateKeys();
  /** The count `scan` started from. */
  startCount = 0;
  /** With allowChanges: rows gained (negative: lost) by ranges counted again, so far. */
  drift = 0;
  /**
   * What every request of the scan waits for: the server's clock when the scan began (Milvus
   * 2.3+), so each sees every row written before the read began — what Strong guarantees — without
   * Strong's wait for the next time tick at every request. Undefined (Strong) on Milvus Lite.
   */
  private at: ReadPoint | undefined;

  constructor(private readonly t: RangeScanTarget) {}

  count(range: KeyRange): Promise<number> {
    let expr = rangeExpr(this.t.keyField, range);
    if (!expr && this.t.partitions) expr = everyRowExpr(this.t.keyField, this.t.keyType);
    return countRows(this.t.conn, this.t.collection, withFilter(this.t.filter, expr), this.t.partitions, this.at);
  }

  private query(range: KeyRange, outputFields: readonly string[], limit: number) {
    return queryColumns(this.t.conn, {
      collection: this.t.collection,
      expr: withFilter(this.t.filter, rangeExpr(this.t.keyField, range)),
      outputFields,
      ...(this.t.partitions ? { partitions: this.t.partitions } : {}),
      limit,
      ...readConsistency(this.at),
    });
  }

  /**
   * Splits a range holding more than a page into smaller ones, each non-empty range strictly
   * smaller than the whole, using the keys of one sample page as split points.
   */
  private async split(p: PendingRange, page: number): Promise<PendingRange[]> {
    // At least two keys, or a page of one row could never split a range (found by plugin-kit's one-row batches).
    const fields = await this.query(p.range, [this.t.keyField], Math.max(page, 2));
    const keyColumn = fields.find((f) => f.name === this.t.keyField)?.column;
    const sample = keyColumn ? keysOf(keyColumn) : [];
    // An answer in key order is likely a range's lowest keys (Milvus 2.3, or rows stored in key order).
    const inKeyOrder = sample.every((k, i) => i === 0 || compareKeys(sample[i - 1]!, k) <= 0);
    sample.sort(compareKeys);
    const distinct = sample.filter((k, i) => i === 0 || compareKeys(k, sample[i - 1]!) !== 0);
    if (distinct.length === 1 && sample.length < page) {
      // The server answered with everything the range holds, one distinct key: the rest of the
      // count are copies of that key (Milvus does not enforce unique keys). Fetched whole.
      return [{ ...p, singleKey: true }];
    }
    if (distinct.length < 2) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${this.t.origin}: ${p.count} rows counted for keys ${rangeExpr(this.t.keyField, p.range) || '(all)'} but only ${distinct.length} distinct key(s) returned — duplicated primary keys?`,
      );
    }
    // Counting the head costs two counts (each reads every row on Milvus Lite 3): asked only when
    // the answer came in key order. A shuffled one (Lite 3's storage order) is taken as spread
    // over the range; were it not, the split below is slower, never wrong.
    const head = inKeyOrder ? await this.splitOffHead(p, distinct[distinct.length - 1]!, page) : undefined;
    if (head) return head;
    // Enough pieces that each is expected to fit one page; split points never include the
    // largest sampled key, so every piece misses at least one row of the whole.
    const pieces = Math.min(distinct.length, Math.max(2, Math.ceil((p.count / page) * 1.5)));
    const points: KeyValue[] = [];
    for (let i = 1; i < pieces; i++) {
      const k = distinct[Math.floor((i * (distinct.length - 1)) / pieces)]!;
      if (points.length === 0 || compareKeys(k, points[points.length - 1]!) > 0) points.push(k);
    }
    const ranges: KeyRange[] = [];
    let lower = p.range.lower;
    for (const point of points) {
      ranges.push({ ...(lower ? { lower } : {}), upper: { value: point, inclusive: true } });
      lower = { value: point, inclusive: false };
    }
    ranges.push({ ...(lower ? { lower } : {}), ...(p.range.upper ? { upper: p.range.upper } : {}) });
    const counts = await Promise.all(ranges.map((r) => this.count(r)));
    const total = counts.reduce((a, b) => a + b, 0);
    if (total !== p.count && this.t.allowChanges) {
      this.drift += total - p.count;
    } else if (total !== p.count) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${this.t.origin}: the collection changed while it was read (${p.count} rows became ${total}); stop writes to it and run again`,
      );
    }
    return ranges.map((range, i) => ({ range, count: counts[i]! }));
  }

  /**
   * Milvus 2.3 answers a query with a limit with the lowest keys of the range, in key order —
   * not a sample spread over it, as Milvus Lite 3's storage order is. Split points taken from
   * such a "sample" all fall in the range's first page: dozens of pieces of a few rows each,
   * a count and a query per piece, and one piece left with everything else, again and again
   * (an M2H of 16,000 rows at batch_rows 400 from Milvus 2.3 took 191 s; resumed after 6,409
   * rows, 1,462 requests and 183 s: bench/profile/m2h-resume.mjs).
   * When the rows up to the sample's largest key are one page at most, they are one piece and
   * the rest of the range another: a page costs a sample, two counts and one query. Undefined
   * when the sample is spread wider (the split points then come from the sample).
   */
  private async splitOffHead(p: PendingRange, largest: KeyValue, page: number): Promise<PendingRange[] | undefined> {
    const head: KeyRange = { ...(p.range.lower ? { lower: p.range.lower } : {}), upper: { value: largest, inclusive: true } };
    const rest: KeyRange = { lower: { value: largest, inclusive: false }, ...(p.range.upper ? { upper: p.range.upper } : {}) };
    const [headCount, restCount] = await Promise.all([this.count(head), this.count(rest)]);
    if (headCount + restCount !== p.count && this.t.allowChanges) {
      // Followed as split() does: the pieces' own counts are what is read next.
      this.drift += headCount + restCount - p.count;
    } else if (headCount + restCount !== p.count) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${this.t.origin}: the collection changed while it was read (${p.count} rows became ${headCount + restCount}); stop writes to it and run again`,
      );
    }
    if (headCount > page) return undefined;
    return [
      { range: head, count: headCount },
      { range: rest, count: restCount },
    ];
  }

  /**
   * Yields every row of `start` in ascending key ranges, each as the decoded columns of one
   * query, with the largest key of the range (the resume position).
   */
  async *scan(
    start: KeyRange,
    outputFields: readonly string[],
    page: number,
  ): AsyncGenerator<{
    fields: Map<string, { column: Column; valid: Uint8Array | undefined }>;
    rows: number;
    lastKey: KeyValue;
    duplicates: readonly CountedDuplicate[];
  }> {
    this.at ??= await readTimestamp(this.t.conn);
    this.startCount = await this.count(start);
    const stack: PendingRange[] = [{ range: start, count: this.startCount }];
    let recounts = 0;
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (p.count === 0) continue;
      if (p.count > page && !p.singleKey) {
        // Pushed in reverse so the lowest range is read next.
        stack.push(...(await this.split(p, page)).reverse());
        continue;
      }
      // Following changes, one row more is asked for: a range that grew since its count shows
      // it, instead of answering with some p.count of its rows (not necessarily the old ones).
      const probe = this.t.allowChanges && p.count < MAX_LIMIT ? 1 : 0;
      const decoded = await this.query(p.range, outputFields, Math.min(p.count + probe, MAX_LIMIT));
      let fields = new Map(decoded.map((f) => [f.name, { column: f.column, valid: f.valid }]));
      const keyColumn = fields.get(this.t.keyField)?.column;
      let keys = keyColumn ? keysOf(keyColumn) : [];
      let duplicates: CountedDuplicate[] = [];
      if (this.t.allowChanges && (keys.length !== p.count || probe === 0)) {
        const recount = await this.count(p.range);
        if (recount !== p.count || keys.length > p.count) {
          // Written to (or deleted from) between its count and its fetch: counted again and
          // fetched again, split first if it outgrew a page.
          if (++recounts > MAX_RECOUNTS) {
            throw new MilvusdmError(
              'MDM_SOURCE',
              `${this.t.origin}: keys ${rangeExpr(this.t.keyField, p.range) || '(all)'} changed ${MAX_RECOUNTS} times between their count and their fetch; write to the collection less while it is read`,
            );
          }
          this.drift += recount - p.count;
          stack.push({ range: p.range, count: recount });
          continue;
        }
      }
      if (keys.length !== p.count) {
        if (this.t.countDuplicates) {
          // Verification reads every copy the server counts: locate them instead of collapsing.
          duplicates = keys.length < p.count ? await this.locateDuplicates(p.range, [...keys].sort(compareKeys), p.count) : [];
          if (keys.length + duplicates.reduce((n, d) => n + d.times - 1, 0) !== p.count) await this.failShortfall(p, keys);
        } else {
          const kept = await this.explainShortfall(p, keys);
          if (kept) {
            fields = kept.fields(fields);
            keys = kept.keys;
          }
        }
      }
      if (keys.length === 0) continue;
      let lastKey = keys[0]!;
      for (const k of keys) if (compareKeys(k, lastKey) > 0) lastKey = k;
      yield { fields, rows: keys.length, lastKey, duplicates };
    }
  }

  /**
   * A range whose answer holds a different number of rows than its count. Three causes, told
   * apart by asking the server, not guessed: the collection changed (a recount differs); rows
   * share keys (every counted row has a returned key: the rest are copies, which Milvus does
   * not prevent); or the server counts a row it never returns (Milvus 2.3 and the key 2^63-1).
   * Returns the rows to keep, one per key, when the job allows collapsing copies.
   */
  private async explainShortfall(
    p: PendingRange,
    keys: KeyValue[],
  ): Promise<
    | {
        keys: KeyValue[];
        fields: (
          f: Map<string, { column: Column; valid: Uint8Array | undefined }>,
        ) => Map<string, { column: Column; valid: Uint8Array | undefined }>;
      }
    | undefined
  > {
    const where = `${this.t.origin}: keys ${rangeExpr(this.t.keyField, p.range) || '(all)'}`;
    const recount = await this.count(p.range);
    if (recount !== p.count) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${where}: ${p.count} rows counted, then ${recount} — the collection changed while it was read; stop writes to it and run again`,
      );
    }
    const firstOf = firstOccurrences(keys, this.t.duplicates === 'last');
    const distinct = firstOf.length;
    const withReturnedKeys = distinct === 0 ? 0 : await this.countKeys(firstOf.map((i) => keys[i]!));
    if (withReturnedKeys !== p.count) {
      const max =
        this.t.keyType === 'int64' && (!p.range.upper || (p.range.upper.value as bigint) >= INT64_MAX)
          ? await countRows(
              this.t.conn,
              this.t.collection,
              withFilter(this.t.filter, `${this.t.keyField} == ${INT64_MAX}`),
              this.t.partitions,
              this.at,
            )
          : 0;
      const why =
        max > 0 && !keys.includes(INT64_MAX)
          ? 'the server counts a row it does not return (Milvus 2.3 never returns a row whose key is 2^63-1)'
          : 'the server counts rows whose keys it does not return';
      throw new MilvusdmError('MDM_SOURCE', `${where}: ${p.count} rows counted, ${keys.length} returned — ${why}`);
    }
    const copies = p.count - distinct;
    this.duplicates.add(copies);
    if ((this.t.duplicates ?? 'fail') === 'fail') {
      throw this.duplicates.error(this.t.origin, where);
    }
    if (keys.length === distinct) return undefined;
    // The answer itself repeated keys: keep one occurrence of each (the first or last as asked).
    const order = Uint32Array.from(firstOf);
    return { keys: firstOf.map((i) => keys[i]!), fields: (f) => new Map([...f].map(([name, v]) => [name, pick(v, order, keys.length)])) };
  }

  /** Rows (copies included) whose key is one of `keys`. */
  private async countKeys(keys: readonly KeyValue[]): Promise<number> {
    let n = 0;
    // Bounded expressions: a few hundred keys per count.
    for (let i = 0; i < keys.length; i += 500) {
      const list = keys.slice(i, i + 500).map((k) => (typeof k === 'bigint' ? k.toString() : quoteString(k)));
      n += await countRows(
        this.t.conn,
        this.t.collection,
        withFilter(this.t.filter, `${this.t.keyField} in [${list.join(',')}]`),
        this.t.partitions,
        this.at,
      );
    }
    return n;
  }

  /**
   * A range whose rows verification could not all account for: the collection changed, or the
   * server counts rows it does not return. Always throws.
   */
  private async failShortfall(p: PendingRange, keys: readonly KeyValue[]): Promise<never> {
    const recount = await this.count(p.range);
    const why =
      recount !== p.count
        ? 'the collection changed while it was read; stop writes to it and run again'
        : 'the server counts rows it does not return (Milvus 2.3 never returns a row whose key is 2^63-1)';
    throw new MilvusdmError(
      'MDM_SOURCE',
      `${this.t.origin}: keys ${rangeExpr(this.t.keyField, p.range) || '(all)'}: ${p.count} rows counted, ${keys.length} returned — ${why}`,
    );
  }

  /**
   * The keys of `range` the server counts more often than it returns them, found by halving the
   * returned keys and counting each half until one key is left (a few count queries per key).
   * A part counted but with no key returned cannot be a duplicate: it is left uncounted, and
   * the caller reports the mismatch.
   */
  private async locateDuplicates(range: KeyRange, sorted: readonly KeyValue[], counted: number): Promise<CountedDuplicate[]> {
    if (counted <= sorted.length || sorted.length === 0) return [];
    if (sorted.length === 1) return [{ key: sorted[0]!, times: counted }];
    const mid = Math.floor(sorted.length / 2);
    const split = sorted[mid - 1]!;
    const left: KeyRange = { ...(range.lower ? { lower: range.lower } : {}), upper: { value: split, inclusive: true } };
    const right: KeyRange = { lower: { value: split, inclusive: false }, ...(range.upper ? { upper: range.upper } : {}) };
    const [l, r] = await Promise.all([this.count(left), this.count(right)]);
    return [...(await this.locateDuplicates(left, sorted.slice(0, mid), l)), ...(await this.locateDuplicates(right, sorted.slice(mid), r))];
  }
}

/** Indexes of the first (or last) occurrence of each key, in answer order. */
function firstOccurrences(keys: readonly KeyValue[], last: boolean): number[] {
  const seen = new Map<string, number>();
  keys.forEach((k, i) => {
    const id = typeof k === 'bigint' ? `i${k}` : `s${k}`;
    if (last || !seen.has(id)) seen.set(id, i);
  });
  return [...seen.values()].sort((a, b) => a - b);
}

/** Rows `order` of a decoded column; a nullable column sent compacted (values of valid rows only) cannot be picked by row. */
function pick(
  v: { column: Column; valid: Uint8Array | undefined },
  order: Uint32Array,
  rows: number,
): { column: Column; valid: Uint8Array | undefined } {
  if (v.valid && v.valid.length === rows && columnLength(v.column) !== rows) {
    throw new MilvusdmError('MDM_UNSUPPORTED', 'collapsing repeated keys in an answer with compacted nullable values is not supported');
  }
  return { column: permute(v.column, order), valid: v.valid ? Uint8Array.from(order, (i) => v.valid![i]!) : undefined };
}

function columnLength(column: Column): number {
  return column.values.length / elementsPerRow(column);
}
