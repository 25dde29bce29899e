/**
 * The structure pass over a whole file: dispatch on the family of the first fourcc, descend,
 * then check that the index ended exactly where the file does (Faiss writes nothing after it,
 * so leftover bytes mean the file was misread or is not what it seems).
 */
import { open } from 'node:fs/promises';
import { sourceError, StructureReader, type RandomAccessFile } from './byte-reader.js';
import { readBinaryIndex } from './binary-index.js';
import { isIndexFourcc } from './catalogue.js';
import { readFloatIndex } from './float-index.js';
import type { IndexNode } from './model.js';

export async function parseIndex(file: RandomAccessFile): Promise<IndexNode> {
  const r = new StructureReader(file);
  r.need(4, 'the index type (first 4 bytes)');
  const first = new Uint8Array(2);
  await file.readInto(first, 0);
  const binary = first[0] === 0x49 && first[1] === 0x42; // "IB"
  const ctx = { r, depth: 0, path: [] };
  const root = binary ? await readBinaryIndex(ctx) : await readFloatIndex(ctx);
  if (!root) throw sourceError(file.path, 'the file holds the "null" placeholder, not an index');
  if (r.pos !== file.size) {
    throw sourceError(
      file.path,
      `${file.size - r.pos} unexpected bytes after the end of the ${root.name} at offset ${r.pos} (a Faiss index file ends with its index: corrupt or not a single index?)`,
    );
  }
  return root;
}

/** Cheap check for `inspect`: does the file start with a Faiss index fourcc? */
export async function looksLikeFaiss(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    if (!(await handle.stat()).isFile()) return false;
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && isIndexFourcc(String.fromCharCode(...head));
  } finally {
    await handle.close();
  }
}
