/**
 * Scalar and product quantizers: their serialized parameters, and decoding a code back to a
 * vector exactly as Faiss's `reconstruct` does, in float32 arithmetic (every intermediate goes
 * through Math.fround, so results match Faiss's scalar path bit for bit).
 */
import { MilvusdmError } from '@milvusdm/core';
import { sourceError, type StructureReader } from './byte-reader.js';

/** Faiss ScalarQuantizer::QuantizerType values milvusdm decodes. */
const SQ_TYPES: Record<number, { name: string; codeSize: (d: number) => number; trained: (d: number) => number }> = {
  0: { name: '8bit', codeSize: (d) => d, trained: (d) => 2 * d },
  1: { name: '4bit', codeSize: (d) => Math.ceil(d / 2), trained: (d) => 2 * d },
  2: { name: '8bit_uniform', codeSize: (d) => d, trained: () => 2 },
  3: { name: '4bit_uniform', codeSize: (d) => Math.ceil(d / 2), trained: () => 2 },
  4: { name: 'fp16', codeSize: (d) => 2 * d, trained: () => 0 },
  5: { name: '8bit_direct', codeSize: (d) => d, trained: () => 0 },
  6: { name: '6bit', codeSize: (d) => Math.ceil((6 * d) / 8), trained: (d) => 2 * d },
  7: { name: 'bf16', codeSize: (d) => 2 * d, trained: () => 0 },
  8: { name: '8bit_direct_signed', codeSize: (d) => d, trained: () => 0 },
};

export interface ScalarQuantizer {
  readonly qtype: number;
  readonly name: string;
  readonly d: number;
  readonly codeSize: number;
  readonly trained: Float32Array;
}

export interface ProductQuantizer {
  readonly d: number;
  readonly M: number;
  readonly nbits: number;
  readonly dsub: number;
  readonly ksub: number;
  readonly codeSize: number;
  /** [M][ksub][dsub] */
  readonly centroids: Float32Array;
}

/** ScalarQuantizer block: qtype, rangestat, rangestat_arg, d, code_size, trained. */
export async function readScalarQuantizer(r: StructureReader, d: number, where: string): Promise<ScalarQuantizer> {
  const at = r.pos;
  const qtype = await r.i32(`the scalar quantizer type of ${where}`);
  await r.i32(`the scalar quantizer range statistic of ${where}`);
  await r.f32(`the scalar quantizer range argument of ${where}`);
  const sqD = await r.u64(`the scalar quantizer dimension of ${where}`);
  const codeSize = await r.u64(`the scalar quantizer code size of ${where}`);
  const n = await r.vecCount(4, `the scalar quantizer parameters of ${where}`);
  const trained = await r.f32Array(n, `the scalar quantizer parameters of ${where}`);
  const type = SQ_TYPES[qtype];
  if (!type) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `${r.file.path}: ${where} uses scalar quantizer type ${qtype} (at offset ${at}), which milvusdm does not decode; supported: ${Object.values(
        SQ_TYPES,
      )
        .map((t) => t.name)
        .join(', ')}`,
    );
  }
  if (sqD !== d)
    throw sourceError(r.file.path, `${where}: the scalar quantizer has dimension ${sqD} but the index has ${d} (corrupt file?)`);
  if (codeSize !== type.codeSize(d)) {
    throw sourceError(
      r.file.path,
      `${where}: scalar quantizer ${type.name} of dimension ${d} has code size ${codeSize}, expected ${type.codeSize(d)} (corrupt file?)`,
    );
  }
  if (n !== type.trained(d)) {
    throw sourceError(
      r.file.path,
      `${where}: scalar quantizer ${type.name} has ${n} trained parameters, expected ${type.trained(d)} (untrained or corrupt?)`,
    );
  }
  return { qtype, name: type.name, d, codeSize, trained };
}

/** ProductQuantizer block: d, M, nbits, centroids. */
export async function readProductQuantizer(r: StructureReader, d: number, where: string): Promise<ProductQuantizer> {
  const pqD = await r.u64(`the product quantizer dimension of ${where}`);
  const M = await r.u64(`the product quantizer M of ${where}`);
  const nbits = await r.u64(`the product quantizer nbits of ${where}`);
  if (pqD !== d)
    throw sourceError(r.file.path, `${where}: the product quantizer has dimension ${pqD} but the index has ${d} (corrupt file?)`);
  if (M < 1 || d % M !== 0)
    throw sourceError(r.file.path, `${where}: the product quantizer splits dimension ${d} into M=${M} parts (corrupt file?)`);
  if (nbits < 1 || nbits > 24) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `${r.file.path}: ${where}: product quantizer with ${nbits} bits per code is not decoded by milvusdm (1–24 are)`,
    );
  }
  const ksub = 2 ** nbits;
  const n = await r.vecCount(4, `the product quantizer centroids of ${where}`);
  if (n !== d * ksub) {
    throw sourceError(
      r.file.path,
      `${where}: the product quantizer has ${n} centroid values, expected d × 2^nbits = ${d * ksub} (untrained or corrupt?)`,
    );
  }
  const centroids = await r.f32Array(n, `the product quantizer centroids of ${where}`);
  return { d, M, nbits, dsub: d / M, ksub, codeSize: Math.ceil((M * nbits) / 8), centroids };
}

