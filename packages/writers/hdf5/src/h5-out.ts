/**
 * One output HDF5 file, grown batch by batch: every dataset is chunked with an unlimited first
 * dimension, resized and written in place, so memory holds one batch whatever the file's size.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import h5wasm, { Dataset, type File as H5File } from 'h5wasm/node';
import { MilvusdmError, errorMessage, type Column, type FieldSchema } from '@milvusdm/core';

let ready: Promise<unknown> | undefined;

/** File attribute naming the run that created a `.partial` file. */
const WRITE_ID = 'milvusdm_write_id';

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

  /**
   * Reopens a `.partial` file an interrupted run left, checks it is the one that run created
   * (`writeId`) and holds at least `rows` rows in every dataset, and (with `cut`) cuts it back to
   * `rows`: rows after that were not recorded as committed and are written again. Without `cut`
   * (a finished file) nothing is changed.
   */
  static async reopen(
    path: string,
    compression: number,
    names: readonly string[],
    writeId: string,
    rows: number,
    cut = true,
  ): Promise<GrowingFile> {
    ready ??= h5wasm.ready;
    await ready;
    let file: H5File;
    try {
      file = new h5wasm.File(path, 'a');
    } catch (e) {
      throw new MilvusdmError('MDM_RESUME', `${path}: the interrupted run's partial file cannot be opened (${errorMessage(e)})`, {
        cause: e,
        hint: 'Run again with --restart to write it from the start.',
      });
    }
    const grown = new GrowingFile(path, file, compression);
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
      for (const name of names) {
        const dataset = file.get(name);
        if (!(dataset instanceof Dataset) || !dataset.shape)
          throw new MilvusdmError('MDM_RESUME', `${path}: dataset "${name}" is missing`, { hint: 'Run again with --restart.' });
        const shape = dataset.shape;
        if (shape[0]! < rows) {
          throw new MilvusdmError(
            'MDM_RESUME',
            `${path}: dataset "${name}" holds ${shape[0]} rows, the interrupted run recorded ${rows} as written`,
            {
              hint: 'Run again with --restart to write it from the start.',
            },
          );
        }
        const width = shape.length > 1 ? shape[1]! : 0;
        if (cut) dataset.resize(width > 0 ? [rows, width] : [rows]);
        grown.datasets.set(name, { dataset, width });
        grown.rows = cut ? rows : shape[0]!;
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
    this.file.flush();
    const fd = openSync(this.path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
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
        dataset.write_slice(
          [
            [start, end],
            [0, width],
          ],
          column.values,
        );
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
