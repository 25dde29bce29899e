/**
 * The float index family (`faiss.read_index`): a recursive descent that dispatches on the
 * fourcc, reads headers and parameters, and records where the data regions lie.
 */
import { MilvusdmError } from '@milvusdm/core';
import { floatEntry } from './catalogue.js';
import { checkChild, mismatch, refuse, where, within, type Context } from './descent.js';
import { readFloatHeader } from './headers.js';
import { readDirectMap, readInvertedLists, readLegacyCodes, readLegacyIds, skipHnswGraph } from './ivf.js';
import type { Codec, IndexNode, IvfNode } from './model.js';
import { readProductQuantizer, readScalarQuantizer } from './quantizers.js';

/** Reads one float index at the reader's position; undefined for the `null` placeholder. */
export async function readFloatIndex(ctx: Context): Promise<IndexNode | undefined> {
  const tag = await ctx.r.fourcc(
    ctx.depth === 0 ? 'the index type (first 4 bytes)' : `the type of the index inside ${ctx.path.join(' > ')}`,
  );
  const h = tag.text;
  if (h === 'null' && ctx.depth > 0) return undefined;
  const entry = floatEntry(h);
  if (!entry || entry.support === 'refused') throw refuse(ctx, tag, entry, 'float');
  const name = entry.name;
  const here = where(ctx, name);
  const base: Base = { fourcc: h, name, family: 'float', offset: tag.offset };

  // One reader per family of fourccs (Faiss's read_index dispatches the same way).
  switch (h) {
    case 'IxF2':
    case 'IxFI':
    case 'IxFl':
      return readFlat(ctx, here, base);
    case 'IxMp':
    case 'IxM2':
      return readIdMap(ctx, name, here, base);
    case 'IHNf':
    case 'IHNs':
    case 'IHNp':
    case 'IHN2':
    case 'IH00':
    case 'IHNc':
    case 'IHc2':
      return readHnsw(ctx, h, name, here, base);
    case 'IxSQ':
      return readScalarQuantized(ctx, here, base);
    case 'IxPq':
    case 'IxPQ':
    case 'IxPo':
      return readProductQuantized(ctx, h, here, base);
    case 'IwFl':
    case 'IwSq':
    case 'IwSQ':
    case 'IwPQ':
      return readIvf(ctx, h, name, here, base);
    case 'IvFl':
    case 'IvFL':
      return readLegacyIvfFlat(ctx, h, name, here, base);
    default:
      throw refuse(ctx, tag, { name: entry.name, why: 'milvusdm has no reader for it' }, 'float');
  }
}

/** IndexFlat (L2, IP, 2-level): header, then the vectors as float32. */
async function readFlat(ctx: Context, here: string, base: Base): Promise<IndexNode> {
  const { r } = ctx;
  const header = await readFloatHeader(r, here);
  // xbvec: the count is in floats (also since Faiss 1.7.2 stores bytes internally).
  const n = await r.vecCount(4, `the vectors of ${here}`);
  if (n !== header.ntotal * header.d)
    throw mismatch(ctx, `${here}: ${n} floats stored for ${header.ntotal} vectors of dimension ${header.d}`);
  const codes = r.pos;
  r.skip(n * 4, `the vectors of ${here}`);
  return { ...base, kind: 'codes', header, codes, codec: { kind: 'float32', d: header.d, codeSize: header.d * 4 } };
}

/** IndexIDMap(2): header, the wrapped index, then one int64 id per vector. */
async function readIdMap(ctx: Context, name: string, here: string, base: Base): Promise<IndexNode> {
  const { r } = ctx;
  const header = await readFloatHeader(r, here);
  const inner = await readFloatIndex(within(ctx, name));
  if (!inner) throw mismatch(ctx, `${here} wraps no index`);
  checkChild(ctx, here, header, inner, 'inner index');
  if (inner.kind === 'idmap') {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `${r.file.path}: ${here} wraps another id map (${inner.name}); Faiss cannot build such an index and milvusdm does not read it`,
    );
  }
  const n = await r.vecCount(8, `the id map of ${here}`);
  if (n !== header.ntotal) throw mismatch(ctx, `${here}: ${n} ids for ${header.ntotal} vectors`);
  const idMap = r.pos;
  r.skip(n * 8, `the id map of ${here}`);
  return { ...base, kind: 'idmap', header, inner, idMap };
}

/** HNSW (and CAGRA's HNSW form): header, the graph (skipped), then the storage index. */
async function readHnsw(ctx: Context, h: string, name: string, here: string, base: Base): Promise<IndexNode> {
  const { r } = ctx;
  const header = await readFloatHeader(r, here);
  if (h === 'IHNc' || h === 'IHc2') {
    // keep_max_size_level0 u8, base_level_only u8, num_base_level_search_entrypoints i32
    // (+ numeric_type i32 for IHc2).
    r.skip(h === 'IHc2' ? 10 : 6, `the CAGRA settings of ${here}`);
  }
  const levels = await skipHnswGraph(r, here);
  if (levels !== header.ntotal) throw mismatch(ctx, `${here}: the graph has ${levels} nodes for ${header.ntotal} vectors`);
  const storage = await readFloatIndex(within(ctx, name));
  if (storage) checkChild(ctx, here, header, storage, 'storage');
  return { ...base, kind: 'hnsw', header, storage };
}

