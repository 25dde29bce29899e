/**
 * Writes arrays as .npy files (format 1.0), so an independent reader (numpy) can load the
 * rows a fixture is expected to yield.
 */
import { writeFile } from 'node:fs/promises';

type NpyArray = BigInt64Array | Float32Array | Uint8Array;

function descr(a: NpyArray): string {
  if (a instanceof BigInt64Array) return '<i8';
  if (a instanceof Float32Array) return '<f4';
  return '|u1';
}

export function npyBytes(array: NpyArray, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr(array)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + array.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), total);
  return out;
}

export async function writeNpy(path: string, array: NpyArray, shape: readonly number[]): Promise<void> {
  await writeFile(path, npyBytes(array, shape));
}
