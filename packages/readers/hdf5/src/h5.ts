/**
 * The slice of h5wasm the reader needs: open a file read-only with HDF5 errors raised as
 * exceptions, describe a dataset, and read a block of rows as raw little-endian bytes.
 * Raw bytes matter: h5wasm's own `.value` cuts fixed-length strings at the first NUL byte,
 * which would truncate binary vectors stored the way MilvusDM stored them.
 */
import h5wasm, { type Dataset, type File as H5File } from 'h5wasm/node';
import { MilvusdmError, errorMessage, hdf5Failure } from '@milvusdm/core';

type Module = Awaited<typeof h5wasm.ready>;

/** Fatal: a string that is not UTF-8 is a damaged file, not something to replace silently. */
const utf8 = new TextDecoder('utf-8', { fatal: true });
let modulePromise: Promise<Module> | undefined;

async function ready(): Promise<Module> {
  modulePromise ??= h5wasm.ready.then((m) => {
    // Without this, a failed read of a damaged file returns garbage instead of an error.
    m.activate_throwing_error_handler();
    return m;
  });
  return modulePromise;
}

/** HDF5 type classes (H5T_class_t). */
export const H5T = { INTEGER: 0, FLOAT: 1, STRING: 3, COMPOUND: 6, ENUM: 8, VLEN: 9, ARRAY: 10 } as const;

export interface DatasetInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly typeClass: number;
  /** Bytes per element. */
  readonly size: number;
  readonly signed: boolean;
  readonly vlen: boolean;
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** An h5wasm failure in a few words (HDF5's own message is its whole error stack, see hdf5Failure). */
export function shortReason(e: unknown): string {
  return hdf5Failure(e)?.reason ?? errorMessage(e);
}

export class Hdf5File {
  private constructor(
    readonly path: string,
    private readonly file: H5File,
    private readonly module: Module,
  ) {}

  static async open(path: string): Promise<Hdf5File> {
    const module = await ready();
    try {
      return new Hdf5File(path, new h5wasm.File(path, 'r'), module);
    } catch (e) {
      throw new MilvusdmError('MDM_SOURCE', `${path}: not a readable HDF5 file (${shortReason(e)})`, { cause: e });
    }
  }

  /** Names of the datasets at the root of the file. */
  datasetNames(): string[] {
    return this.file.keys().filter((k) => this.file.get(k) instanceof h5wasm.Dataset);
  }

  rootAttrs(): Record<string, unknown> {
    return readAttrs(this.file);
  }

  info(name: string): DatasetInfo | undefined {
    const d = this.file.get(name);
    if (!(d instanceof h5wasm.Dataset)) return undefined;
    try {
      const m = d.metadata;
      return {
        name,
        shape: m.shape ?? [],
        typeClass: m.type,
        size: m.size,
        signed: m.signed,
        vlen: m.vlen,
        attrs: readAttrs(d),
      };
    } catch (e) {
      throw new MilvusdmError('MDM_SOURCE', `${this.path}: dataset "${name}" cannot be read (${shortReason(e)})`, { cause: e });
    }
  }

  /**
   * Rows [start, start + count) of a dataset as raw bytes, row-major, little-endian.
   * `rowShape` is the shape of one row (empty for 1-D datasets).
   */
  readRows(info: DatasetInfo, start: number, count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const d = this.file.get(info.name) as Dataset;
    const rank = info.shape.length;
    const offset = [BigInt(start), ...info.shape.slice(1).map(() => 0n)];
    const counts = [BigInt(count), ...info.shape.slice(1).map((n) => BigInt(n))];
    const strides = Array.from({ length: rank }, () => 1n);
    const rowBytes = info.shape.slice(1).reduce((a, b) => a * b, 1) * info.size;
    const nbytes = rowBytes * count;
    const m = this.module;
    const ptr = m._malloc(Math.max(1, nbytes));
    if (!ptr) throw new MilvusdmError('MDM_SOURCE', `${this.path}: out of memory reading ${nbytes} bytes of "${info.name}"`);
    try {
      m.get_dataset_data(d.file_id, d.path, counts, offset, strides, BigInt(ptr));
      return m.HEAPU8.slice(ptr, ptr + nbytes);
    } catch (e) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${this.path}: reading rows ${start}–${start + count - 1} of "${info.name}" failed (${shortReason(e)})`,
        { cause: e },
      );
    } finally {
      m._free(ptr);
    }
  }

  /**
   * Rows [start, start + count) of a 1-D dataset of variable-length strings, decoded as UTF-8.
   * HDF5 hands back one pointer (wasm32: 4 bytes) per row to a NUL-terminated string, freed
   * here once copied.
   */
  readStrings(info: DatasetInfo, start: number, count: number): string[] {
    if (count === 0) return [];
    const d = this.file.get(info.name) as Dataset;
    const m = this.module;
    const counts = [BigInt(count)];
    const ptr = m._malloc(count * 4);
    if (!ptr) throw new MilvusdmError('MDM_SOURCE', `${this.path}: out of memory reading ${count} strings of "${info.name}"`);
    let filled = false;
    try {
      m.get_dataset_data(d.file_id, d.path, counts, [BigInt(start)], [1n], BigInt(ptr));
      filled = true;
      const heap = m.HEAPU8;
      const view = new DataView(heap.buffer);
      const out = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        const p = view.getUint32(ptr + i * 4, true);
        if (p === 0) {
          out[i] = '';
          continue;
        }
        const end = heap.indexOf(0, p);
        out[i] = utf8.decode(heap.subarray(p, end));
      }
      return out;
    } catch (e) {
      if (e instanceof MilvusdmError) throw e;
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${this.path}: reading rows ${start}–${start + count - 1} of "${info.name}" failed (${shortReason(e)})`,
        { cause: e },
      );
    } finally {
      if (filled) m.reclaim_vlen_memory_count(d.file_id, d.path, '', BigInt(ptr), counts);
      m._free(ptr);
    }
  }

  close(): void {
    try {
      this.file.close();
    } catch {
      // Closing a file that failed half-way is best effort.
    }
  }
}

function readAttrs(entity: { attrs: Record<string, { json_value: unknown }> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  try {
    for (const [k, v] of Object.entries(entity.attrs)) {
      try {
        out[k] = v.json_value;
      } catch {
        // An attribute of an exotic type is not needed to read vectors.
      }
    }
  } catch {
    // Files without attributes support.
  }
  return out;
}