/** IndexScalarQuantizer: header, the quantizer, then the codes. */
async function readScalarQuantized(ctx: Context, here: string, base: Base): Promise<IndexNode> {
  const { r } = ctx;
  const header = await readFloatHeader(r, here);
  const sq = await readScalarQuantizer(r, header.d, here);
  const n = await r.vecCount(1, `the codes of ${here}`);
  if (n !== header.ntotal * sq.codeSize)
    throw mismatch(ctx, `${here}: ${n} code bytes for ${header.ntotal} vectors of ${sq.codeSize} bytes`);
  const codes = r.pos;
  r.skip(n, `the codes of ${here}`);
  return { ...base, kind: 'codes', header, codes, codec: { kind: 'sq', d: header.d, codeSize: sq.codeSize, sq } };
}

/** IndexPQ (and the legacy IxPQ/IxPo): header, the product quantizer, the codes, search settings. */
async function readProductQuantized(ctx: Context, h: string, here: string, base: Base): Promise<IndexNode> {
  const { r } = ctx;
  const read = await readFloatHeader(r, here);
  // Legacy IxPQ/IxPo files stored a wrong metric; Faiss forces L2 when it loads them.
  const header = h === 'IxPq' ? read : { ...read, metric: 1 };
  const pq = await readProductQuantizer(r, header.d, here);
  const n = await r.vecCount(1, `the codes of ${here}`);
  if (n !== header.ntotal * pq.codeSize)
    throw mismatch(ctx, `${here}: ${n} code bytes for ${header.ntotal} vectors of ${pq.codeSize} bytes`);
  const codes = r.pos;
  r.skip(n, `the codes of ${here}`);
  // search_type i32, encode_signs u8, polysemous_ht i32 (not in the oldest IxPQ).
  if (h !== 'IxPQ') r.skip(9, `the search settings of ${here}`);
  return { ...base, kind: 'codes', header, codes, codec: { kind: 'pq', d: header.d, codeSize: pq.codeSize, pq } };
}

/** IVF header: index header, nlist u64, nprobe u64, the quantizer (a full nested index). */
async function readIvfHeader(ctx: Context, name: string, here: string) {
  const { r } = ctx;
  const header = await readFloatHeader(r, here);
  const nlist = await r.u64(`the list count of ${here}`);
  await r.u64(`the nprobe of ${here}`);
  if (nlist < 1) throw mismatch(ctx, `${here} has nlist 0`);
  const quantizer = await readFloatIndex(within(ctx, name));
  if (quantizer) checkChild(ctx, here, header, quantizer, 'quantizer', false);
  return { header, nlist, quantizer };
}

type Base = { fourcc: string; name: string; family: 'float'; offset: number };

async function readIvf(ctx: Context, h: string, name: string, here: string, base: Base): Promise<IvfNode> {
  const { r } = ctx;
  const { header, nlist, quantizer } = await readIvfHeader(ctx, name, here);
  const directMap = await readDirectMap(r, here);
  let codec: Codec;
  let byResidual = false;
  if (h === 'IwFl') {
    codec = { kind: 'float32', d: header.d, codeSize: header.d * 4 };
  } else if (h === 'IwSq' || h === 'IwSQ') {
    const sq = await readScalarQuantizer(r, header.d, here);
    const codeSize = await r.u64(`the code size of ${here}`);
    if (codeSize !== sq.codeSize) throw mismatch(ctx, `${here}: code size ${codeSize}, but its scalar quantizer writes ${sq.codeSize}`);
    // IwSQ (Faiss <= 1.5.0) has no by_residual byte: it always encoded residuals.
    byResidual = h === 'IwSQ' ? true : (await r.u8(`the by_residual flag of ${here}`)) !== 0;
    codec = { kind: 'sq', d: header.d, codeSize, sq };
  } else {
    byResidual = (await r.u8(`the by_residual flag of ${here}`)) !== 0;
    const codeSize = await r.u64(`the code size of ${here}`);
    const pq = await readProductQuantizer(r, header.d, here);
    if (codeSize !== pq.codeSize) throw mismatch(ctx, `${here}: code size ${codeSize}, but its product quantizer writes ${pq.codeSize}`);
    codec = { kind: 'pq', d: header.d, codeSize, pq };
  }
  const lists = await readInvertedLists(r, nlist, codec.codeSize, here);
  if (lists && lists.total !== header.ntotal)
    throw mismatch(ctx, `${here}: its inverted lists hold ${lists.total} vectors, the header says ${header.ntotal}`);
  return { ...base, kind: 'ivf', header, nlist, quantizer, directMap, lists, codec, byResidual };
}

/**
 * `IvFl` / `IvFL` (before Faiss v1.2.1): the ids of each list sit in the IVF header before the
 * direct map, then the codes of each list follow as vecs (floats for IvFl, bytes for IvFL).
 */
async function readLegacyIvfFlat(ctx: Context, h: string, name: string, here: string, base: Base): Promise<IvfNode> {
  const { r } = ctx;
  const { header, nlist, quantizer } = await readIvfHeader(ctx, name, here);
  const located = await readLegacyIds(r, nlist, here);
  const directMap = await readDirectMap(r, here);
  const codeSize = header.d * 4;
  const lists = await readLegacyCodes(r, nlist, codeSize, h === 'IvFL' ? 1 : 4, located, here);
  if (lists.total !== header.ntotal)
    throw mismatch(ctx, `${here}: its inverted lists hold ${lists.total} vectors, the header says ${header.ntotal}`);
  return {
    ...base,
    kind: 'ivf',
    header,
    nlist,
    quantizer,
    directMap,
    lists,
    codec: { kind: 'float32', d: header.d, codeSize },
    byResidual: false,
  };
}
