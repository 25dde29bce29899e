/**
 * One output HDF5 file, grown batch by batch: every dataset is chunked with an unlimited first
 * dimension, resized and written in place, so memory holds one batch whatever the file's size.
 */
import h5wasm, { type Dataset, type File as H5File } from 'h5wasm/node';
import { MilvusdmError, errorMessage, type Column, type FieldSchema } from '@milvusdm/core';

let ready: Promise<unknown> | undefined;

/** Target bytes of one HDF5 chunk: big enough to stream, small enough to read back partially. */
const CHUNK_BYTES = 1 << 20;

interface Growing {
  readonly dataset: Dataset;
  /** Elements per row (1 for scalars). */
  readonly width: number;
}

/** HDF5 dtype and row width of a field, or why it cannot be stored. */
export function storage(field: FieldSchema): { dtype: string; width: number; rowBytes: number } | string {
  switch (field.type) {
    case 'float_vector':
      return { dtype: '<f', width: field.dim!, rowBytes: field.dim! * 4 };
    case 'binary_vector':
      // The seed's M2H stored binary vectors as uint8 rows; its H2M reads them back so.
      return { dtype: '<B', width: field.dim! / 8, rowBytes: field.dim! / 8 };
    case 'int64':
      return { dtype: '<q', width: 1, rowBytes: 8 };
    case 'int32':
      return { dtype: '<i', width: 1, rowBytes: 4 };
    case 'int16':
      return { dtype: '<h', width: 1, rowBytes: 2 };
    case 'int8':
      return { dtype: '<b', width: 1, rowBytes: 1 };
    case 'bool':
      return { dtype: '<B', width: 1, rowBytes: 1 };
    case 'float':
      return { dtype: '<f', width: 1, rowBytes: 4 };
    case 'double':
      return { dtype: '<d', width: 1, rowBytes: 8 };
    default:
      return `${field.type} fields cannot be stored in the MilvusDM HDF5 layout yet`;
  }
}

function emptyOf(dtype: string): ArrayBufferView {
  switch (dtype) {
    case '<f':
      return new Float32Array(0);
    case '<d':
      return new Float64Array(0);
    case '<q':
      return new BigInt64Array(0);
    case '<i':
      return new Int32Array(0);
    case '<h':
      return new Int16Array(0);
    case '<b':
      return new Int8Array(0);
    default:
      return new Uint8Array(0);
  }
}

export class GrowingFile {
  private readonly datasets = new Map<string, Growing>();
  private rows = 0;

  private constructor(
    readonly path: string,
    private readonly file: H5File,
    private readonly compression: number,
  ) {}

  static async create(path: string, compression: number): Promise<GrowingFile> {
    ready ??= h5wasm.ready;
    await ready;
    try {
      return new GrowingFile(path, new h5wasm.File(path, 'w'), compression);
    } catch (e) {
      throw new MilvusdmError('MDM_TARGET', `${path}: cannot create the HDF5 file (${errorMessage(e)})`, { cause: e });
    }
  }

  /** Declares a dataset before the first row is written. */
  addDataset(name: string, field: FieldSchema): void {
    const s = storage(field);
    if (typeof s === 'string') throw new MilvusdmError('MDM_UNSUPPORTED', `${this.path}: field "${field.name}": ${s}`);
    const vector = field.type.endsWith('_vector');
    const chunkRows = Math.max(1, Math.min(1 << 16, Math.floor(CHUNK_BYTES / s.rowBytes)));
    const dataset = this.file.create_dataset({
      name,
      data: emptyOf(s.dtype) as never,
      shape: vector ? [0, s.width] : [0],
      maxshape: vector ? [null, s.width] : [null],
      chunks: vector ? [chunkRows, s.width] : [chunkRows],
      dtype: s.dtype,
      ...(this.compression > 0 ? { compression: 'gzip' as const, compression_opts: this.compression } : {}),
    });
    this.datasets.set(name, { dataset, width: vector ? s.width : 0 });
  }

  setAttribute(name: string, value: string | number): void {
    this.file.create_attribute(name, value);
  }

  /** Appends one batch: `columns` maps dataset names to the batch's columns. */
  append(numRows: number, columns: ReadonlyMap<string, Column>): void {
    const start = this.rows;
    const end = start + numRows;
    for (const [name, { dataset, width }] of this.datasets) {
      const column = columns.get(name);
      if (!column) throw new MilvusdmError('MDM_BATCH_INVALID', `${this.path}: the batch has no data for dataset "${name}"`);
      if (width > 0) {
        dataset.resize([end, width]);
        dataset.write_slice([[start, end], [0, width]], column.values);
      } else {
        dataset.resize([end]);
        dataset.write_slice([[start, end]], column.values);
      }
    }
    this.rows = end;
  }

  get rowCount(): number {
    return this.rows;
  }

  close(): void {
    this.file.close();
  }
}
