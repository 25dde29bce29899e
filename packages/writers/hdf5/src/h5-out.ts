/**
 * One output HDF5 file, grown batch by batch: every dataset is chunked with an unlimited first
 * dimension, resized and written in place, so memory holds one batch whatever the file's size.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import h5wasm, { Dataset, type File as H5File } from 'h5wasm/node';
import { MilvusdmError, errorMessage, hdf5Failure, type Column } from '@milvusdm/core';
import type { FieldLayout, PartSpec } from './layout.js';

type Module = Awaited<typeof h5wasm.ready>;
let ready: Promise<Module> | undefined;

async function h5(): Promise<Module> {
  ready ??= h5wasm.ready.then((m) => {
    // HDF5 errors as exceptions, not console noise and a status code nobody reads.
    m.activate_throwing_error_handler();
    return m;
  });
  return ready;
}

/** File attribute naming the run that created a `.partial` file. */
const WRITE_ID = 'milvusdm_write_id';

/** Target bytes of one HDF5 chunk: big enough to stream, small enough to read back partially. */
const CHUNK_BYTES = 1 << 20;

/**
 * Entries of one chunk of a part with entries of `entryBytes`: under CHUNK_BYTES, and for parts
 * with one entry a row a divisor of the run's batch rows where one is near that size, so a batch
 * fills whole chunks. Measured, 100 batches of 10,000 × 128 float32 written (`bench/README.md`,
 * "File → file"): chunks of exactly 1 MiB (2,048 rows, the size of HDF5's default chunk cache)
 * 284–416 ms; 1,900 rows 267–347 ms; 2,000 rows, 5 a batch, 237–270 ms.
 */
export function chunkEntries(entryBytes: number, batchRows: number | undefined, perRow: boolean): number {
  const most = Math.max(1, Math.min(1 << 16, Math.floor((CHUNK_BYTES - 1) / entryBytes)));
  if (!perRow || !batchRows || !Number.isSafeInteger(batchRows) || batchRows < 1) return most;
  // Small batches: a whole number of them a chunk.
  if (batchRows <= most) return Math.floor(most / batchRows) * batchRows;
  // The largest divisor of the batch not above `most`, if it is at least half of it.
  for (let n = most; n >= Math.ceil(most / 2); n--) if (batchRows % n === 0) return n;
  return most;
}

const H5S_UNLIMITED = 18446744073709551615n;

interface GrowingPart {
  readonly spec: PartSpec;
  readonly dataset: Dataset;
  /** Entries written (rows, or elements for `flat` parts). */
  length: number;
}

interface GrowingField {
  readonly layout: FieldLayout;
  readonly parts: readonly GrowingPart[];
}

/** h5wasm's dataset metadata for a dtype string (`S` = variable-length UTF-8). */
function typeMetadata(dtype: string): { type: number; size: number; signed: boolean; vlen: boolean; littleEndian: true; cset?: number } {
  if (dtype === 'S') return { type: 3, size: 4, signed: false, vlen: true, littleEndian: true, cset: 1 };
  const kind = dtype[1]!;
  const size = { b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, q: 8, Q: 8, f: 4, d: 8 }[kind];
  if (!size) throw new Error(`unknown dtype ${dtype}`);
  const float = kind === 'f' || kind === 'd';
  return { type: float ? 1 : 0, size, signed: float || kind === kind.toLowerCase(), vlen: false, littleEndian: true };
}

const textEncoder = new TextEncoder();

export class GrowingFile {
  private readonly fields: GrowingField[] = [];
  private rows = 0;
  private appended = 0;

  private constructor(
    readonly path: string,
    private readonly file: H5File,
    private readonly module: Module,
    private readonly compression: number,
    /** The run's batch rows, to cut chunks along batch boundaries (undefined: not known). */
    private readonly batchRows?: number,
  ) {}

  static async create(path: string, compression: number, batchRows?: number): Promise<GrowingFile> {
    const module = await h5();
    try {
      return new GrowingFile(path, new h5wasm.File(path, 'w'), module, compression, batchRows);
    } catch (e) {
      throw new MilvusdmError('MDM_TARGET', `${path}: cannot create the HDF5 file (${hdf5Failure(e)?.reason ?? errorMessage(e)})`, {
        cause: e,
      });
    }
  }

