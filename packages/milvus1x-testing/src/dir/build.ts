/**
 * Builds a Milvus 1.x data directory from a description, as the server would have left it:
 * segment folders with `.rv`, `.uid`, `deleted_docs` and `bloom_filter`, index files beside
 * indexed segments, superseded and in-flight segments, dropped collections and partitions,
 * and the meta rows (written to `db/meta.sqlite`, or returned for a MySQL database).
 *
 * The rows each dataset must yield are computed here, from the generated data and the chosen
 * deletes, independently of the reader: tests compare what was migrated against them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType, metricCode, isBinaryMetric, TableState, type Metric1x } from '../codes.js';
import { writeSqliteMeta, type MetaRows, type TableFileRow, type TableRow } from '../meta/write-meta.js';
import { mix64, Random } from '../random.js';
import { asBytes, bloomFilter, writePayloadFile } from './segment-files.js';

export type SegmentType = 'RAW' | 'TO_INDEX' | 'BACKUP' | 'NEW' | 'TO_DELETE' | 'NEW_MERGE';
const LIVE: readonly SegmentType[] = ['RAW', 'TO_INDEX', 'BACKUP'];

export interface SegmentSpec {
  readonly rows: number;
  readonly type: SegmentType;
  /**
   * Delete batches as Milvus appended them to deleted_docs: row positions (not ids), ascending
   * within a batch, unsorted and repeated across batches; positions ≥ rows are kept in the file.
   */
  readonly deletes?: readonly (readonly number[])[];
  /** BACKUP segments get the INDEX row and index file of their built index unless false. */
  readonly index?: boolean;
  /** An index build in progress: a NEW_INDEX row and a partial index file in this folder. */
  readonly indexInProgress?: boolean;
  /** For segments that are not live: cleanup already removed the folder, only the meta row is left. */
  readonly filesRemoved?: boolean;
  /** Name the raw files `<fileName>.rv` / `.uid` instead of `<segment_id>.*`. */
  readonly fileName?: string;
  /** Write no deleted_docs file. */
  readonly noDeletedDocs?: boolean;
  /** Override the meta's row_count (to test disagreements). */
  readonly metaRowCount?: number;
  /**
   * Store these rows instead of generated ones (`rows` of them; vectors packed as the segment
   * file holds them): lets a caller with its own data, such as the conformance suite, use it.
   */
  readonly data?: { readonly ids: BigInt64Array; readonly vectors: Float32Array | Uint8Array };
}

export interface PartitionSpec {
  readonly tag: string;
  readonly dropped?: boolean;
  readonly segments: readonly SegmentSpec[];
}

export interface CollectionSpec {
  readonly name: string;
  /** Elements for float metrics, bits for binary ones. */
  readonly dim: number;
  readonly metric: Metric1x;
  readonly dropped?: boolean;
  /** How 1.x chose the ids: user-provided (default) or generated (µs × 1000 + position). */
  readonly ids?: 'user' | 'auto';
  readonly engineType?: number;
  readonly indexParams?: string;
  /** Segments of the default partition (the collection's own table). */
  readonly segments?: readonly SegmentSpec[];
  readonly partitions?: readonly PartitionSpec[];
}

export interface DirSpec {
  readonly collections: readonly CollectionSpec[];
  readonly seed?: number;
  /** `sqlite` (default): db/meta.sqlite; `sqlite-wal`: rows left in meta.sqlite-wal; `none`: no meta file (MySQL). */
  readonly meta?: 'sqlite' | 'sqlite-wal' | 'none';
  /** Keep the expected rows (default true); a benchmark building millions of rows says false. */
  readonly keepExpected?: boolean;
  /** Also leave a segment folder no meta row names, as an interrupted flush would. */
  readonly strayFolder?: boolean;
}

export interface BuiltSegment {
  readonly collection: string;
  /** Partition tag; `_default` for the collection's own table. */
  readonly tag: string;
  readonly tableId: string;
  readonly segmentId: string;
  readonly type: SegmentType;
  readonly dir: string;
  readonly rv: string;
  readonly uid: string;
  readonly deletedDocs: string | undefined;
  readonly rows: number;
  readonly liveRows: number;
}

