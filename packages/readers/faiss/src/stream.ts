/**
 * The data pass: column batches read from the offsets the structure pass found. Rows of codes
 * are read block after block; inverted lists are read where they lie, list after list, a batch
 * taking the rest of one list and the start of the next — never the whole index at once. A
 * batch's pieces of lists are read all at once (gather.ts).
 * Memory: one batch (at most MAX_BATCH_BYTES of vectors) plus its read spans or two read blocks,
 * plus the id map when an IDMap wraps an IVF index (8 bytes per vector: its ids are looked up at
 * random).
 */
import type { Column, ColumnBatch } from '@milvusdm/core';
import { BlockReader, RandomAccessFile, sourceError } from './byte-reader.js';
import { readRanges, type RangeRead } from './gather.js';
import type { Codec } from './model.js';
import type { ListsData, ReadPlan, RowsData } from './plan.js';
import { decodeProduct, decodeScalar } from './quantizers.js';

/** Upper bound of one batch's vectors, whatever batch size was asked for. */
const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/** Where reading may resume: rows already yielded, and for lists the list (by rank) and offset. */
export interface FaissCursor {
  readonly file: string;
  readonly bytes: number;
  readonly row: number;
  readonly list?: number;
  readonly offset?: number;
}

export interface StreamOptions {
  readonly plan: ReadPlan;
  readonly indexPath: string;
  /** ilod: the file holding the lists. */
  readonly dataPath?: string;
  readonly batchRows: number;
  readonly resumeFrom?: unknown;
  readonly idField: string;
  readonly vectorField: string;
}

type Vectors = Float32Array | Uint8Array;

function allocate(plan: ReadPlan, rows: number): Vectors {
  return plan.family === 'binary' ? new Uint8Array(rows * (plan.d / 8)) : new Float32Array(rows * plan.d);
}

function bytesOf(v: Vectors | BigInt64Array, start: number, count: number, per: number): Uint8Array {
  const size = v.BYTES_PER_ELEMENT * per;
  return new Uint8Array(v.buffer, v.byteOffset + start * size, count * size);
}

/**
 * Reads `n` codes at `position` into rows [row, row+n) of `out`: raw codes land there directly,
 * SQ/PQ codes are decoded (plus the list's centroid for residual codecs).
 */
async function readCodes(
  reader: BlockReader,
  codec: Codec,
  position: number,
  n: number,
  out: Vectors,
  row: number,
  centroid?: Float32Array,
): Promise<void> {
  const per = codec.kind === 'float32' || codec.kind === 'sq' || codec.kind === 'pq' ? codec.d : codec.codeSize;
  if (codec.kind === 'float32' || codec.kind === 'binary') {
    await reader.read(bytesOf(out, row, n, per), position);
    return;
  }
  const codes = new Uint8Array(n * codec.codeSize);
  await reader.read(codes, position);
  decodeCodes(codec, codes, n, out as Float32Array, row, centroid);
}

/** Decodes `n` SQ/PQ codes into rows [row, row+n) of `target`, plus the list's centroid for residual codecs. */
function decodeCodes(codec: Codec, codes: Uint8Array, n: number, target: Float32Array, row: number, centroid?: Float32Array): void {
  if (codec.kind === 'sq') decodeScalar(codec.sq, codes, n, target, row * codec.d);
  else if (codec.kind === 'pq') decodeProduct(codec.pq, codes, n, target, row * codec.d);
  else throw new Error(`decodeCodes: ${codec.kind} codes are not decoded`);
  if (centroid) {
    // Faiss: decode, then recons[i] += centroid[i], in float32 (the store rounds).
    for (let k = 0; k < n; k++) {
      const o = (row + k) * codec.d;
      for (let i = 0; i < codec.d; i++) target[o + i] = target[o + i]! + centroid[i]!;
    }
  }
}

