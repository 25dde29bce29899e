/**
 * The live Milvus source: one dataset per partition (or the whole collection where the server
 * has no partitions), every row of every field, in ascending primary-key order.
 */
import {
  DYNAMIC_FIELD,
  MilvusdmError,
  isVectorType,
  primaryField,
  vectorRowBytes,
  type ColumnBatch,
  type DuplicatePolicy,
  type Logger,
  type CollectionSchema,
  type Column,
  type ReadOptions,
  type ReaderSource,
  type SourceDataset,
} from '@milvusdm/core';
import type { KeyRange, KeyValue, MilvusCollection, MilvusConnection } from '@milvusdm/milvus-client';
import { RangeScanner, type CountedDuplicate } from './key-ranges.js';
import { batchBounds, keysOf, permute, sortOrder } from './row-order.js';

/** Bytes one query answer may hold; well below gRPC and Milvus message limits. */
const PAGE_BYTES = 32 * 1024 * 1024;

/** Resume position: every row with a key up to `after` has been handed out. */
interface MilvusCursor {
  readonly after: string;
  readonly type: 'int64' | 'varchar';
}

function estimateRowBytes(schema: CollectionSchema): number {
  let n = 0;
  for (const f of schema.fields) {
    if (isVectorType(f.type)) n += f.type === 'sparse_float_vector' ? 1024 : vectorRowBytes(f);
    else if (f.type === 'varchar') n += Math.min(f.maxLength ?? 256, 4096);
    else if (f.type === 'json' || f.type === 'array') n += 1024;
    else n += 8;
  }
  return Math.max(1, n);
}

/** Expands a nullable column sent compacted (values for valid rows only) to one value per row. */
function dense(column: Column, valid: Uint8Array | undefined, rows: number): Column {
  if (!valid) return column;
  const per = 'dim' in column ? (column.type === 'binary_vector' ? column.dim / 8 : column.dim) : 1;
  const have = column.values.length / per;
  if (have === rows) return { ...column, valid } as Column;
  const positions = Array.from(valid.keys()).filter((i) => valid[i]);
  if (positions.length !== have)
    throw new MilvusdmError('MDM_SOURCE', `a nullable column holds ${have} values for ${positions.length} valid rows`);
  if (Array.isArray(column.values)) {
    const out: unknown[] = new Array(rows).fill(column.type === 'array' ? [] : '');
    positions.forEach((p, i) => (out[p] = (column.values as unknown[])[i]));
    return { ...column, valid, values: out } as Column;
  }
  const src = column.values as unknown as {
    length: number;
    subarray(a: number, b: number): ArrayLike<unknown>;
    constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void };
  };
  const out = new src.constructor(rows * per);
  positions.forEach((p, i) => out.set(src.subarray(i * per, i * per + per), p * per));
  return { ...column, valid, values: out } as unknown as Column;
}

export class MilvusDataset implements SourceDataset {
  readonly key: string;
  readonly partition?: string;
  readonly origin: string;

  /** Copies of keys left out so far (run.duplicates first/last). */
  private collapsed = 0;
  /** `changes: allow`: rows the collection gained (or lost, negative) since it was counted, as the read found them. */
  private drift = 0;

  constructor(
    private readonly conn: MilvusConnection,
    readonly collection: string,
    partition: string | undefined,
    readonly schema: CollectionSchema,
    /** Rows the server counts, copies of duplicated keys included. */
    private readonly counted: number,
    private readonly pageRows: number,
    private readonly logger: Logger,
    /** The job's `run.duplicates`. */
    private readonly duplicates?: DuplicatePolicy,
    /** Yield a row the server counts n times n times (`count_duplicates`, for verification). */
    private readonly countDuplicates = false,
    /** Renamed fields (yielded name → the source's) and the row filter (shape.ts). */
    private readonly shape: {
      readonly sourceName?: ReadonlyMap<string, string>;
      readonly filter?: string | undefined;
      /** The database, when the job reads several: part of the key, so datasets stay apart. */
      readonly database?: string | undefined;
      /** `changes: allow`: rows written or deleted during the read are followed, not refused. */
      readonly allowChanges?: boolean | undefined;
    } = {},
  ) {
    if (partition !== undefined) this.partition = partition;
    const db = shape.database ? `${shape.database}/` : '';
    this.key = `${db}${collection}/${partition ?? '_default'}`;
    this.origin = `milvus ${conn.display} ${db}${collection}${partition ? `/${partition}` : ''}`;
  }

  /**
   * Rows this dataset yields: the server's count, less the copies of duplicated keys left out
   * once the read found them (the runner checks the rows read against this at the end).
   */
  get rows(): number {
    return this.counted - this.collapsed + this.drift;
  }

  private get keyField() {
    return primaryField(this.schema)!;
  }

  /** The source's name of a field this dataset yields under `name`. */
  private sourceName(name: string): string {
    return this.shape.sourceName?.get(name) ?? name;
  }

