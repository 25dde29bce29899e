/**
 * The parts of an IVF index after its header: the direct map (skipped, but skipped right) and
 * the inverted lists, whose codes and ids are located, not read.
 */
import { MilvusdmError } from '@milvusdm/core';
import { sourceError, type StructureReader } from './byte-reader.js';
import type { DirectMap, ListTable } from './model.js';

/**
 * type u8 (0 none, 1 array, 2 hashtable; before Faiss 1.6.2 a 0/1 bool, same bytes), then the
 * array as vec<i64>, then — hashtable only — vec of (i64, i64) pairs. The array comes first and
 * the hashtable count is in pairs (the original MilvusDM read them the other way round).
 */
export async function readDirectMap(r: StructureReader, where: string): Promise<DirectMap> {
  const at = r.pos;
  const type = await r.u8(`the direct map type of ${where}`);
  if (type > 2) throw sourceError(r.file.path, `${where}: direct map type ${type} at offset ${at} is not 0, 1 or 2 (corrupt file?)`);
  const arrayLength = await r.vecCount(8, `the direct map array of ${where}`);
  r.skip(arrayLength * 8, `the direct map array of ${where}`);
  let hashEntries = 0;
  if (type === 2) {
    hashEntries = await r.vecCount(16, `the direct map hashtable of ${where}`);
    r.skip(hashEntries * 16, `the direct map hashtable of ${where}`);
  }
  return { type, arrayLength, hashEntries };
}

export const DIRECT_MAP_NAMES = ['none', 'array', 'hashtable'] as const;

function table(
  encoding: ListTable['encoding'],
  nlist: number,
  codeSize: number,
  rows: { listNo: number; size: number; codes: number; ids: number }[],
  dataFile?: ListTable['dataFile'],
): ListTable {
  const n = rows.length;
  const listNo = new Float64Array(n);
  const sizes = new Float64Array(n);
  const codeOffsets = new Float64Array(n);
  const idOffsets = new Float64Array(n);
  let total = 0;
  rows.forEach((row, k) => {
    listNo[k] = row.listNo;
    sizes[k] = row.size;
    codeOffsets[k] = row.codes;
    idOffsets[k] = row.ids;
    total += row.size;
  });
  return { encoding, nlist, codeSize, listNo, sizes, codeOffsets, idOffsets, total, ...(dataFile ? { dataFile } : {}) };
}

/**
 * An inverted-lists block: `ilar` (lists in this file), `il00` (no lists saved: undefined) or
 * `ilod` (lists in a separate data file). `nlist` and `codeSize` are what the index expects.
 */
export async function readInvertedLists(
  r: StructureReader,
  nlist: number,
  codeSize: number,
  where: string,
): Promise<ListTable | undefined> {
  const tag = await r.fourcc(`the inverted lists of ${where}`);
  const what = `the inverted lists of ${where}`;
  if (tag.text === 'il00') return undefined;
  if (tag.text !== 'ilar' && tag.text !== 'ilod') {
    const known = ['ilbl', 'ilpn', 'ilp2', 'il__'].includes(tag.text);
    throw new MilvusdmError(
      known ? 'MDM_UNSUPPORTED' : 'MDM_SOURCE',
      known
        ? `${r.file.path}: ${what} are of kind "${tag.text}" (at offset ${tag.offset}), which milvusdm does not read; supported: ilar (in the file), ilod (on-disk lists), il00 (none)`
        : `${r.file.path}: ${what} start with ${JSON.stringify(tag.text)} at offset ${tag.offset}, not a Faiss inverted-lists tag (corrupt file?)`,
    );
  }
  const listCount = await r.u64(`the list count of ${what}`);
  const listCodeSize = await r.u64(`the code size of ${what}`);
  if (listCount !== nlist)
    throw sourceError(r.file.path, `${what} hold ${listCount} lists but the index has nlist ${nlist} (corrupt file?)`);
  if (listCodeSize !== codeSize) {
    throw sourceError(
      r.file.path,
      `${what} have code size ${listCodeSize} but the index needs ${codeSize} bytes per vector (corrupt file?)`,
    );
  }
  return tag.text === 'ilar' ? readArrayLists(r, nlist, codeSize, what) : readOnDiskLists(r, nlist, codeSize, what);
}

