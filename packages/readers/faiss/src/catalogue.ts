/**
 * Every index fourcc Faiss has ever written (faiss/impl/index_read.cpp, mid-2026), with the
 * class behind it. Used to tell a Faiss file from anything else by its first four bytes, and to
 * name the class in messages when a type is refused.
 */

/** What milvusdm does with a type: read it exactly, read it only with allow_lossy, or refuse it. */
export type Support = 'exact' | 'lossy' | 'refused';

interface Entry {
  readonly name: string;
  readonly support: Support;
  /** Why a refused type is refused: printed in the error. */
  readonly why?: string;
}

const TRANSFORMED = 'its stored vectors are transformed (PCA, OPQ, rotation…), not the originals';
const ADDITIVE = 'additive-quantizer codes (RQ/LSQ) are not decoded by milvusdm';
const FASTSCAN = 'fast-scan codes are block-interleaved and not decoded by milvusdm';
const GRAPH_OTHER = 'this graph index type is not read by milvusdm (HNSW is)';
const NEWER = 'this newer Faiss type is not read by milvusdm';

const FLOAT: Record<string, Entry> = {
  IxF2: { name: 'IndexFlatL2', support: 'exact' },
  IxFI: { name: 'IndexFlatIP', support: 'exact' },
  IxFl: { name: 'IndexFlat', support: 'exact' },
  IxMp: { name: 'IndexIDMap', support: 'exact' },
  IxM2: { name: 'IndexIDMap2', support: 'exact' },
  IwFl: { name: 'IndexIVFFlat', support: 'exact' },
  IvFl: { name: 'IndexIVFFlat (legacy layout)', support: 'exact' },
  IvFL: { name: 'IndexIVFFlat (legacy layout)', support: 'exact' },
  IwFd: { name: 'IndexIVFFlatDedup', support: 'refused', why: 'deduplicated IVF lists are not read by milvusdm' },
  IHNf: { name: 'IndexHNSWFlat', support: 'exact' },
  IHNs: { name: 'IndexHNSWSQ', support: 'lossy' },
  IHNp: { name: 'IndexHNSWPQ', support: 'lossy' },
  IHN2: { name: 'IndexHNSW2Level', support: 'lossy' },
  IH00: { name: 'IndexHNSW', support: 'exact' },
  IHNc: { name: 'IndexHNSWCagra', support: 'exact' },
  IHc2: { name: 'IndexHNSWCagra', support: 'exact' },
  IHfP: { name: 'IndexHNSWFlatPanorama', support: 'refused', why: NEWER },
  IxSQ: { name: 'IndexScalarQuantizer', support: 'lossy' },
  IwSq: { name: 'IndexIVFScalarQuantizer', support: 'lossy' },
  IwSQ: { name: 'IndexIVFScalarQuantizer (Faiss ≤ 1.5.0 layout)', support: 'lossy' },
  IvSQ: { name: 'IndexIVFScalarQuantizer (legacy layout)', support: 'refused', why: 'the pre-2018 IVF-SQ layout is not read by milvusdm' },
  IxPq: { name: 'IndexPQ', support: 'lossy' },
  IxPQ: { name: 'IndexPQ (legacy layout)', support: 'lossy' },
  IxPo: { name: 'IndexPQ (legacy layout)', support: 'lossy' },
  IwPQ: { name: 'IndexIVFPQ', support: 'lossy' },
  IvPQ: { name: 'IndexIVFPQ (legacy layout)', support: 'refused', why: 'the pre-2018 IVFPQ layout is not read by milvusdm' },
  IwQR: { name: 'IndexIVFPQR', support: 'refused', why: 'IVFPQR refinement codes are not decoded by milvusdm' },
  IvQR: { name: 'IndexIVFPQR (legacy layout)', support: 'refused', why: 'IVFPQR refinement codes are not decoded by milvusdm' },
  IxPT: { name: 'IndexPreTransform', support: 'refused', why: TRANSFORMED },
  IxRF: { name: 'IndexRefine', support: 'refused', why: 'refine indexes (base + refine) are not read by milvusdm' },
  IxRP: { name: 'IndexRefinePanorama', support: 'refused', why: NEWER },
  IxHe: { name: 'IndexLSH', support: 'refused', why: 'LSH stores hashes, not vectors' },
  IxHE: { name: 'IndexLSH', support: 'refused', why: 'LSH stores hashes, not vectors' },
  Ix2L: { name: 'Index2Layer', support: 'refused', why: 'two-level codes are not decoded by milvusdm' },
  Imiq: { name: 'MultiIndexQuantizer', support: 'refused', why: 'a multi-index quantizer stores no vectors' },
  ImRQ: { name: 'ResidualCoarseQuantizer', support: 'refused', why: ADDITIVE },
  IxLa: { name: 'IndexLattice', support: 'refused', why: 'lattice codes are not decoded by milvusdm' },
  IwSh: { name: 'IndexIVFSpectralHash', support: 'refused', why: 'spectral hashes are not vectors' },
  IxRq: { name: 'IndexResidualQuantizer', support: 'refused', why: ADDITIVE },
  IxRQ: { name: 'IndexResidualQuantizer', support: 'refused', why: ADDITIVE },
  IxLS: { name: 'IndexLocalSearchQuantizer', support: 'refused', why: ADDITIVE },
  IxPR: { name: 'IndexProductResidualQuantizer', support: 'refused', why: ADDITIVE },
  IxPL: { name: 'IndexProductLocalSearchQuantizer', support: 'refused', why: ADDITIVE },
  IwRQ: { name: 'IndexIVFResidualQuantizer', support: 'refused', why: ADDITIVE },
  IwLS: { name: 'IndexIVFLocalSearchQuantizer', support: 'refused', why: ADDITIVE },
  IwPR: { name: 'IndexIVFProductResidualQuantizer', support: 'refused', why: ADDITIVE },
  IwPL: { name: 'IndexIVFProductLocalSearchQuantizer', support: 'refused', why: ADDITIVE },
  IwIQ: { name: 'IndexIVFIndependentQuantizer', support: 'refused', why: TRANSFORMED },
  ILfs: { name: 'IndexLocalSearchQuantizerFastScan', support: 'refused', why: FASTSCAN },
  IRfs: { name: 'IndexResidualQuantizerFastScan', support: 'refused', why: FASTSCAN },
  IPLf: { name: 'IndexProductLocalSearchQuantizerFastScan', support: 'refused', why: FASTSCAN },
  IPRf: { name: 'IndexProductResidualQuantizerFastScan', support: 'refused', why: FASTSCAN },
  IVLf: { name: 'IndexIVFLocalSearchQuantizerFastScan', support: 'refused', why: FASTSCAN },
  IVRf: { name: 'IndexIVFResidualQuantizerFastScan', support: 'refused', why: FASTSCAN },
  NPLf: { name: 'IndexIVFProductLocalSearchQuantizerFastScan', support: 'refused', why: FASTSCAN },
  NPRf: { name: 'IndexIVFProductResidualQuantizerFastScan', support: 'refused', why: FASTSCAN },
  IPfs: { name: 'IndexPQFastScan', support: 'refused', why: FASTSCAN },
  IwPf: { name: 'IndexIVFPQFastScan', support: 'refused', why: FASTSCAN },
  Ixrq: { name: 'IndexRaBitQ', support: 'refused', why: NEWER },
  Ixrr: { name: 'IndexRaBitQ', support: 'refused', why: NEWER },
  Irfs: { name: 'IndexRaBitQFastScan', support: 'refused', why: NEWER },
  Irfn: { name: 'IndexRaBitQFastScan', support: 'refused', why: NEWER },
  Iwrq: { name: 'IndexIVFRaBitQ', support: 'refused', why: NEWER },
  Iwrr: { name: 'IndexIVFRaBitQ', support: 'refused', why: NEWER },
  Iwrf: { name: 'IndexIVFRaBitQFastScan', support: 'refused', why: NEWER },
  Iwrn: { name: 'IndexIVFRaBitQFastScan', support: 'refused', why: NEWER },
  INSf: { name: 'IndexNSGFlat', support: 'refused', why: GRAPH_OTHER },
  INSp: { name: 'IndexNSGPQ', support: 'refused', why: GRAPH_OTHER },
  INSs: { name: 'IndexNSGSQ', support: 'refused', why: GRAPH_OTHER },
  INNf: { name: 'IndexNNDescentFlat', support: 'refused', why: GRAPH_OTHER },
  IxFP: { name: 'IndexFlatPanorama', support: 'refused', why: NEWER },
  IxFp: { name: 'IndexFlatPanorama', support: 'refused', why: NEWER },
  IwP2: { name: 'IndexIVFFlatPanorama', support: 'refused', why: NEWER },
  IwPn: { name: 'IndexIVFFlatPanorama', support: 'refused', why: NEWER },
  IRMf: { name: 'IndexRowwiseMinMax', support: 'refused', why: TRANSFORMED },
  IRMh: { name: 'IndexRowwiseMinMaxFP16', support: 'refused', why: TRANSFORMED },
  IxEe: { name: 'IndexEDEN', support: 'refused', why: NEWER },
  IxEd: { name: 'IndexEDEN', support: 'refused', why: NEWER },
  IwEe: { name: 'IndexIVFEDEN', support: 'refused', why: NEWER },
  IwEd: { name: 'IndexIVFEDEN', support: 'refused', why: NEWER },
  ILVQ: { name: 'IndexSVS (LVQ)', support: 'refused', why: NEWER },
  ISVD: { name: 'IndexSVS', support: 'refused', why: NEWER },
  ISV2: { name: 'IndexSVS', support: 'refused', why: NEWER },
  ISVL: { name: 'IndexSVS (LeanVec)', support: 'refused', why: NEWER },
  ISVF: { name: 'IndexSVSFlat', support: 'refused', why: NEWER },
  ISID: { name: 'IndexSVSIVF', support: 'refused', why: NEWER },
  ISIQ: { name: 'IndexSVSIVF (LVQ)', support: 'refused', why: NEWER },
  ISIL: { name: 'IndexSVSIVF (LeanVec)', support: 'refused', why: NEWER },
};