  private startRange(resumeFrom: unknown): KeyRange {
    if (resumeFrom === undefined) return {};
    const c = resumeFrom as Partial<MilvusCursor>;
    if (typeof c.after !== 'string' || c.type !== this.keyField.type) {
      throw new MilvusdmError('MDM_SOURCE', `${this.origin}: the resume position does not fit this collection's key`);
    }
    const value: KeyValue = c.type === 'int64' ? BigInt(c.after) : c.after;
    return { lower: { value, inclusive: false } };
  }

  async *batches(options: ReadOptions): AsyncGenerator<ColumnBatch> {
    const key = this.keyField;
    // A pass over the keys only (options.fields) asks the server for just those: no vectors on the wire.
    const wanted = options.fields ? new Set([...options.fields, key.name]) : undefined;
    const fields = wanted ? this.schema.fields.filter((f) => wanted.has(f.name)) : this.schema.fields;
    const outputFields = fields.map((f) => f.name);
    if (this.schema.enableDynamicField && !wanted) outputFields.push(DYNAMIC_FIELD);
    const keyName = this.sourceName(key.name);
    const rowBytes = estimateRowBytes({ ...this.schema, fields });
    // Queries are sized by page_rows and bytes, not by the batch: each query costs a count and a
    // round trip (about 75 ms each on Milvus Lite 3, whatever their size), so small batches are
    // cut from a page's rows instead of asked for one by one.
    const page = Math.max(1, Math.min(this.pageRows, Math.floor(PAGE_BYTES / rowBytes)));
    const scanner = new RangeScanner({
      conn: this.conn,
      collection: this.collection,
      partitions: this.partition ? [this.partition] : undefined,
      keyField: keyName,
      keyType: key.type as 'int64' | 'varchar',
      origin: this.origin,
      filter: this.shape.filter,
      ...(this.duplicates ? { duplicates: this.duplicates } : {}),
      countDuplicates: this.countDuplicates,
      allowChanges: this.shape.allowChanges === true,
    });
    // What the read yields is the count it started from plus every change it followed; a fresh
    // read starts from the whole collection, which the plan counted a moment earlier. (A resumed
    // read starts after the rows already written: what changed among those is not seen.)
    const followChanges = () => {
      if (this.shape.allowChanges) this.drift = scanner.drift + (options.resumeFrom === undefined ? scanner.startCount - this.counted : 0);
    };
    const asked = outputFields.map((n) => this.sourceName(n));
    for await (const part of scanner.scan(this.startRange(options.resumeFrom), asked, page)) {
      const keyColumn = part.fields.get(keyName)!.column;
      const keys = keysOf(keyColumn);
      const order = withRepeats(sortOrder(keys), keys, part.duplicates);
      const denseColumns = new Map<string, Column>();
      for (const name of outputFields) {
        const decoded = part.fields.get(this.sourceName(name));
        if (!decoded) throw new MilvusdmError('MDM_SOURCE', `${this.origin}: the server's answer has no field "${name}"`);
        denseColumns.set(name, dense(decoded.column, decoded.valid, part.rows));
      }
      this.collapsed = scanner.duplicates.copies;
      followChanges();
      for (const [start, end] of batchBounds(order, keys, options.batchRows)) {
        const rows = order.subarray(start, end);
        const columns = new Map<string, Column>();
        for (const [name, column] of denseColumns) columns.set(name, permute(column, rows));
        // The last batch of a page ends at the page's largest key; the others at their own last key.
        const after = end === order.length ? part.lastKey : keys[order[end - 1]!]!;
        const cursor: MilvusCursor = { after: String(after), type: key.type as 'int64' | 'varchar' };
        yield { numRows: rows.length, columns, cursor };
      }
    }
    this.collapsed = scanner.duplicates.copies;
    followChanges();
    if (scanner.duplicates.copies > 0) this.logger.warn(scanner.duplicates.summary(this.origin));
  }
}

/**
 * The row order with each counted duplicate repeated: the server returns one row for a key it
 * holds several times, so the copies it keeps out of sight are shown as that row again.
 */
function withRepeats(order: Uint32Array, keys: readonly KeyValue[], duplicates: readonly CountedDuplicate[]): Uint32Array {
  if (duplicates.length === 0) return order;
  const extra = new Map(duplicates.map((d) => [String(d.key), d.times - 1]));
  const out: number[] = [];
  for (const i of order) {
    out.push(i);
    for (let n = extra.get(String(keys[i])) ?? 0; n > 0; n--) out.push(i);
  }
  return Uint32Array.from(out);
}

export class MilvusSource implements ReaderSource {
  constructor(
    /** Every connection the source opened (one per database read). */
    private readonly conns: readonly MilvusConnection[],
    readonly datasets: readonly SourceDataset[],
    private readonly loadedByUs: readonly MilvusCollection[],
  ) {}

  async close(): Promise<void> {
    try {
      // Leave the collections as we found them: every one is released, even if one fails.
      const failures: unknown[] = [];
      for (const c of this.loadedByUs) await c.release().catch((e: unknown) => failures.push(e));
      if (failures.length > 0) throw failures[0];
    } finally {
      for (const c of this.conns) await c.close();
    }
  }
}
