/** The files of one 1.x segment on disk: `.rv` / `.uid` / `deleted_docs` with their size header, and `bloom_filter`. */
import { open } from 'node:fs/promises';

function header(bytes: number): Uint8Array {
  const h = new Uint8Array(8);
  new DataView(h.buffer).setBigUint64(0, BigInt(bytes), true);
  return h;
}

/** Writes header + payload in one file, the payload given in parts. */
export async function writePayloadFile(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const bytes = parts.reduce((s, p) => s + p.byteLength, 0);
  const fh = await open(path, 'w');
  try {
    await fh.write(header(bytes));
    for (const p of parts) await fh.write(p);
  } finally {
    await fh.close();
  }
}

export function asBytes(a: BigInt64Array | Float32Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The Milvus ≥ 1.1 bloom filter header (`bloom_0`, capacity, error rate, bitmap size) and some bitmap. */
export function bloomFilter(rows: number): Uint8Array {
  const bitmap = 64;
  const out = new Uint8Array(28 + bitmap);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode('bloom_0\0'), 0);
  v.setUint32(8, rows, true);
  v.setFloat64(12, 0.01, true);
  v.setBigUint64(20, BigInt(bitmap), true);
  return out;
}
