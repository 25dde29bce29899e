/**
 * HDF5 files as h5py reads them (python/dump_h5.py), for unit tests that compare what a reader
 * yields or a writer stored byte for byte, against a library other than the one milvusdm uses.
 */
import { runPython } from './python.js';

export interface DumpedDataset {
  /** numpy's dtype string, e.g. `<f4`, `<i8`, `|u1`, `|S64`. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** The stored bytes, little-endian. */
  readonly raw: Uint8Array;
  /** Integer datasets converted to int64 by numpy. */
  readonly int64?: Uint8Array;
  /** Float datasets converted to float32 by numpy. */
  readonly float32?: Uint8Array;
  /** Fixed-length byte strings as rows of bytes, NULs kept. */
  readonly rows?: Uint8Array;
}

export interface DumpedFile {
  readonly datasets: Readonly<Record<string, DumpedDataset>>;
  readonly attrs: Readonly<Record<string, unknown>>;
}

interface RawDump {
  datasets: Record<string, { dtype: string; shape: number[]; raw: string; int64?: string; float32?: string; rows?: string }>;
  attrs: Record<string, unknown>;
}

const bytes = (b64: string | undefined) => (b64 === undefined ? undefined : new Uint8Array(Buffer.from(b64, 'base64')));

export async function dumpH5(path: string): Promise<DumpedFile> {
  const d = await runPython<RawDump>('dump_h5.py', [path]);
  const datasets: Record<string, DumpedDataset> = {};
  for (const [name, e] of Object.entries(d.datasets)) {
    datasets[name] = {
      dtype: e.dtype,
      shape: e.shape,
      raw: bytes(e.raw)!,
      ...(e.int64 !== undefined ? { int64: bytes(e.int64)! } : {}),
      ...(e.float32 !== undefined ? { float32: bytes(e.float32)! } : {}),
      ...(e.rows !== undefined ? { rows: bytes(e.rows)! } : {}),
    };
  }
  return { datasets, attrs: d.attrs };
}