/**
 * `ilar`: "full" then nlist sizes, or "sprs" then (list_no, size) pairs for non-empty lists;
 * then, list after list, size × code_size bytes of codes followed by size ids.
 */
async function readArrayLists(r: StructureReader, nlist: number, codeSize: number, what: string): Promise<ListTable> {
  const kind = await r.fourcc(`the list-size encoding of ${what}`);
  // (list number, size) of the non-empty lists; never an nlist-sized array before the sizes are
  // known to be in the file (nlist itself comes from a header that may be corrupt).
  const nonEmpty: [number, number][] = [];
  let encoding: 'full' | 'sprs';
  if (kind.text === 'full') {
    encoding = 'full';
    const n = await r.vecCount(8, `the list sizes of ${what}`);
    if (n !== nlist) throw sourceError(r.file.path, `${what}: ${n} list sizes for ${nlist} lists (corrupt file?)`);
    const values = await r.u64Array(n, `the list sizes of ${what}`);
    values.forEach((size, listNo) => size > 0 && nonEmpty.push([listNo, size]));
  } else if (kind.text === 'sprs') {
    encoding = 'sprs';
    const n = await r.vecCount(8, `the list sizes of ${what}`);
    if (n % 2 !== 0) throw sourceError(r.file.path, `${what}: sparse list sizes hold ${n} numbers, not pairs (corrupt file?)`);
    const values = await r.u64Array(n, `the list sizes of ${what}`);
    let previous = -1;
    for (let k = 0; k < n; k += 2) {
      const listNo = values[k]!;
      if (listNo >= nlist || listNo <= previous) {
        throw sourceError(r.file.path, `${what}: sparse entry for list ${listNo} is out of order or beyond nlist ${nlist} (corrupt file?)`);
      }
      previous = listNo;
      if (values[k + 1]! > 0) nonEmpty.push([listNo, values[k + 1]!]);
    }
  } else {
    throw sourceError(
      r.file.path,
      `${what}: list-size encoding ${JSON.stringify(kind.text)} at offset ${kind.offset} is neither "full" nor "sprs" (corrupt file?)`,
    );
  }
  const rows: { listNo: number; size: number; codes: number; ids: number }[] = [];
  for (const [listNo, size] of nonEmpty) {
    const codes = r.pos;
    r.skip(size * codeSize, `the codes of inverted list ${listNo} (${size} vectors)`);
    const ids = r.pos;
    r.skip(size * 8, `the ids of inverted list ${listNo} (${size} vectors)`);
    rows.push({ listNo, size, codes, ids });
  }
  return table(encoding, nlist, codeSize, rows);
}

/**
 * `ilod`: a table of nlist (size, capacity, offset) records (24 bytes each), free slots
 * (16 bytes each, ignored), the data file name, and its total size. In the data file, list i's
 * codes start at offset and its ids at offset + capacity × code_size.
 */
