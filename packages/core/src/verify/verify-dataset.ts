/**
 * Verifying one dataset: the rows of a source against the rows read back from its target.
 *
 * Full mode hashes every row into one of B buckets chosen by its key; each bucket keeps the sum
 * of its rows' hashes (mod 2^64) and a count. Addition does not care about order, so both
 * sides can be read in whatever order their readers yield, at the same time, in memory bounded
 * by B; a missing, extra, duplicated or changed row changes its bucket's sum or count. Buckets
 * that differ are read again, keeping only their rows, to name the keys that differ.
 *
 * Sample mode keeps the `sample` source keys with the smallest seeded key hash (a uniform
 * sample without replacement, reproducible from the seed) and every target row whose key hash
 * is not above the largest of them, then compares those rows one by one.
 */
import type { ColumnBatch, Column } from '../batch.js';
import { MilvusdmError } from '../errors.js';
import type { SourceDataset } from '../plugin.js';
import { Collector, type RowRecord } from './collect.js';
import { comparePlan } from './plan.js';
import { RowHasher } from './row-hasher.js';
import { BigMaxHeap } from './heap.js';
import type { DatasetVerdict, Difference, VerifyOptions, VerifySide } from './types.js';

const DEFAULT_BATCH_ROWS = 10_000;
const DEFAULT_MAX_DIFFERENCES = 20;
/** Rows re-read into memory at most to name differences (both sides together). */
const NAMING_BUDGET = 200_000;
/** Differing buckets re-read at most. */
const NAMING_BUCKETS = 64;

type Side = 'source' | 'target';

function sideLabel(side: VerifySide): string {
  if (side.label) return side.label;
  const origins = side.datasets.map((d) => d.origin);
  return origins.length <= 2 ? origins.join(' + ') : `${origins[0]} + ${origins.length - 1} more`;
}

function announced(side: VerifySide): number | undefined {
  let n = 0;
  for (const d of side.datasets) {
    if (d.rows === undefined) return undefined;
    n += d.rows;
  }
  return n;
}

/** A power of two near rows/256, between 64 and 65536: a few hundred rows a bucket. */
export function bucketCount(rows: number): number {
  let b = 64;
  while (b < 65_536 && b * 256 < rows) b *= 2;
  return b;
}

async function* batchesOf(side: VerifySide, batchRows: number, signal: AbortSignal | undefined): AsyncGenerator<ColumnBatch> {
  for (const dataset of side.datasets) {
    for await (const batch of dataset.batches({ batchRows })) {
      signal?.throwIfAborted();
      yield batch;
    }
  }
}

/** Key hashes and row hashes summed per bucket: one side's digest. */
class BucketDigest {
  readonly sums: BigUint64Array;
  readonly counts: Uint32Array;
  rows = 0;
  constructor(readonly size: number) {
    this.sums = new BigUint64Array(size);
    this.counts = new Uint32Array(size);
  }
  add(bucket: number, rowHash: bigint): void {
    // A BigUint64Array stores values mod 2^64: the addition wraps as the multiset hash needs.
    this.sums[bucket] = this.sums[bucket]! + rowHash;
    this.counts[bucket] = this.counts[bucket]! + 1;
    this.rows++;
  }
}

export async function verifyDataset(
  source: VerifySide | SourceDataset,
  target: VerifySide | SourceDataset,
  options: VerifyOptions = {},
): Promise<DatasetVerdict> {
  const src = asSide(source);
  const tgt = asSide(target);
  if (src.datasets.length === 0 || tgt.datasets.length === 0) {
    throw new MilvusdmError('MDM_VERIFY', `nothing to compare: ${src.datasets.length === 0 ? 'the source' : 'the target'} has no dataset`);
  }
  const { plan, notCompared, notes } = comparePlan(src.datasets[0]!.schema, tgt.datasets[0]!.schema);
  const hasher = await RowHasher.create(plan);
  const run = new Comparison(src, tgt, hasher, options);
  const mode = options.mode ?? 'full';
  const base = {
    source: sideLabel(src),
    target: sideLabel(tgt),
    mode,
    byKey: plan.keyField !== undefined,
    ...(plan.keyField !== undefined ? { keyField: plan.keyField } : {}),
    announced: { ...opt('source', announced(src)), ...opt('target', announced(tgt)) },
    compared: [...(plan.keyField !== undefined ? [plan.keyField] : []), ...plan.fields.map((f) => f.name)],
    notCompared,
    notes,
  };
  const result = mode === 'sample' ? await run.sample() : await run.full();
  const { differences, moreDifferences } = run.trim(result.differences, result.incomplete);
  const equal = result.sourceRows === result.targetRows && result.allEqual;
  return {
    ...base,
    ...result.extra,
    sourceRows: result.sourceRows,
    targetRows: result.targetRows,
    equal,
    differences,
    moreDifferences,
  };
}