export interface ExpectedDataset {
  /** `collection/tag`, `_default` for the default partition. */
  readonly key: string;
  readonly collection: string;
  /** Undefined for the default partition. */
  readonly partition: string | undefined;
  readonly tableId: string;
  readonly dim: number;
  readonly binary: boolean;
  readonly metric: Metric1x;
  readonly rows: number;
  /** Present unless keepExpected was false; in the order the reader yields them. */
  readonly ids?: BigInt64Array;
  readonly vectors?: Float32Array | Uint8Array;
}

export interface BuiltDir {
  /** The storage path (what `source.path` names). */
  readonly root: string;
  readonly db: string;
  readonly meta: MetaRows;
  /** Every dataset a full read yields (not dropped), empty ones included. */
  readonly expected: readonly ExpectedDataset[];
  readonly segments: readonly BuiltSegment[];
}

const CODE: Readonly<Record<SegmentType, number>> = {
  RAW: FileType.RAW,
  TO_INDEX: FileType.TO_INDEX,
  BACKUP: FileType.BACKUP,
  NEW: FileType.NEW,
  TO_DELETE: FileType.TO_DELETE,
  NEW_MERGE: FileType.NEW_MERGE,
};

/** 1.x's id generator: microseconds × 1000 (+ position); 19 digits, above 2^53. */
class IdGenerator {
  private micros = 1_678_354_366_132_931n;
  next(): string {
    this.micros += 1n + (this.micros % 3n);
    return (this.micros * 1000n).toString();
  }
}

/** The creation time every row carries (a fixed moment: fixtures are reproducible). */
const NOW = 1_678_354_366_132_931;

function tableRow(c: CollectionSpec, tableId: string, owner: string, tag: string, dropped: boolean): TableRow {
  return {
    table_id: tableId,
    state: dropped ? TableState.TO_DELETE : TableState.NORMAL,
    dimension: c.dim,
    created_on: NOW,
    flag: owner ? 0 : c.ids === 'auto' ? 1 : 2,
    index_file_size: 1024 * 1048576,
    engine_type: c.engineType ?? (isBinaryMetric(c.metric) ? 9 : 1),
    index_params: c.indexParams ?? '{}',
    metric_type: metricCode(c.metric),
    owner_table: owner,
    partition_tag: tag,
    version: '1.1.1',
    flush_lsn: 0,
  };
}

function fileRow(
  tableId: string,
  segmentId: string,
  fileId: string,
  type: number,
  size: number,
  rowCount: number,
  engine: number,
): TableFileRow {
  return {
    table_id: tableId,
    segment_id: segmentId,
    engine_type: engine,
    file_id: fileId,
    file_type: type,
    file_size: size,
    row_count: rowCount,
    updated_time: NOW,
    created_on: NOW,
    date: 1230309,
    flush_lsn: 0,
  };
}

/** The live rows of one dataset, gathered segment by segment. */
interface Accumulator {
  ids: BigInt64Array[];
  vectors: (Float32Array | Uint8Array)[];
  rows: number;
}

/** One segment's generated content, before it is written. */
interface SegmentData {
  readonly ids: BigInt64Array;
  readonly vectors: Float32Array | Uint8Array;
  readonly deleted: ReadonlySet<number>;
}

/** Builds one directory: collections, their partitions and segments, then the meta. */
class DirBuilder {
  private readonly rng: Random;
  private readonly gen = new IdGenerator();
  private readonly keep: boolean;
  private idCounter: bigint;
  private autoIdMicros = 1_678_354_400_000_000n;
  readonly tables: TableRow[] = [];
  readonly files: TableFileRow[] = [];
  readonly segments: BuiltSegment[] = [];
  readonly expected: ExpectedDataset[] = [];

  constructor(
    private readonly db: string,
    private readonly spec: DirSpec,
  ) {
    this.rng = new Random(spec.seed ?? 42);
    this.keep = spec.keepExpected ?? true;
    this.idCounter = BigInt((spec.seed ?? 42) * 1_000_003);
  }

