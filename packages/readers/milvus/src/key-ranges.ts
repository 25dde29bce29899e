/**
 * Reading a collection completely, by primary-key ranges. Milvus returns query rows in no
 * promised order (Milvus Lite 3 returns storage order), so paging by "key > last seen" loses
 * and repeats rows. Instead, the key space is split until each range holds at most one page,
 * as counted by the server; each range is then fetched whole and its row count checked.
 */
import { MilvusdmError, type Column } from '@milvusdm/core';
import { compareKeys, countRows, everyRowExpr, queryColumns, rangeExpr, type KeyRange, type KeyValue, type MilvusConnection } from '@milvusdm/milvus-client';
import { keysOf } from './row-order.js';

export interface RangeScanTarget {
  readonly conn: MilvusConnection;
  readonly collection: string;
  readonly partitions: readonly string[] | undefined;
  readonly keyField: string;
  readonly keyType: 'int64' | 'varchar';
  /** Human name for messages, e.g. `milvus books/p1`. */
  readonly origin: string;
}

interface PendingRange {
  readonly range: KeyRange;
  readonly count: number;
}

export class RangeScanner {
  constructor(private readonly t: RangeScanTarget) {}

  count(range: KeyRange): Promise<number> {
    let expr = rangeExpr(this.t.keyField, range);
    if (!expr && this.t.partitions) expr = everyRowExpr(this.t.keyField, this.t.keyType);
    return countRows(this.t.conn, this.t.collection, expr, this.t.partitions);
  }

  private query(range: KeyRange, outputFields: readonly string[], limit: number) {
    return queryColumns(this.t.conn, {
      collection: this.t.collection,
      expr: rangeExpr(this.t.keyField, range),
      outputFields,
      ...(this.t.partitions ? { partitions: this.t.partitions } : {}),
      limit,
      consistency: 'Strong',
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
    sample.sort(compareKeys);
    const distinct = sample.filter((k, i) => i === 0 || compareKeys(k, sample[i - 1]!) !== 0);
    if (distinct.length < 2) {
      throw new MilvusdmError('MDM_SOURCE', `${this.t.origin}: ${p.count} rows counted for keys ${rangeExpr(this.t.keyField, p.range) || '(all)'} but only ${distinct.length} distinct key(s) returned — duplicated primary keys?`);
    }
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
    if (total !== p.count) {
      throw new MilvusdmError('MDM_SOURCE', `${this.t.origin}: the collection changed while it was read (${p.count} rows became ${total}); stop writes to it and run again`);
    }
    return ranges.map((range, i) => ({ range, count: counts[i]! }));
  }

  /**
   * Yields every row of `start` in ascending key ranges, each as the decoded columns of one
   * query, with the largest key of the range (the resume position).
   */
  async *scan(start: KeyRange, outputFields: readonly string[], page: number): AsyncGenerator<{ fields: Map<string, { column: Column; valid: Uint8Array | undefined }>; rows: number; lastKey: KeyValue }> {
    const stack: PendingRange[] = [{ range: start, count: await this.count(start) }];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (p.count === 0) continue;
      if (p.count > page) {
        // Pushed in reverse so the lowest range is read next.
        stack.push(...(await this.split(p, page)).reverse());
        continue;
      }
      const decoded = await this.query(p.range, outputFields, p.count);
      const fields = new Map(decoded.map((f) => [f.name, { column: f.column, valid: f.valid }]));
      const keyColumn = fields.get(this.t.keyField)?.column;
      const keys = keyColumn ? keysOf(keyColumn) : [];
      if (keys.length !== p.count) {
        const recount = await this.count(p.range);
        const why =
          recount !== p.count
            ? 'the collection changed while it was read; stop writes to it and run again'
            : 'the server counts rows it does not return (Milvus 2.3 never returns a row whose key is 2^63-1)';
        throw new MilvusdmError('MDM_SOURCE', `${this.t.origin}: keys ${rangeExpr(this.t.keyField, p.range) || '(all)'}: ${p.count} rows counted, ${keys.length} returned — ${why}`);
      }
      let lastKey = keys[0]!;
      for (const k of keys) if (compareKeys(k, lastKey) > 0) lastKey = k;
      yield { fields, rows: keys.length, lastKey };
    }
  }
}
