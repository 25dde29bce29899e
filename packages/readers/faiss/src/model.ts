/**
 * What the structure pass learns about an index file: a tree of nodes, one per serialized
 * index, holding header facts and the *offsets* of the data regions (never the data itself).
 */
import type { ProductQuantizer, ScalarQuantizer } from './quantizers.js';

export type Family = 'float' | 'binary';

/** The fields every index writes after its fourcc (float and binary headers differ; both end up here). */
export interface Header {
  /** Dimension: elements for float indexes, bits for binary ones. */
  readonly d: number;
  readonly ntotal: number;
  /** Faiss metric number (0 IP, 1 L2, 2 L1, …). */
  readonly metric: number;
  /** Only written when metric > 1 (Lp's p, for instance). */
  readonly metricArg?: number;
}

/** How one stored code becomes one vector. */
export type Codec =
  /** The code is the float32 vector itself (flat, IVFFlat): copied, never converted. */
  | { readonly kind: 'float32'; readonly d: number; readonly codeSize: number }
  /** The code is the binary vector itself (d bits in d/8 bytes). */
  | { readonly kind: 'binary'; readonly d: number; readonly codeSize: number }
  | { readonly kind: 'sq'; readonly d: number; readonly codeSize: number; readonly sq: ScalarQuantizer }
  | { readonly kind: 'pq'; readonly d: number; readonly codeSize: number; readonly pq: ProductQuantizer };

/**
 * The non-empty inverted lists of an IVF index, in increasing list number, as columns: list
 * number, size, and where its codes and its ids start (in the index file, or in the on-disk
 * lists' data file).
 */
export interface ListTable {
  /** `full` / `sprs`: ArrayInvertedLists size encodings; `ondisk`: ilod; `legacy`: IvFl layout. */
  readonly encoding: 'full' | 'sprs' | 'ondisk' | 'legacy';
  readonly nlist: number;
  readonly codeSize: number;
  readonly listNo: Float64Array;
  readonly sizes: Float64Array;
  readonly codeOffsets: Float64Array;
  readonly idOffsets: Float64Array;
  /** Sum of the sizes. */
  readonly total: number;
  /** ilod only: the data file as the index names it, and its size when written. */
  readonly dataFile?: { readonly stored: string; readonly totsize: number };
}

export interface DirectMap {
  /** 0 none, 1 array, 2 hashtable. */
  readonly type: number;
  readonly arrayLength: number;
  readonly hashEntries: number;
}

interface NodeBase {
  readonly fourcc: string;
  /** Faiss class name, for messages and `inspect`. */
  readonly name: string;
  readonly family: Family;
  /** File offset of the fourcc. */
  readonly offset: number;
  readonly header: Header;
}

/** Flat, SQ, PQ and binary flat: `ntotal` codes back to back; row i has id i. */
export interface CodesNode extends NodeBase {
  readonly kind: 'codes';
  readonly codes: number;
  readonly codec: Codec;
}

/** IndexIDMap / IDMap2: an inner index and `ntotal` int64 ids at `idMap`. */
export interface IdMapNode extends NodeBase {
  readonly kind: 'idmap';
  readonly inner: IndexNode;
  readonly idMap: number;
}

/** HNSW: the graph is skipped; the vectors are in the storage index (absent if saved without). */
export interface HnswNode extends NodeBase {
  readonly kind: 'hnsw';
  readonly storage: IndexNode | undefined;
}

export interface IvfNode extends NodeBase {
  readonly kind: 'ivf';
  readonly nlist: number;
  readonly quantizer: IndexNode | undefined;
  readonly directMap: DirectMap;
  /** Undefined for `il00`: the lists were not saved in this file. */
  readonly lists: ListTable | undefined;
  readonly codec: Codec;
  /** Codes encode the residual from the list's centroid (SQ and PQ variants). */
  readonly byResidual: boolean;
}

export type IndexNode = CodesNode | IdMapNode | HnswNode | IvfNode;

export function isLossy(codec: Codec): boolean {
  return codec.kind === 'sq' || codec.kind === 'pq';
}
