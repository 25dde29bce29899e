/**
 * 64-bit hashes of rows (xxHash64, through xxhash-wasm: fast, well kept, no native build).
 * A row's hash covers its key and every compared field, so equal hashes mean equal rows with
 * overwhelming probability; the key's own hash places the row in a bucket and draws samples.
 */
import xxhash from 'xxhash-wasm';
import type { ColumnBatch, Column } from '../batch.js';
import type { ArrayElementType } from '../schema.js';
import { MilvusdmError } from '../errors.js';
import { ByteSink, encodeKey, encodeValue, keyText } from './row-encoding.js';

type XXHashAPI = Awaited<ReturnType<typeof xxhash>>;
let api: Promise<XXHashAPI> | undefined;

/** Fixed seeds, so a digest computed today compares with one computed tomorrow. */
const KEY_SEED = 0x6b6579n; // "key"
const ROW_SEED = 0x726f77n; // "row"

export interface ComparedField {
  readonly name: string;
  readonly elementType?: ArrayElementType | undefined;
}

/** What is compared: the key (absent when the target's keys were assigned by the server) and the fields. */
export interface ComparePlan {
  readonly keyField: string | undefined;
  /** Sorted by name, the key excluded. */
  readonly fields: readonly ComparedField[];
}

export class RowHasher {
  private readonly sink = new ByteSink();

  private constructor(
    private readonly xx: XXHashAPI,
    readonly plan: ComparePlan,
  ) {}

  static async create(plan: ComparePlan): Promise<RowHasher> {
    api ??= xxhash();
    return new RowHasher(await api, plan);
  }

  /** The batch's columns in plan order; a missing column is an error naming the field. */
  columnsOf(batch: ColumnBatch, origin: string): { key: Column | undefined; fields: Column[] } {
    const get = (name: string) => {
      const c = batch.columns.get(name);
      if (!c) throw new MilvusdmError('MDM_VERIFY', `${origin}: a batch has no column "${name}" to compare`);
      return c;
    };
    return {
      key: this.plan.keyField === undefined ? undefined : get(this.plan.keyField),
      fields: this.plan.fields.map((f) => get(f.name)),
    };
  }

  /** Hash of the key alone (seeded: the default seed buckets rows, another draws a sample). */
  keyHash(key: Column, row: number, seed = KEY_SEED): bigint {
    this.sink.reset();
    encodeKey(key, row, this.sink);
    return this.xx.h64Raw(this.sink.contents(), seed);
  }

  /** Hash of the key (when there is one) and every compared field, in plan order. */
  rowHash(key: Column | undefined, fields: readonly Column[], row: number, seed = ROW_SEED): bigint {
    const out = this.sink;
    out.reset();
    if (key) encodeKey(key, row, out);
    for (let f = 0; f < fields.length; f++) encodeValue(fields[f]!, row, out, this.plan.fields[f]!.elementType);
    return this.xx.h64Raw(out.contents(), seed);
  }

  /** One hash per compared field, to say which fields of a differing row differ. */
  fieldHashes(fields: readonly Column[], row: number): bigint[] {
    return fields.map((column, f) => {
      this.sink.reset();
      encodeValue(column, row, this.sink, this.plan.fields[f]!.elementType);
      return this.xx.h64Raw(this.sink.contents(), ROW_SEED);
    });
  }

  /**
   * A cheap 32-bit hash of the key, to place rows in buckets (about a microsecond a row faster
   * than xxHash through WebAssembly). int64 keys are mixed from their two 32-bit halves,
   * strings from their UTF-16 units; both with murmur3's finaliser, which spreads every bit.
   */
  bucketHash(key: Column, row: number): number {
    let h: number;
    if (key.type === 'int64') {
      const words = wordsOf(key.values);
      h = fmix32(words[2 * row]! ^ fmix32(words[2 * row + 1]! + 0x9e3779b9));
    } else if (key.type === 'varchar') {
      const s = key.values[row]!;
      h = 0x811c9dc5;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
      h = fmix32(h ^ s.length);
    } else h = fmix32(Number(keyText(key, row)) | 0);
    return h >>> 0;
  }

  keyText(key: Column, row: number): string {
    return keyText(key, row);
  }
}

const wordViews = new WeakMap<BigInt64Array, Int32Array>();

/** An int64 column as 32-bit words (little-endian halves), one view per column. */
function wordsOf(values: BigInt64Array): Int32Array {
  let w = wordViews.get(values);
  if (!w) {
    w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    wordViews.set(values, w);
  }
  return w;
}

function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