let halfTable: Float32Array | undefined;

/** IEEE half → float, for all 65536 bit patterns (exact: every half is a float). */
function halves(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) table[h] = sign * frac * 2 ** -24;
    else if (exp === 31) table[h] = frac ? NaN : sign * Infinity;
    else table[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = table;
  return table;
}

const f = Math.fround;

/**
 * Decodes `n` SQ codes from `codes` into `out` (n × d floats). Follows faiss's
 * QuantizerTemplate::decode_vector: component = vmin + ((code + 0.5) / levels) * vdiff, each
 * operation rounded to float32 (this is the scalar path Faiss uses for reconstruct).
 */
export function decodeScalar(sq: ScalarQuantizer, codes: Uint8Array, n: number, out: Float32Array, outOffset: number): void {
  const { d, codeSize, trained } = sq;
  const uniform = sq.qtype === 2 || sq.qtype === 3;
  const vmin = (i: number) => (uniform ? trained[0]! : trained[i]!);
  const vdiff = (i: number) => (uniform ? trained[1]! : trained[d + i]!);
  const u16 = sq.qtype === 4 || sq.qtype === 7 ? new DataView(codes.buffer, codes.byteOffset, codes.byteLength) : undefined;
  const bits = sq.qtype === 7 ? new Uint32Array(1) : undefined;
  const bitsAsFloat = bits ? new Float32Array(bits.buffer) : undefined;
  const table = sq.qtype === 4 ? halves() : undefined;
  for (let row = 0; row < n; row++) {
    const c0 = row * codeSize;
    const o = outOffset + row * d;
    for (let i = 0; i < d; i++) {
      let v: number;
      switch (sq.qtype) {
        case 0:
        case 2:
          v = f(vmin(i) + f(f((codes[c0 + i]! + 0.5) / 255) * vdiff(i)));
          break;
        case 1:
        case 3: {
          const c = (codes[c0 + (i >> 1)]! >> ((i & 1) * 4)) & 15;
          v = f(vmin(i) + f(f((c + 0.5) / 15) * vdiff(i)));
          break;
        }
        case 4:
          v = table![u16!.getUint16(c0 + 2 * i, true)]!;
          break;
        case 5:
          v = codes[c0 + i]!;
          break;
        case 6: {
          const g = c0 + (i >> 2) * 3;
          let c: number;
          switch (i & 3) {
            case 0:
              c = codes[g]! & 63;
              break;
            case 1:
              c = (codes[g]! >> 6) | ((codes[g + 1]! & 15) << 2);
              break;
            case 2:
              c = (codes[g + 1]! >> 4) | ((codes[g + 2]! & 3) << 4);
              break;
            default:
              c = codes[g + 2]! >> 2;
          }
          v = f(vmin(i) + f(f((c + 0.5) / 63) * vdiff(i)));
          break;
        }
        case 7:
          bits![0] = u16!.getUint16(c0 + 2 * i, true) << 16;
          v = bitsAsFloat![0]!;
          break;
        default:
          v = codes[c0 + i]! - 128;
      }
      out[o + i] = v;
    }
  }
}

/**
 * Decodes `n` PQ codes into `out`: sub-code m (nbits bits, least significant bit first, each
 * vector's code starting on a byte) selects centroid row `centroids[m][code]`, copied as is.
 */
export function decodeProduct(pq: ProductQuantizer, codes: Uint8Array, n: number, out: Float32Array, outOffset: number): void {
  const { M, nbits, dsub, ksub, codeSize, centroids, d } = pq;
  const mask = ksub - 1;
  for (let row = 0; row < n; row++) {
    let byte = row * codeSize;
    let bit = 0;
    const o = outOffset + row * d;
    for (let m = 0; m < M; m++) {
      // Gather nbits bits starting at (byte, bit), LSB first, as faiss's PQDecoderGeneric does.
      let code = 0;
      let got = 0;
      while (got < nbits) {
        const take = Math.min(8 - bit, nbits - got);
        code += ((codes[byte]! >> bit) & ((1 << take) - 1)) * 2 ** got;
        got += take;
        bit += take;
        if (bit === 8) {
          bit = 0;
          byte++;
        }
      }
      const src = (m * ksub + (code & mask)) * dsub;
      out.set(centroids.subarray(src, src + dsub), o + m * dsub);
    }
  }
}

/** Short text for messages and inspect: `SQ 8bit`, `PQ M=8×8 bits`. */
export function describeScalar(sq: ScalarQuantizer): string {
  return `scalar quantizer ${sq.name}`;
}

export function describeProduct(pq: ProductQuantizer): string {
  return `product quantizer M=${pq.M}, ${pq.nbits} bits`;
}