const BINARY: Record<string, Entry> = {
  IBxF: { name: 'IndexBinaryFlat', support: 'exact' },
  IBMp: { name: 'IndexBinaryIDMap', support: 'exact' },
  IBM2: { name: 'IndexBinaryIDMap2', support: 'exact' },
  IBwF: { name: 'IndexBinaryIVF', support: 'exact' },
  IBHf: { name: 'IndexBinaryHNSW', support: 'exact' },
  IBHc: { name: 'IndexBinaryHNSWCagra', support: 'exact' },
  IBHh: { name: 'IndexBinaryHash', support: 'refused', why: 'binary hash tables are not read by milvusdm' },
  IBHm: { name: 'IndexBinaryMultiHash', support: 'refused', why: 'binary multi-hash tables are not read by milvusdm' },
  IBFf: { name: 'IndexBinaryFromFloat', support: 'refused', why: 'it wraps a float index whose vectors are not binary codes' },
};

/** The supported types, as printed in refusals. */
export const SUPPORTED_TEXT =
  'supported: IndexFlat (L2, IP), IndexIDMap/IDMap2, IndexIVFFlat, IndexHNSWFlat, IndexBinaryFlat/IDMap/IDMap2/IVF/HNSW; ' +
  'with allow_lossy: IndexScalarQuantizer, IndexIVFScalarQuantizer, IndexPQ, IndexIVFPQ, IndexHNSWSQ/PQ';

export function floatEntry(fourcc: string): Entry | undefined {
  return Object.hasOwn(FLOAT, fourcc) ? FLOAT[fourcc] : undefined;
}

export function binaryEntry(fourcc: string): Entry | undefined {
  return Object.hasOwn(BINARY, fourcc) ? BINARY[fourcc] : undefined;
}

/** True when four bytes are the fourcc of a Faiss index (float or binary) at the top of a file. */
export function isIndexFourcc(fourcc: string): boolean {
  return floatEntry(fourcc) !== undefined || binaryEntry(fourcc) !== undefined;
}

/** Class name for messages: the catalogue's, or the raw fourcc. */
export function className(fourcc: string): string {
  return floatEntry(fourcc)?.name ?? binaryEntry(fourcc)?.name ?? `"${fourcc}"`;
}

/** A fourcc as printable text, with its bytes in hex when they are not plain ASCII letters. */
export function showFourcc(bytes: Uint8Array): string {
  const text = String.fromCharCode(...bytes);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return /^[\x20-\x7e]{4}$/.test(text) ? `"${text}" (bytes ${hex})` : `bytes ${hex}`;
}
