/** A minimal .npy reader (format 1.0–3.0, little-endian or byte dtypes, C order) for the expectations. */
import { readFileSync } from 'node:fs';

export interface NpyArray {
  readonly dtype: string;
  readonly shape: number[];
  readonly bytes: Uint8Array;
}

export function readNpy(path: string): NpyArray {
  const raw = readFileSync(path);
  if (raw.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = raw[6]!;
  const headerLength = major === 1 ? raw.readUInt16LE(8) : raw.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = raw.subarray(start, start + headerLength).toString('latin1');
  const dtype = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!dtype || shapeText === undefined || fortran) throw new Error(`${path}: unsupported .npy header ${header}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const body = raw.subarray(start + headerLength);
  // Copy so typed-array views over it are aligned.
  return { dtype, shape, bytes: new Uint8Array(body) };
}

export function npyInt64(a: NpyArray): BigInt64Array {
  if (a.dtype !== '<i8') throw new Error(`expected <i8, got ${a.dtype}`);
  return new BigInt64Array(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength / 8);
}