  /**
   * Reopens a `.partial` file an interrupted run left, checks it is the one that run created
   * (`writeId`) and holds at least `rows` rows in every dataset, and (with `cut`) cuts it back to
   * `rows`: rows after that were not recorded as committed and are written again. Element
   * datasets (`flat` parts of arrays and sparse vectors) are cut where their field's `end`
   * offsets say row `rows` begins. Without `cut` (a finished file) nothing is changed.
   */
  static async reopen(
    path: string,
    compression: number,
    layouts: readonly FieldLayout[],
    writeId: string,
    rows: number,
    cut = true,
    rebuilt = false,
  ): Promise<GrowingFile> {
    const module = await h5();
    let file: H5File;
    try {
      file = new h5wasm.File(path, 'a');
    } catch (e) {
      throw new MilvusdmError(
        'MDM_RESUME',
        `${path}: the interrupted run's partial file cannot be opened (${hdf5Failure(e)?.reason ?? errorMessage(e)})`,
        {
          cause: e,
          hint: 'Run again with --restart to write it from the start.',
        },
      );
    }
    const grown = new GrowingFile(path, file, module, compression);
    const refuse = (message: string) =>
      new MilvusdmError('MDM_RESUME', `${path}: ${message}`, { hint: 'Run again with --restart to write it from the start.' });
    try {
      const found = file.attrs[WRITE_ID]?.value;
      if (found !== writeId) {
        throw new MilvusdmError(
          'MDM_RESUME',
          `${path} is not the partial file the interrupted run was writing (its write id is ${JSON.stringify(found ?? null)})`,
          {
            hint: 'Run again with --restart to write it from the start.',
          },
        );
      }
      let stored: number | undefined;
      const cuts: { part: GrowingPart; want: number }[] = [];
      for (const layout of layouts) {
        const parts: GrowingPart[] = [];
        for (const spec of layout.parts) {
          const dataset = file.get(spec.name);
          if (!(dataset instanceof Dataset) || !dataset.shape) throw refuse(`dataset "${spec.name}" is missing`);
          parts.push({ spec, dataset, length: dataset.shape[0]! });
        }
        const end = parts.find((p) => p.spec.role === 'end');
        for (const part of parts) {
          if (part.spec.role === 'flat') continue;
          if (part.length < rows)
            throw refuse(`dataset "${part.spec.name}" holds ${part.length} rows, the interrupted run recorded ${rows} as written`);
          if (!cut && stored !== undefined && part.length !== stored)
            throw refuse(`dataset "${part.spec.name}" holds ${part.length} rows, other datasets ${stored}`);
          stored ??= part.length;
        }
        const keep = cut ? rows : (stored ?? rows);
        // Elements of the rows kept: where the last kept row ends.
        const elements = end && keep > 0 ? Number(grown.readInt64(end.dataset, keep - 1)) : 0;
        for (const part of parts) {
          const want = part.spec.role === 'flat' ? elements : keep;
          if (part.spec.role === 'flat' && part.length < want)
            throw refuse(`dataset "${part.spec.name}" holds ${part.length} elements, its row offsets end at ${want}`);
          if (cut && part.length !== want) cuts.push({ part, want });
        }
        grown.fields.push({ layout, parts });
      }
      grown.rows = cut ? rows : (stored ?? rows);
      // Strings written after the last flush may point at heap objects a kill never let reach
      // the disk, in chunks that did reach it (even past the dataset's recorded extent): HDF5
      // fails rewriting such a row (it frees the old string first). A file with string datasets
      // is therefore rebuilt from its committed rows on resume instead of cut in place.
      if (cut && !rebuilt && grown.fields.some((f) => f.parts.some((p) => p.spec.dtype === 'S'))) {
        const wants = new Map(cuts.map((c) => [c.part.spec.name, c.want]));
        grown.close();
        await rebuild(path, module, compression, layouts, (name, length) => wants.get(name) ?? length, grown.fields);
        return GrowingFile.reopen(path, compression, layouts, writeId, rows, cut, true);
      }
      for (const { part, want } of cuts) {
        part.dataset.resize(part.spec.width > 0 ? [want, part.spec.width] : [want]);
        part.length = want;
      }
      if (cut) grown.flush();
      return grown;
    } catch (e) {
      grown.close();
      throw e;
    }
  }

  /** Marks the file as this run's, so a resumed run can tell it from any other file at that path. */
  setWriteId(writeId: string): void {
    this.file.create_attribute(WRITE_ID, writeId);
  }

