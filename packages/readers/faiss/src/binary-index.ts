/**
 * The binary index family (`faiss.read_index_binary`): every fourcc starts with `IB`, the
 * header counts dimensions in bits and has no metric argument, and codes are the bit vectors
 * themselves (d/8 bytes, passed through unchanged — Milvus stores binary vectors the same way).
 */
import { MilvusdmError } from '@milvusdm/core';
import { sourceError } from './byte-reader.js';
import { binaryEntry } from './catalogue.js';
import { checkChild, refuse, where, within, type Context } from './descent.js';
import { readBinaryHeader } from './headers.js';
import { readDirectMap, readInvertedLists, skipHnswGraph } from './ivf.js';
import type { IndexNode } from './model.js';

export async function readBinaryIndex(ctx: Context): Promise<IndexNode> {
  const { r } = ctx;
  const tag = await r.fourcc(ctx.depth === 0 ? 'the index type (first 4 bytes)' : `the type of the index inside ${ctx.path.join(' > ')}`);
  const h = tag.text;
  const entry = binaryEntry(h);
  if (!entry || entry.support === 'refused') throw refuse(ctx, tag, entry, 'binary');
  const name = entry.name;
  const here = where(ctx, name);
  const base = { fourcc: h, name, family: 'binary' as const, offset: tag.offset };
  const bad = (what: string) => sourceError(r.file.path, `${here}: ${what} (corrupt file?)`);

  switch (h) {
    case 'IBxF': {
      const header = await readBinaryHeader(r, here);
      const n = await r.vecCount(1, `the vectors of ${here}`);
      if (n !== header.ntotal * header.codeSize) throw bad(`${n} bytes stored for ${header.ntotal} vectors of ${header.codeSize} bytes`);
      const codes = r.pos;
      r.skip(n, `the vectors of ${here}`);
      return { ...base, kind: 'codes', header, codes, codec: { kind: 'binary', d: header.d, codeSize: header.codeSize } };
    }
    case 'IBMp':
    case 'IBM2': {
      const header = await readBinaryHeader(r, here, true);
      const inner = await readBinaryIndex(within(ctx, name));
      checkChild(ctx, here, header, inner, 'inner index');
      if (inner.kind === 'idmap') {
        throw new MilvusdmError(
          'MDM_UNSUPPORTED',
          `${r.file.path}: ${here} wraps another id map (${inner.name}); Faiss cannot build such an index and milvusdm does not read it`,
        );
      }
      const n = await r.vecCount(8, `the id map of ${here}`);
      if (n !== header.ntotal) throw bad(`${n} ids for ${header.ntotal} vectors`);
      const idMap = r.pos;
      r.skip(n * 8, `the id map of ${here}`);
      return { ...base, kind: 'idmap', header, inner, idMap };
    }
    case 'IBwF': {
      const header = await readBinaryHeader(r, here);
      const nlist = await r.u64(`the list count of ${here}`);
      await r.u64(`the nprobe of ${here}`);
      if (nlist < 1) throw bad('nlist is 0');
      const quantizer = await readBinaryIndex(within(ctx, name));
      checkChild(ctx, here, header, quantizer, 'quantizer', false);
      const directMap = await readDirectMap(r, here);
      const codec = { kind: 'binary' as const, d: header.d, codeSize: header.codeSize };
      const lists = await readInvertedLists(r, nlist, header.codeSize, here);
      if (lists && lists.total !== header.ntotal)
        throw bad(`its inverted lists hold ${lists.total} vectors, the header says ${header.ntotal}`);
      return { ...base, kind: 'ivf', header, nlist, quantizer, directMap, lists, codec, byResidual: false };
    }
    case 'IBHf':
    case 'IBHc': {
      const header = await readBinaryHeader(r, here);
      // keep_max_size_level0 u8, base_level_only u8, num_base_level_search_entrypoints i32
      if (h === 'IBHc') r.skip(6, `the CAGRA settings of ${here}`);
      const levels = await skipHnswGraph(r, here);
      if (levels !== header.ntotal) throw bad(`the graph has ${levels} nodes for ${header.ntotal} vectors`);
      const storage = await readBinaryIndex(within(ctx, name));
      checkChild(ctx, here, header, storage, 'storage');
      return { ...base, kind: 'hnsw', header, storage };
    }
    default:
      throw refuse(ctx, tag, { name, why: 'milvusdm has no reader for it' }, 'binary');
  }
}