function opt<K extends string>(k: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, number>);
}

function asSide(x: VerifySide | SourceDataset): VerifySide {
  return 'datasets' in x ? x : { datasets: [x] };
}

interface PassResult {
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly allEqual: boolean;
  readonly differences: readonly Difference[];
  /** Not every difference could be examined (more differing buckets than were re-read). */
  readonly incomplete: boolean;
  readonly extra: Partial<DatasetVerdict>;
}

class Comparison {
  private readonly batchRows: number;
  private readonly fieldNames: string[];
  private readonly progress = { sourceRows: 0, targetRows: 0 };

  constructor(
    private readonly src: VerifySide,
    private readonly tgt: VerifySide,
    private readonly hasher: RowHasher,
    private readonly options: VerifyOptions,
  ) {
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    this.fieldNames = hasher.plan.fields.map((f) => f.name);
  }

  private get byKey(): boolean {
    return this.hasher.plan.keyField !== undefined;
  }

  private sideOf(side: Side): VerifySide {
    return side === 'source' ? this.src : this.tgt;
  }

  private origin(side: Side): string {
    return sideLabel(this.sideOf(side));
  }

  /**
   * Every row of one side with its identity hash (key hash, or row hash without a key) and row
   * hash, handed to `visit`. Returns the rows read.
   */
  private async scan(
    side: Side,
    visit: (
      identity: bigint,
      rowHash: bigint,
      batch: ColumnBatch,
      columns: { key: Column | undefined; fields: Column[] },
      row: number,
      ordinal: number,
    ) => void,
    seed?: bigint,
  ): Promise<number> {
    let rows = 0;
    for await (const batch of batchesOf(this.sideOf(side), this.batchRows, this.options.signal)) {
      const columns = this.hasher.columnsOf(batch, this.origin(side));
      for (let r = 0; r < batch.numRows; r++) {
        const rowHash = this.hasher.rowHash(columns.key, columns.fields, r);
        // Unseeded (full mode) a keyed row is placed by the cheap key hash; a seeded draw needs all 64 bits.
        const identity = columns.key
          ? seed === undefined
            ? BigInt(this.hasher.bucketHash(columns.key, r))
            : this.hasher.keyHash(columns.key, r, seed)
          : seed === undefined
            ? rowHash
            : this.hasher.rowHash(undefined, columns.fields, r, seed);
        visit(identity, rowHash, batch, columns, r, rows + r);
      }
      rows += batch.numRows;
      this.progress[side === 'source' ? 'sourceRows' : 'targetRows'] += batch.numRows;
      this.options.onProgress?.({ ...this.progress });
    }
    return rows;
  }

  private record(
    side: Side,
    rowHash: bigint,
    batch: ColumnBatch,
    columns: { key: Column | undefined; fields: Column[] },
    row: number,
    ordinal: number,
  ): { record: RowRecord; key: string } {
    const fieldHashes = this.hasher.fieldHashes(columns.fields, row);
    const key = columns.key ? this.hasher.keyText(columns.key, row) : '';
    let label = key;
    if (!this.byKey) {
      // Keyless: name a target row by its own (server-assigned) id when the read-back shows one.
      const pk = side === 'target' ? this.targetIdColumn(batch) : undefined;
      label = pk ? `id ${this.hasher.keyText(pk, row)}` : `${side} row #${ordinal}`;
    }
    return { record: { rowHash, fieldHashes, label }, key };
  }

  private targetIdColumn(batch: ColumnBatch): Column | undefined {
    const pk = this.tgt.datasets[0]!.schema.fields.find((f) => f.isPrimaryKey);
    const c = pk ? batch.columns.get(pk.name) : undefined;
    return c && (c.type === 'int64' || c.type === 'varchar') ? c : undefined;
  }