  /**
   * Makes every row appended so far durable: HDF5's metadata flushed into the file, then the
   * file's pages to disk, so neither a kill nor a power cut loses a committed row.
   */
  flush(): void {
    this.writeMetadata();
    const fd = openSync(this.path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * HDF5's metadata (extents, chunk indexes) written into the file: what the rows appended so far
   * need to be read back. Durable only once `syncToDisk` that starts after it has ended.
   */
  writeMetadata(): void {
    this.file.flush();
  }

  /**
   * The file's pages to disk, on libuv's threads: the main thread goes on appending meanwhile
   * (the disk writes back what came before while the next batches are encoded).
   */
  async syncToDisk(): Promise<void> {
    const handle = await open(this.path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Bytes of fixed-width entries appended by this object (strings not counted): to pace syncs. */
  get bytesAppended(): number {
    return this.appended;
  }

  /** Declares a field's datasets before the first row is written. */
  addField(layout: FieldLayout): void {
    const parts: GrowingPart[] = [];
    for (const spec of layout.parts) {
      const meta = typeMetadata(spec.dtype);
      const entries = chunkEntries(spec.entryBytes, this.batchRows, spec.role !== 'flat');
      const twoD = spec.width > 0;
      // Variable-length strings cannot be compressed (HDF5 filters see only their heap ids).
      const compress = this.compression > 0 && !meta.vlen;
      const status = this.module.create_dataset(this.file.file_id, `/${spec.name}`, 0n, {
        ...meta,
        shape: twoD ? [0n, BigInt(spec.width)] : [0n],
        maxshape: twoD ? [H5S_UNLIMITED, BigInt(spec.width)] : [H5S_UNLIMITED],
        chunks: twoD ? [BigInt(entries), BigInt(spec.width)] : [BigInt(entries)],
        compression: compress ? 1 : 0,
        compression_opts: compress ? [this.compression] : [],
        track_order: false,
      } as never);
      if (status < 0) throw new MilvusdmError('MDM_TARGET', `${this.path}: cannot create dataset "${spec.name}"`);
      const dataset = this.file.get(spec.name) as Dataset;
      dataset.create_attribute('milvus_field', layout.name);
      dataset.create_attribute('milvus_type', layout.type);
      dataset.create_attribute('milvus_part', spec.part);
      if (layout.type === 'array' && layout.field.elementType) dataset.create_attribute('milvus_element_type', layout.field.elementType);
      parts.push({ spec, dataset, length: 0 });
    }
    this.fields.push({ layout, parts });
  }

  setAttribute(name: string, value: string | number): void {
    this.file.create_attribute(name, value);
  }

  /** Appends one batch: `columns` maps field names (`$meta` for dynamic fields) to the batch's columns. */
  append(numRows: number, columns: ReadonlyMap<string, Column>): void {
    const start = this.rows;
    // Every field encoded and checked before the first byte is written: a refused batch leaves
    // the datasets aligned at the rows written before it.
    const writes: { part: GrowingPart; count: number; data: ArrayBufferView | readonly string[] }[] = [];
    for (const { layout, parts } of this.fields) {
      const column = columns.get(layout.name);
      if (!column) throw new MilvusdmError('MDM_BATCH_INVALID', `${this.path}: the batch has no data for field "${layout.name}"`);
      if (column.type !== layout.type)
        throw new MilvusdmError(
          'MDM_BATCH_INVALID',
          `${this.path}: field "${layout.name}" arrived as ${column.type}, the schema says ${layout.type}`,
        );
      const encoded = encodeColumn(column, layout, numRows, parts, (row, what) => {
        throw new MilvusdmError('MDM_INVALID_DATA', `${this.path}: row ${start + row}: field "${layout.name}" ${what}`);
      });
      for (const part of parts) {
        const data = encoded.get(part.spec.part)!;
        const count = (data as { length: number }).length / (Array.isArray(data) ? 1 : Math.max(1, part.spec.width));
        if (part.spec.role !== 'flat' && count !== numRows) {
          throw new MilvusdmError(
            'MDM_BATCH_INVALID',
            `${this.path}: field "${layout.name}" has ${count} rows for dataset "${part.spec.name}", the batch has ${numRows}`,
          );
        }
        writes.push({ part, count, data });
      }
    }
    for (const { part, count, data } of writes) this.write(part, count, data);
    this.rows = start + numRows;
  }

  private write(part: GrowingPart, count: number, data: ArrayBufferView | readonly string[]): void {
    const start = part.length;
    const end = start + count;
    const width = part.spec.width;
    part.dataset.resize(width > 0 ? [end, width] : [end]);
    part.length = end;
    if (count === 0) return;
    const m = this.module;
    const counts = width > 0 ? [BigInt(count), BigInt(width)] : [BigInt(count)];
    const offset = width > 0 ? [BigInt(start), 0n] : [BigInt(start)];
    const strides = counts.map(() => 1n);
    if (Array.isArray(data)) {
      // Variable-length strings: an array of pointers (wasm32: 4 bytes) to NUL-terminated UTF-8.
      const encoded = (data as readonly string[]).map((s) => textEncoder.encode(s));
      const total = encoded.reduce((n, b) => n + b.length + 1, 0);
      const blob = m._malloc(Math.max(1, total));
      const pointers = m._malloc(count * 4);
      try {
        let pos = blob;
        const view = new DataView(m.HEAPU8.buffer);
        encoded.forEach((bytes, i) => {
          m.HEAPU8.set(bytes, pos);
          m.HEAPU8[pos + bytes.length] = 0;
          view.setUint32(pointers + i * 4, pos, true);
          pos += bytes.length + 1;
        });
        m.set_dataset_data(this.file.file_id, part.dataset.path, counts, offset, strides, BigInt(pointers));
      } finally {
        m._free(blob);
        m._free(pointers);
      }
      return;
    }
    const view = data as ArrayBufferView;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    this.appended += bytes.length;
    const ptr = m._malloc(Math.max(1, bytes.length));
    try {
      m.HEAPU8.set(bytes, ptr);
      m.set_dataset_data(this.file.file_id, part.dataset.path, counts, offset, strides, BigInt(ptr));
    } finally {
      m._free(ptr);
    }
  }

  private readInt64(dataset: Dataset, row: number): bigint {
    const m = this.module;
    const ptr = m._malloc(8);
    try {
      m.get_dataset_data(this.file.file_id, dataset.path, [1n], [BigInt(row)], [1n], BigInt(ptr));
      return new DataView(m.HEAPU8.buffer).getBigInt64(ptr, true);
    } finally {
      m._free(ptr);
    }
  }

  /** Appends the first `keep(name)` entries of each dataset of `source` (a file of the same layout). */
  copyFrom(module: Module, source: H5File, keep: (name: string) => number): void {
    for (const { parts } of this.fields) {
      for (const part of parts) {
        const total = keep(part.spec.name);
        const block = Math.max(1, Math.floor((8 << 20) / part.spec.entryBytes));
        for (let start = 0; start < total; start += block) {
          const n = Math.min(block, total - start);
          this.write(part, n, readPart(module, source, part.spec, start, n));
        }
      }
    }
  }

  get rowCount(): number {
    return this.rows;
  }

  close(): void {
    this.file.close();
  }
}

/** Entries of `spec` [start, start + count) from an open file: raw bytes, or decoded strings. */
function readPart(module: Module, file: H5File, spec: PartSpec, start: number, count: number): Uint8Array | string[] {
  const counts = spec.width > 0 ? [BigInt(count), BigInt(spec.width)] : [BigInt(count)];
  const offset = spec.width > 0 ? [BigInt(start), 0n] : [BigInt(start)];
  const strides = counts.map(() => 1n);
  const strings = spec.dtype === 'S';
  const nbytes = strings ? count * 4 : count * spec.entryBytes;
  const ptr = module._malloc(Math.max(1, nbytes));
  try {
    module.get_dataset_data(file.file_id, `/${spec.name}`, counts, offset, strides, BigInt(ptr));
    if (!strings) return module.HEAPU8.slice(ptr, ptr + nbytes);
    try {
      const heap = module.HEAPU8;
      const view = new DataView(heap.buffer);
      const out: string[] = [];
      for (let i = 0; i < count; i++) {
        const p = view.getUint32(ptr + i * 4, true);
        out.push(p === 0 ? '' : textDecoder.decode(heap.subarray(p, heap.indexOf(0, p))));
      }
      return out;
    } finally {
      module.reclaim_vlen_memory_count(file.file_id, `/${spec.name}`, '', BigInt(ptr), counts);
    }
  } finally {
    module._free(ptr);
  }
}

/**
 * Rewrites the file at `path` with the first `keep(name, length)` entries of every dataset and
 * all of its attributes, block by block (bounded memory), then puts it in place of the old one.
 */
async function rebuild(
  path: string,
  module: Module,
  compression: number,
  layouts: readonly FieldLayout[],
  keep: (name: string, length: number) => number,
  found: readonly GrowingField[],
): Promise<void> {
  const lengths = new Map(found.flatMap((f) => f.parts.map((p) => [p.spec.name, p.length] as const)));
  const tmp = `${path}.rebuild`;
  const old = new h5wasm.File(path, 'r');
  let fresh: GrowingFile | undefined;
  try {
    fresh = await GrowingFile.create(tmp, compression);
    for (const [name, attr] of Object.entries(old.attrs)) fresh.setAttribute(name, attr.value as string | number);
    for (const layout of layouts) fresh.addField(layout);
    fresh.copyFrom(module, old, (name) => keep(name, lengths.get(name) ?? 0));
    fresh.flush();
  } finally {
    fresh?.close();
    old.close();
  }
  await rename(tmp, path);
}

const textDecoder = new TextDecoder();

type Encoded = Map<string, ArrayBufferView | readonly string[]>;

/** Strings go into NUL-terminated HDF5 strings: a NUL inside one would cut it short. */
function checkStrings(
  values: readonly string[],
  fail: (row: number, what: string) => never,
  rowOf: (i: number) => number = (i) => i,
): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i]!.includes('\0')) fail(rowOf(i), 'holds a NUL character, which HDF5 variable-length strings cannot store');
  }
}