async function readOnDiskLists(r: StructureReader, nlist: number, codeSize: number, what: string): Promise<ListTable> {
  const n = await r.vecCount(24, `the list table of ${what}`);
  if (n !== nlist) throw sourceError(r.file.path, `${what}: ${n} on-disk list records for ${nlist} lists (corrupt file?)`);
  const tableAt = r.pos;
  // Raw: empty lists carry offset 2^64-1, which is no JS number; only non-empty ones are used.
  const records = new DataView((await r.bytes(n * 24, `the list table of ${what}`)).buffer);
  const slots = await r.vecCount(16, `the free slots of ${what}`);
  r.skip(slots * 16, `the free slots of ${what}`);
  const nameLength = await r.vecCount(1, `the data file name of ${what}`);
  const stored = Buffer.from(await r.bytes(nameLength, `the data file name of ${what}`)).toString('utf8');
  const totsize = await r.u64(`the data file size of ${what}`);
  const rows: { listNo: number; size: number; codes: number; ids: number }[] = [];
  for (let listNo = 0; listNo < nlist; listNo++) {
    const size = Number(records.getBigUint64(24 * listNo, true));
    if (size === 0) continue;
    const capacity = Number(records.getBigUint64(24 * listNo + 8, true));
    const offset = Number(records.getBigUint64(24 * listNo + 16, true));
    if (![size, capacity, offset].every(Number.isSafeInteger)) {
      throw sourceError(
        r.file.path,
        `${what}: the record of list ${listNo} at offset ${tableAt + 24 * listNo} holds impossible numbers (corrupt file?)`,
      );
    }
    if (capacity < size)
      throw sourceError(r.file.path, `${what}: list ${listNo} holds ${size} vectors in a capacity of ${capacity} (corrupt file?)`);
    const end = offset + capacity * codeSize + size * 8;
    if (!Number.isSafeInteger(end) || end > totsize) {
      throw sourceError(r.file.path, `${what}: list ${listNo} extends to byte ${end} of a ${totsize}-byte data file (corrupt file?)`);
    }
    rows.push({ listNo, size, codes: offset, ids: offset + capacity * codeSize });
  }
  return table('ondisk', nlist, codeSize, rows, { stored, totsize });
}

/**
 * Legacy `IvFl`/`IvFL` (before Faiss v1.2.1): the ids of every list as nlist × vec<i64> in the
 * header; located here, the codes come later (see `readLegacyCodes`).
 */
export async function readLegacyIds(r: StructureReader, nlist: number, what: string): Promise<{ sizes: number[]; ids: number[] }> {
  const sizes: number[] = [];
  const ids: number[] = [];
  for (let listNo = 0; listNo < nlist; listNo++) {
    const n = await r.vecCount(8, `the ids of inverted list ${listNo} of ${what}`);
    ids.push(r.pos);
    sizes.push(n);
    r.skip(n * 8, `the ids of inverted list ${listNo} of ${what}`);
  }
  return { sizes, ids };
}

/** Legacy codes: nlist vecs, counted in bytes (`IvFL`) or in floats (`IvFl`). */
export async function readLegacyCodes(
  r: StructureReader,
  nlist: number,
  codeSize: number,
  elementBytes: 1 | 4,
  located: { sizes: number[]; ids: number[] },
  what: string,
): Promise<ListTable> {
  const rows: { listNo: number; size: number; codes: number; ids: number }[] = [];
  for (let listNo = 0; listNo < nlist; listNo++) {
    const n = await r.vecCount(elementBytes, `the codes of inverted list ${listNo} of ${what}`);
    const size = located.sizes[listNo]!;
    if (n * elementBytes !== size * codeSize) {
      throw sourceError(
        r.file.path,
        `${what}: inverted list ${listNo} has ${size} ids but ${n * elementBytes} bytes of codes (expected ${size * codeSize}; corrupt file?)`,
      );
    }
    const codes = r.pos;
    r.skip(n * elementBytes, `the codes of inverted list ${listNo} of ${what}`);
    if (size > 0) rows.push({ listNo, size, codes, ids: located.ids[listNo]! });
  }
  return table('legacy', nlist, codeSize, rows);
}

/**
 * The HNSW graph (levels, offsets, neighbors, entry point…): not needed to migrate, skipped by
 * its own vec counts. Returns the node count the graph claims (its `levels` length).
 */
export async function skipHnswGraph(r: StructureReader, where: string): Promise<number> {
  const what = `the HNSW graph of ${where}`;
  const probas = await r.vecCount(8, what);
  r.skip(probas * 8, what);
  const cum = await r.vecCount(4, what);
  r.skip(cum * 4, what);
  const levels = await r.vecCount(4, what);
  r.skip(levels * 4, what);
  const offsets = await r.vecCount(8, what);
  r.skip(offsets * 8, what);
  const neighbors = await r.vecCount(4, what);
  r.skip(neighbors * 4, what);
  // entry_point, max_level, efConstruction, efSearch, upper_beam
  r.skip(20, what);
  if (offsets !== levels + 1)
    throw sourceError(r.file.path, `${what} has ${levels} levels but ${offsets} offsets (expected ${levels + 1}; corrupt file?)`);
  return levels;
}