  async full(): Promise<PassResult> {
    const size = bucketCount(Math.max(announced(this.src) ?? 0, announced(this.tgt) ?? 0));
    const mask = BigInt(size - 1);
    const digests = { source: new BucketDigest(size), target: new BucketDigest(size) };
    const digest = (side: Side) => this.scan(side, (identity, rowHash) => digests[side].add(Number(identity & mask), rowHash));
    // Both sides at once: their reads overlap while the hashing takes turns.
    const [sourceRows, targetRows] = await Promise.all([digest('source'), digest('target')]);
    const differing: number[] = [];
    for (let b = 0; b < size; b++) {
      if (digests.source.sums[b] !== digests.target.sums[b] || digests.source.counts[b] !== digests.target.counts[b]) differing.push(b);
    }
    const extra = { buckets: size, differingBuckets: differing.length };
    if (differing.length === 0) return { sourceRows, targetRows, allEqual: true, differences: [], incomplete: false, extra };
    // Re-read the lowest differing buckets, as many as fit the naming budget.
    const chosen = new Set<number>();
    let budget = 0;
    for (const b of differing) {
      if (
        chosen.size >= NAMING_BUCKETS ||
        (chosen.size > 0 && budget + digests.source.counts[b]! + digests.target.counts[b]! > NAMING_BUDGET)
      )
        break;
      chosen.add(b);
      budget += digests.source.counts[b]! + digests.target.counts[b]!;
    }
    const collector = new Collector();
    const gather = (side: Side) =>
      this.scan(side, (identity, rowHash, batch, columns, row, ordinal) => {
        if (!chosen.has(Number(identity & mask))) return;
        const { record, key } = this.record(side, rowHash, batch, columns, row, ordinal);
        collector.add(this.byKey ? key : identity, key, side, record);
      });
    await Promise.all([gather('source'), gather('target')]);
    const differences = collector.differences(this.byKey, this.fieldNames);
    return { sourceRows, targetRows, allEqual: false, differences, incomplete: chosen.size < differing.length, extra };
  }

  async sample(): Promise<PassResult> {
    const requested = this.options.sample ?? 0;
    if (!Number.isSafeInteger(requested) || requested < 1)
      throw new MilvusdmError('MDM_CONFIG', `--sample: expected a positive whole number of keys, got ${requested}`);
    const seed = this.options.seed ?? 0;
    const sampleSeed = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
    // The source's `requested` smallest identity hashes, with every row that has one of them.
    const heap = new BigMaxHeap();
    const collector = new Collector();
    const sourceRows = await this.scan(
      'source',
      (identity, rowHash, batch, columns, row, ordinal) => {
        const full = heap.size >= requested;
        const id = this.identityKey(identity, columns, row);
        if (!collector.entries.has(id)) {
          if (full && identity >= heap.peek()!) return;
          if (full) this.evict(heap, collector);
          heap.push(identity, id);
        }
        const { record, key } = this.record('source', rowHash, batch, columns, row, ordinal);
        collector.add(id, key, 'source', record);
      },
      sampleSeed,
    );
    const threshold = heap.size >= requested ? heap.peek()! : undefined;
    const targetRows = await this.scan(
      'target',
      (identity, rowHash, batch, columns, row, ordinal) => {
        if (threshold !== undefined && identity > threshold) return;
        const { record, key } = this.record('target', rowHash, batch, columns, row, ordinal);
        collector.add(this.identityKey(identity, columns, row), key, 'target', record);
      },
      sampleSeed,
    );
    const differences = collector.differences(this.byKey, this.fieldNames);
    return {
      sourceRows,
      targetRows,
      allEqual: differences.length === 0,
      differences,
      incomplete: false,
      extra: { sample: { requested, keys: heap.size, seed } },
    };
  }

  /** Entries are kept by key text when keyed (a hash collision must not merge two keys). */
  private identityKey(identity: bigint, columns: { key: Column | undefined }, row: number): string | bigint {
    return columns.key ? this.hasher.keyText(columns.key, row) : identity;
  }

  private evict(heap: BigMaxHeap, collector: Collector): void {
    const top = heap.pop()!;
    collector.entries.delete(top.id);
  }

  trim(all: readonly Difference[], incomplete: boolean): { differences: Difference[]; moreDifferences: boolean } {
    const max = this.options.maxDifferences ?? DEFAULT_MAX_DIFFERENCES;
    return { differences: all.slice(0, max), moreDifferences: incomplete || all.length > max };
  }
}