/** The batch's values of one field, per part (`values`, `end`, `indices`, `valid`). */
function encodeColumn(
  column: Column,
  layout: FieldLayout,
  rows: number,
  parts: readonly GrowingPart[],
  fail: (row: number, what: string) => never,
): Encoded {
  const out: Encoded = new Map();
  if (layout.field.nullable) out.set('valid', column.valid ?? new Uint8Array(rows).fill(1));
  switch (column.type) {
    case 'varchar':
    case 'json':
      checkStrings(column.values, fail);
      out.set('values', column.values);
      return out;
    case 'array': {
      const element = layout.field.elementType!;
      const previous = parts.find((p) => p.spec.role === 'flat')!.length;
      const end = new BigInt64Array(rows);
      let total = 0;
      for (let i = 0; i < rows; i++) end[i] = BigInt(previous + (total += column.values[i]!.length));
      const flat = column.values.flat();
      out.set('end', end);
      out.set('values', arrayElements(element, flat, fail, end, previous));
      return out;
    }
    case 'sparse_float_vector': {
      const previous = parts.find((p) => p.spec.role === 'flat')!.length;
      const end = new BigInt64Array(rows);
      let total = 0;
      for (let i = 0; i < rows; i++) end[i] = BigInt(previous + (total += column.values[i]!.indices.length));
      const indices = new Uint32Array(total);
      const values = new Float32Array(total);
      let pos = 0;
      for (const row of column.values) {
        indices.set(row.indices, pos);
        values.set(row.values, pos);
        pos += row.indices.length;
      }
      out.set('end', end);
      out.set('indices', indices);
      out.set('values', values);
      return out;
    }
    case 'bool':
      // Any non-zero byte is true: stored as 0 or 1, as h5py's bool would read it.
      out.set(
        'values',
        column.values.map((v) => (v ? 1 : 0)),
      );
      return out;
    default:
      out.set('values', column.values as ArrayBufferView);
      return out;
  }
}

function arrayElements(
  element: string,
  flat: readonly unknown[],
  fail: (row: number, what: string) => never,
  end: BigInt64Array,
  previous: number,
): ArrayBufferView | readonly string[] {
  const rowOf = (i: number) => {
    let r = 0;
    while (Number(end[r]!) - previous <= i) r++;
    return r;
  };
  switch (element) {
    case 'bool':
      return Uint8Array.from(flat, (v) => (v ? 1 : 0));
    case 'int8':
      return Int8Array.from(flat, (v) => Number(v));
    case 'int16':
      return Int16Array.from(flat, (v) => Number(v));
    case 'int32':
      return Int32Array.from(flat, (v) => Number(v));
    case 'int64':
      return BigInt64Array.from(flat, (v) => BigInt(v as bigint | number | string));
    case 'float':
      return Float32Array.from(flat, (v) => Number(v));
    case 'double':
      return Float64Array.from(flat, (v) => Number(v));
    case 'varchar': {
      const strings = flat.map(String);
      checkStrings(strings, fail, rowOf);
      return strings;
    }
    default:
      return fail(0, `has array elements of type ${element}, which the HDF5 writer cannot store`);
  }
}