function batch(options: StreamOptions, ids: BigInt64Array, vectors: Vectors, n: number, cursor: FaissCursor): ColumnBatch {
  const { plan } = options;
  const per = plan.family === 'binary' ? plan.d / 8 : plan.d;
  const columns = new Map<string, Column>();
  columns.set(options.idField, { type: 'int64', values: n === ids.length ? ids : ids.subarray(0, n) });
  const values = n * per === vectors.length ? vectors : vectors.subarray(0, n * per);
  columns.set(
    options.vectorField,
    plan.family === 'binary'
      ? { type: 'binary_vector', dim: plan.d, values: values as Uint8Array }
      : { type: 'float_vector', dim: plan.d, values: values as Float32Array },
  );
  return { numRows: n, columns, cursor };
}

function batchLimit(options: StreamOptions): number {
  const rowBytes = options.plan.family === 'binary' ? options.plan.d / 8 : options.plan.d * 4;
  return Math.max(1, Math.min(options.batchRows, Math.floor(MAX_BATCH_BYTES / rowBytes)));
}

function parseCursor(options: StreamOptions, bytes: number): FaissCursor | undefined {
  const c = options.resumeFrom as Partial<FaissCursor> | undefined;
  if (c === undefined) return undefined;
  if (typeof c !== 'object' || c === null || c.file !== options.indexPath || c.bytes !== bytes || typeof c.row !== 'number') {
    throw sourceError(
      options.indexPath,
      'the resume position does not match this file (was it replaced or changed since the interrupted run?)',
    );
  }
  return c as FaissCursor;
}

/** Reads the whole id map (IDMap over IVF): list ids are positions in it, in no useful order. */
async function loadIdMap(file: RandomAccessFile, offset: number, count: number): Promise<BigInt64Array> {
  const ids = new BigInt64Array(count);
  const chunk = 1 << 20;
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    await file.readInto(bytesOf(ids, start, n, 1), offset + start * 8);
  }
  return ids;
}

/** Decodes every centroid a residual codec needs (nlist × d floats, small next to the data). */
async function loadCentroids(file: RandomAccessFile, rows: RowsData): Promise<Float32Array> {
  const out = new Float32Array(rows.count * rows.codec.d);
  await readCodes(new BlockReader(file), rows.codec, rows.codes, rows.count, out, 0);
  return out;
}

export async function* readBatches(options: StreamOptions): AsyncGenerator<ColumnBatch> {
  const { plan } = options;
  if (plan.data.kind === 'absent') throw sourceError(options.indexPath, plan.data.reason);
  const index = await RandomAccessFile.open(options.indexPath, 'index file');
  try {
    const cursor = parseCursor(options, index.size);
    if (plan.data.kind === 'rows') yield* streamRows(options, index, plan.data, cursor);
    else yield* streamLists(options, index, plan.data, cursor);
  } finally {
    await index.close();
  }
}

async function* streamRows(
  options: StreamOptions,
  index: RandomAccessFile,
  data: RowsData,
  cursor: FaissCursor | undefined,
): AsyncGenerator<ColumnBatch> {
  const { plan } = options;
  const limit = batchLimit(options);
  const codes = new BlockReader(index);
  const idReader = plan.idMap !== undefined ? new BlockReader(index, 1 << 20) : undefined;
  for (let row = cursor?.row ?? 0; row < data.count;) {
    const n = Math.min(limit, data.count - row);
    const vectors = allocate(plan, n);
    await readCodes(codes, data.codec, data.codes + row * data.codec.codeSize, n, vectors, 0);
    const ids = new BigInt64Array(n);
    if (idReader) await idReader.read(bytesOf(ids, 0, n, 1), plan.idMap! + row * 8);
    else for (let k = 0; k < n; k++) ids[k] = BigInt(row + k);
    row += n;
    yield batch(options, ids, vectors, n, { file: options.indexPath, bytes: index.size, row });
  }
}

/** `n` entries of list `list` (by rank) from `offset`, for rows [at, at + n) of the batch. */
interface ListPiece {
  readonly list: number;
  readonly offset: number;
  readonly n: number;
  readonly at: number;
}