  async collection(c: CollectionSpec): Promise<void> {
    this.tables.push(tableRow(c, c.name, '', '', c.dropped ?? false));
    const own: Accumulator = { ids: [], vectors: [], rows: 0 };
    for (const s of c.segments ?? []) await this.segment(c, c.name, '_default', s, own);
    if (!c.dropped) this.expected.push(this.finish(c, c.name, '_default', own));
    for (const p of c.partitions ?? []) {
      const tableId = this.gen.next();
      this.tables.push(tableRow(c, tableId, c.name, p.tag, (p.dropped ?? false) || (c.dropped ?? false)));
      const acc: Accumulator = { ids: [], vectors: [], rows: 0 };
      for (const s of p.segments) await this.segment(c, tableId, p.tag, s, acc);
      if (!c.dropped && !p.dropped) this.expected.push(this.finish(c, tableId, p.tag, acc));
    }
  }

  /** A flush interrupted before its meta row was written: files no meta row names. */
  async strayFolder(collection: string): Promise<void> {
    const stray = join(this.db, 'tables', collection, this.gen.next());
    await mkdir(stray, { recursive: true });
    await writePayloadFile(join(stray, 'stray.uid'), [asBytes(BigInt64Array.of(-1n, -2n))]);
  }

  private generate(c: CollectionSpec, s: SegmentSpec): SegmentData {
    const binary = isBinaryMetric(c.metric);
    if (s.data) return this.given(c, s, s.data);
    const ids = new BigInt64Array(s.rows);
    for (let i = 0; i < s.rows; i++) {
      if (c.ids === 'auto') ids[i] = this.autoIdMicros * 1000n + BigInt(i % 1000) + (i >= 1000 ? BigInt(Math.floor(i / 1000)) * 1000n : 0n);
      else ids[i] = mix64(this.idCounter++);
    }
    if (c.ids === 'auto') this.autoIdMicros += BigInt(Math.ceil(s.rows / 1000) + 1);
    const vectors = binary ? new Uint8Array((s.rows * c.dim) / 8) : new Float32Array(s.rows * c.dim);
    if (vectors instanceof Float32Array) this.rng.fillFloats(vectors);
    else this.rng.fillBytes(vectors);
    const deleted = new Set<number>();
    for (const batch of s.deletes ?? []) for (const k of batch) if (k >= 0 && k < s.rows) deleted.add(k);
    return { ids, vectors, deleted };
  }

  /** The caller's rows, checked against the segment's size (a wrong fixture must not pass silently). */
  private given(c: CollectionSpec, s: SegmentSpec, data: NonNullable<SegmentSpec['data']>): SegmentData {
    const per = isBinaryMetric(c.metric) ? c.dim / 8 : c.dim;
    if (data.ids.length !== s.rows || data.vectors.length !== s.rows * per)
      throw new Error(
        `segment data: ${data.ids.length} ids and ${data.vectors.length} vector elements for ${s.rows} rows of dimension ${c.dim}`,
      );
    if (data.vectors instanceof Uint8Array !== isBinaryMetric(c.metric))
      throw new Error(`segment data: vectors do not fit metric ${c.metric}`);
    const deleted = new Set<number>();
    for (const batch of s.deletes ?? []) for (const k of batch) if (k >= 0 && k < s.rows) deleted.add(k);
    return { ids: data.ids, vectors: data.vectors, deleted };
  }

  private async segment(c: CollectionSpec, tableId: string, tag: string, s: SegmentSpec, acc: Accumulator): Promise<void> {
    const vectorBytes = isBinaryMetric(c.metric) ? c.dim / 8 : c.dim * 4;
    const engine = c.engineType ?? (isBinaryMetric(c.metric) ? 9 : 1);
    const segmentId = this.gen.next();
    const dir = join(this.db, 'tables', tableId, segmentId);
    const base = s.fileName ?? segmentId;
    const data = this.generate(c, s);
    const live = s.rows - data.deleted.size;
    const rv = join(dir, `${base}.rv`);
    const uid = join(dir, `${base}.uid`);
    const deletedDocs = s.noDeletedDocs ? undefined : join(dir, 'deleted_docs');
    if (!s.filesRemoved) {
      await mkdir(dir, { recursive: true });
      await writePayloadFile(rv, [asBytes(data.vectors)]);
      await writePayloadFile(uid, [asBytes(data.ids)]);
      if (deletedDocs)
        await writePayloadFile(
          deletedDocs,
          (s.deletes ?? []).map((b) => asBytes(Int32Array.from(b))),
        );
      await writeFile(join(dir, 'bloom_filter'), bloomFilter(s.rows));
    }
    this.files.push(fileRow(tableId, segmentId, segmentId, CODE[s.type], s.rows * (vectorBytes + 8), s.metaRowCount ?? live, engine));
    await this.indexFiles(c, tableId, segmentId, dir, s, live);
    this.segments.push({
      collection: c.name,
      tag,
      tableId,
      segmentId,
      type: s.type,
      dir,
      rv,
      uid,
      deletedDocs,
      rows: s.rows,
      liveRows: live,
    });
    if (LIVE.includes(s.type)) this.gather(c, s, data, live, acc);
  }

