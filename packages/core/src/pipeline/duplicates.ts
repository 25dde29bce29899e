/**
 * Finds keys that occur more than once in a stream, in bounded memory.
 *
 * Keeping every key in a JS Set costs ~60-100 bytes a key (a 10M-row source: about 1 GB). Instead:
 *
 * - a blocked Bloom filter answers "certainly new" for almost every key (16 bits a key, 8 probes
 *   in one cache line: about 0.1 % false positives), grown a layer at a time so no row count
 *   is needed up front;
 * - the keys of the current window (up to WINDOW keys) sit in a Set, exactly;
 * - a full window is sorted and spilled to a temporary file (a "run"), with one key in every
 *   PAGE kept in memory as a fence, so an exact look-up is one 8 KiB read per run;
 * - only the Bloom filter's "maybe" (a real duplicate or a false positive) pays for exact look-ups.
 *
 * Memory: ~2 bytes a key for the filter, plus the window (~20 MB) and 8 bytes per PAGE keys of
 * fences. Disk: 8 bytes a key, removed by close().
 *
 * Keys are compared as 64-bit values: int64 keys exactly; varchar keys by a 64-bit hash of their
 * UTF-16 text (two ids colliding in 64 bits at 10M keys: probability about 3e-6; such a pair would be
 * reported as a duplicate, never missed).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Column } from '../batch.js';

const WINDOW = 1 << 18; // keys held exactly in memory before a spill
const PAGE = 1024; // keys per fence page in a run file (8 KiB)
const LAYER_KEYS = 1 << 22; // keys per Bloom layer (8 MiB at 16 bits a key)
const BITS_PER_KEY = 16;
const PROBES = 8;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A blocked Bloom filter: all of a key's probes fall in one 512-bit block (one cache line), so
 * a look-up costs one memory access instead of PROBES scattered ones.
 */
class BloomLayer {
  readonly bits: Uint32Array;
  /** Blocks - 1 (a power of two). */
  readonly mask: number;
  added = 0;
  constructor(keys: number) {
    let blocks = 1;
    while (blocks * 512 < keys * BITS_PER_KEY) blocks *= 2;
    this.bits = new Uint32Array(blocks * 16);
    this.mask = blocks - 1;
  }
  /** Sets the key's bits; returns whether all were set before (a "maybe seen"). */
  addAndTest(h1: number, h2: number): boolean {
    const base = (h1 & this.mask) << 4;
    let seen = true;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h2 + Math.imul(i, (h2 >>> 9) | 1)) & 511;
      const word = base + (bit >>> 5);
      const flag = 1 << (bit & 31);
      if ((this.bits[word]! & flag) === 0) {
        seen = false;
        this.bits[word]! |= flag;
      }
    }
    this.added++;
    return seen;
  }
  test(h1: number, h2: number): boolean {
    const base = (h1 & this.mask) << 4;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h2 + Math.imul(i, (h2 >>> 9) | 1)) & 511;
      if ((this.bits[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

interface Run {
  readonly fd: number;
  readonly keys: number;
  /** First key of every page. */
  readonly fences: BigInt64Array;
}

/** A 64-bit stand-in for a varchar key (see the module comment). */
export function stringKey64(s: string): bigint {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return BigInt.asIntN(64, (BigInt(fmix(a ^ s.length)) << 32n) | BigInt(fmix(b)));
}

export class DuplicateFinder {
  private readonly layers: BloomLayer[] = [];
  private window = new Set<bigint>();
  private readonly runs: Run[] = [];
  private dir: string | undefined;
  private readonly page = new BigInt64Array(PAGE);
  /** Keys seen so far. */
  seen = 0;

  /** `window`: keys held exactly in memory before a spill (smaller only to exercise spills in tests). */
  constructor(private readonly windowKeys = WINDOW) {}

  /**
   * For each row of a key column, whether its key occurred before (earlier in the stream or
   * earlier in this column). Every key is recorded, so the answer is for "first occurrence wins".
   */
  check(keys: Column): Uint8Array {
    const n = keys.values.length;
    const repeated = new Uint8Array(n);
    if (keys.type === 'int64') {
      const v = keys.values;
      const words = new Uint32Array(v.buffer, v.byteOffset, n * 2);
      for (let i = 0; i < n; i++) {
        if (this.add(v[i]!, words[2 * i]!, words[2 * i + 1]!)) repeated[i] = 1;
      }
    } else if (keys.type === 'varchar') {
      for (let i = 0; i < n; i++) {
        const k = stringKey64(keys.values[i]!);
        if (this.add(k, Number(k & 0xffffffffn), Number((k >> 32n) & 0xffffffffn))) repeated[i] = 1;
      }
    } else {
      throw new Error(`duplicate check: keys of type ${keys.type} are not supported`);
    }
    return repeated;
  }

  /** Records a key; returns true when it was seen before. */
  private add(key: bigint, lo: number, hi: number): boolean {
    const h1 = fmix(lo ^ fmix(hi ^ 0x9e3779b9));
    const h2 = fmix(hi ^ fmix(lo + 0x7f4a7c15)) | 1;
    let layer = this.layers[this.layers.length - 1];
    if (!layer || layer.added >= LAYER_KEYS) {
      layer = new BloomLayer(LAYER_KEYS);
      this.layers.push(layer);
    }
    let maybe = layer.addAndTest(h1, h2);
    for (let i = 0; i < this.layers.length - 1 && !maybe; i++) maybe = this.layers[i]!.test(h1, h2);
    // The Bloom filter says "certainly new" for nearly every key; only a "maybe" is looked up.
    const repeated = maybe && (this.window.has(key) || this.inRuns(key));
    if (!repeated) {
      this.window.add(key);
      this.seen++;
      if (this.window.size >= this.windowKeys) this.spill();
    }
    return repeated;
  }

  private inRuns(key: bigint): boolean {
    for (const run of this.runs) {
      // The last page whose first key is <= key.
      let lo = 0;
      let hi = run.fences.length - 1;
      if (key < run.fences[0]!) continue;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (run.fences[mid]! <= key) lo = mid;
        else hi = mid - 1;
      }
      const start = lo * PAGE;
      const count = Math.min(PAGE, run.keys - start);
      const bytes = new Uint8Array(this.page.buffer, 0, count * 8);
      readSync(run.fd, bytes, 0, count * 8, start * 8);
      let a = 0;
      let b = count - 1;
      while (a <= b) {
        const mid = (a + b) >>> 1;
        const v = this.page[mid]!;
        if (v === key) return true;
        if (v < key) a = mid + 1;
        else b = mid - 1;
      }
    }
    return false;
  }

  private spill(): void {
    const sorted = BigInt64Array.from(this.window).sort();
    this.dir ??= mkdtempSync(join(tmpdir(), 'milvusdm-keys-'));
    const file = join(this.dir, `run-${this.runs.length}`);
    const fd = openSync(file, 'w+');
    writeSync(fd, new Uint8Array(sorted.buffer));
    const fences = new BigInt64Array(Math.ceil(sorted.length / PAGE));
    for (let p = 0; p < fences.length; p++) fences[p] = sorted[p * PAGE]!;
    this.runs.push({ fd, keys: sorted.length, fences });
    this.window = new Set();
  }

  /** Bytes held in memory, for measurements. */
  memoryBytes(): number {
    let n = this.window.size * 64;
    for (const l of this.layers) n += l.bits.byteLength;
    for (const r of this.runs) n += r.fences.byteLength;
    return n;
  }

  close(): void {
    for (const run of this.runs) closeSync(run.fd);
    this.runs.length = 0;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