/** Reads a batch's list pieces (all at once), then decodes codes and maps inner ids. */
async function fillFromLists(
  options: StreamOptions,
  file: RandomAccessFile,
  data: ListsData,
  pieces: readonly ListPiece[],
  vectors: Vectors,
  ids: BigInt64Array,
  idMap: BigInt64Array | undefined,
  centroids: Float32Array | undefined,
): Promise<void> {
  const { table, codec } = data;
  const raw = codec.kind === 'float32' || codec.kind === 'binary';
  const per = raw ? (codec.kind === 'float32' ? codec.d : codec.codeSize) : 0;
  const ranges: RangeRead[] = [];
  const codes: Uint8Array[] = [];
  for (const piece of pieces) {
    const position = table.codeOffsets[piece.list]! + piece.offset * codec.codeSize;
    const target = raw ? bytesOf(vectors, piece.at, piece.n, per) : new Uint8Array(piece.n * codec.codeSize);
    if (!raw) codes.push(target);
    ranges.push(
      { position, target },
      { position: table.idOffsets[piece.list]! + piece.offset * 8, target: bytesOf(ids, piece.at, piece.n, 1) },
    );
  }
  await readRanges(file, ranges);
  pieces.forEach((piece, i) => {
    const listNo = table.listNo[piece.list]!;
    if (!raw) {
      const centroid = centroids?.subarray(listNo * codec.d, (listNo + 1) * codec.d);
      decodeCodes(codec, codes[i]!, piece.n, vectors as Float32Array, piece.at, centroid);
    }
    if (!idMap) return;
    for (let k = piece.at; k < piece.at + piece.n; k++) {
      const inner = ids[k]!;
      if (inner < 0n || inner >= BigInt(idMap.length)) {
        throw sourceError(
          options.indexPath,
          `inverted list ${listNo} holds inner id ${inner}, but the id map has ${idMap.length} entries (corrupt file, or remove_ids was used on the IDMap-wrapped IVF index, which Faiss does not keep consistent)`,
        );
      }
      ids[k] = idMap[Number(inner)]!;
    }
  });
}

async function* streamLists(
  options: StreamOptions,
  index: RandomAccessFile,
  data: ListsData,
  cursor: FaissCursor | undefined,
): AsyncGenerator<ColumnBatch> {
  const { plan } = options;
  const { table } = data;
  const limit = batchLimit(options);
  const dataFile = options.dataPath ? await RandomAccessFile.open(options.dataPath, 'inverted-lists data file') : index;
  try {
    const idMap = plan.idMap !== undefined ? await loadIdMap(index, plan.idMap, plan.root.header.ntotal) : undefined;
    const centroids = data.centroids ? await loadCentroids(index, data.centroids) : undefined;
    let row = cursor?.row ?? 0;
    let list = cursor?.list ?? 0;
    let offset = cursor?.offset ?? 0;
    // Batches never exceed what is left, so a small index does not allocate a full batch.
    const room = () => Math.max(1, Math.min(limit, table.total - row));
    let capacity = room();
    let vectors = allocate(plan, capacity);
    let ids = new BigInt64Array(capacity);
    let filled = 0;
    // The pieces of lists the batch takes, read together once it is full (gather.ts).
    let pieces: ListPiece[] = [];
    const fill = () => fillFromLists(options, dataFile, data, pieces, vectors, ids, idMap, centroids);
    for (; list < table.listNo.length; list++, offset = 0) {
      const size = table.sizes[list]!;
      while (offset < size) {
        const n = Math.min(size - offset, capacity - filled);
        pieces.push({ list, offset, n, at: filled });
        filled += n;
        offset += n;
        row += n;
        if (filled === capacity) {
          await fill();
          const next = offset < size ? { list, offset } : { list: list + 1, offset: 0 };
          yield batch(options, ids, vectors, filled, { file: options.indexPath, bytes: index.size, row, ...next });
          capacity = room();
          vectors = allocate(plan, capacity);
          ids = new BigInt64Array(capacity);
          filled = 0;
          pieces = [];
        }
      }
    }
    if (filled > 0) {
      await fill();
      yield batch(options, ids, vectors, filled, { file: options.indexPath, bytes: index.size, row, list: table.listNo.length, offset: 0 });
    }
  } finally {
    if (dataFile !== index) await dataFile.close();
  }
}