  /** An index built beside the raw files (never raw data), or one still being built. */
  private async indexFiles(
    c: CollectionSpec,
    tableId: string,
    segmentId: string,
    dir: string,
    s: SegmentSpec,
    live: number,
  ): Promise<void> {
    if (s.type === 'BACKUP' && s.index !== false) {
      const indexId = this.gen.next();
      const index = new Uint8Array(4096 + this.rng.int(4096));
      this.rng.fillBytes(index);
      await writeFile(join(dir, indexId), index);
      this.files.push(fileRow(tableId, segmentId, indexId, FileType.INDEX, index.length, s.metaRowCount ?? live, c.engineType ?? 2));
    }
    if (s.indexInProgress) {
      const indexId = this.gen.next();
      await writeFile(join(dir, indexId), new Uint8Array(1000).fill(7));
      this.files.push(fileRow(tableId, segmentId, indexId, FileType.NEW_INDEX, 0, s.rows, c.engineType ?? 2));
    }
  }

  /** Adds a live segment's rows, minus its deletes, to what its dataset must yield. */
  private gather(c: CollectionSpec, s: SegmentSpec, data: SegmentData, live: number, acc: Accumulator): void {
    acc.rows += live;
    if (!this.keep) return;
    const binary = isBinaryMetric(c.metric);
    const per = binary ? c.dim / 8 : c.dim;
    const keptIds = new BigInt64Array(live);
    const keptVectors = binary ? new Uint8Array(live * per) : new Float32Array(live * per);
    let w = 0;
    for (let k = 0; k < s.rows; k++) {
      if (data.deleted.has(k)) continue;
      keptIds[w] = data.ids[k]!;
      keptVectors.set(data.vectors.subarray(k * per, (k + 1) * per) as never, w * per);
      w++;
    }
    acc.ids.push(keptIds);
    acc.vectors.push(keptVectors);
  }

  private finish(c: CollectionSpec, tableId: string, tag: string, acc: Accumulator): ExpectedDataset {
    const binary = isBinaryMetric(c.metric);
    const base = {
      key: `${c.name}/${tag}`,
      collection: c.name,
      partition: tag === '_default' ? undefined : tag,
      tableId,
      dim: c.dim,
      binary,
      metric: c.metric,
      rows: acc.rows,
    };
    if (!this.keep) return base;
    const ids = new BigInt64Array(acc.rows);
    let at = 0;
    for (const part of acc.ids) ids.set(part, (at += part.length) - part.length);
    const per = binary ? c.dim / 8 : c.dim;
    const vectors = binary ? new Uint8Array(acc.rows * per) : new Float32Array(acc.rows * per);
    at = 0;
    for (const part of acc.vectors) {
      vectors.set(part as never, at);
      at += part.length;
    }
    return { ...base, ids, vectors };
  }
}

export async function buildMilvus1xDir(root: string, spec: DirSpec): Promise<BuiltDir> {
  const db = join(root, 'db');
  await mkdir(join(db, 'tables'), { recursive: true });
  const builder = new DirBuilder(db, spec);
  for (const c of spec.collections) await builder.collection(c);
  if (spec.strayFolder && spec.collections[0]) await builder.strayFolder(spec.collections[0].name);
  const meta: MetaRows = { tables: builder.tables, files: builder.files };
  if ((spec.meta ?? 'sqlite') !== 'none') writeSqliteMeta(join(db, 'meta.sqlite'), meta, { leaveWal: spec.meta === 'sqlite-wal' });
  return { root, db, meta, expected: builder.expected, segments: builder.segments };
}
