/**
 * Finds keys that occur more than once in a stream, in bounded memory.
 *
 * Keeping every key in a JS Set costs ~60-100 bytes a key (a 10M-row source: about 1 GB). Instead:
 *
 * - a blocked Bloom filter answers "certainly new" for almost every key (16 bits a key, 8 probes
 *   in one cache line: about 0.1 % false positives), grown a layer at a time so no row count
 *   is needed up front;
 * - the keys of the current window (up to WINDOW keys) sit in an open-addressing hash table of
 *   32-bit words, exactly (a Set<bigint> costs a BigInt per key and about 0.5 µs an add: for a
 *   file → file job, more than reading the rows);
 * - a full window is sorted and spilled to a temporary file (a "run"), with one key in every
 *   PAGE kept in memory as a fence, so an exact look-up is one 8 KiB read per run;
 * - only the Bloom filter's "maybe" (a real duplicate or a false positive) pays for exact look-ups;
 * - int64 keys arriving in strictly ascending order (a live Milvus read, most HDF5 files) are
 *   certainly new and already sorted: while the order holds, each costs a comparison and a copy
 *   into a buffer spilled as a run without sorting — no hash, filter or table. The first key out
 *   of order puts every key seen so far into the filter (one pass; what the filter would have
 *   cost all along) and the finder goes on as above.
 *
 * Memory: ~2 bytes a key for the filter, plus the window (9 bytes a slot, two slots a key: ~5 MB)
 * and 8 bytes per PAGE keys of fences. Disk: 8 bytes a key, removed by close(). No BigInt is
 * made for a key unless the filter says "maybe" and the runs on disk must be searched.
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

/** The two independent 32-bit hashes of a key's words: the filter's block and bits, the window's slot. */
function hash1(lo: number, hi: number): number {
  return fmix(lo ^ fmix(hi ^ 0x9e3779b9));
}
function hash2(lo: number, hi: number): number {
  return fmix(hi ^ fmix(lo + 0x7f4a7c15)) | 1;
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

/**
 * The window: a set of 64-bit keys as (lo, hi) word pairs in open-addressing tables sized for
 * `capacity` keys at half load, so a probe sequence stays short.
 */
class KeyWindow {
  private readonly lo: Uint32Array;
  private readonly hi: Uint32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;
  size = 0;

  constructor(capacity: number) {
    let slots = 2;
    while (slots < capacity * 2) slots *= 2;
    this.lo = new Uint32Array(slots);
    this.hi = new Uint32Array(slots);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
  }

  has(lo: number, hi: number, hash: number): boolean {
    for (let s = hash & this.mask; this.used[s] === 1; s = (s + 1) & this.mask) {
      if (this.lo[s] === lo && this.hi[s] === hi) return true;
    }
    return false;
  }

  /** Adds a key known not to be in the window. */
  add(lo: number, hi: number, hash: number): void {
    let s = hash & this.mask;
    while (this.used[s] === 1) s = (s + 1) & this.mask;
    this.used[s] = 1;
    this.lo[s] = lo;
    this.hi[s] = hi;
    this.size++;
  }

  get bytes(): number {
    return this.lo.byteLength + this.hi.byteLength + this.used.byteLength;
  }

  /** The keys, sorted as signed 64-bit values; empties the window. */
  drainSorted(): BigInt64Array {
    const keys = new BigInt64Array(this.size);
    const words = new Uint32Array(keys.buffer);
    let j = 0;
    for (let s = 0; s < this.used.length; s++) {
      if (this.used[s] !== 1) continue;
      words[2 * j] = this.lo[s]!;
      words[2 * j + 1] = this.hi[s]!;
      j++;
    }
    this.used.fill(0);
    this.size = 0;
    return keys.sort();
  }
}

/**
 * A 64-bit stand-in for a varchar key (see the module comment), written as its little-endian
 * words at `out[2 * i]` (low) and `out[2 * i + 1]` (high): no BigInt is made.
 */
export function stringKeyWords(s: string, out: Uint32Array, i: number): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let c = 0; c < s.length; c++) {
    const code = s.charCodeAt(c);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[2 * i] = fmix(b);
  out[2 * i + 1] = fmix(a ^ s.length);
}

/**
 * A key column as little-endian 64-bit words, two per key: int64 keys as they are (a copy, so
 * the words can be moved to another thread), varchar keys by their 64-bit hash.
 */
export function keyWords(keys: Column): Uint32Array {
  const n = keys.values.length;
  if (keys.type === 'int64') {
    const v = keys.values;
    return new Uint32Array(v.buffer.slice(v.byteOffset, v.byteOffset + n * 8));
  }
  if (keys.type === 'varchar') {
    const words = new Uint32Array(n * 2);
    for (let i = 0; i < n; i++) stringKeyWords(keys.values[i]!, words, i);
    return words;
  }
  throw new Error(`duplicate check: keys of type ${keys.type} are not supported`);
}

export class DuplicateFinder {
  private readonly layers: BloomLayer[] = [];
  private readonly window: KeyWindow;
  private readonly runs: Run[] = [];
  private dir: string | undefined;
  private readonly page = new BigInt64Array(PAGE);
  /** Keys seen so far. */
  seen = 0;
  /**
   * While every int64 key so far arrived in strictly ascending order: those keys, the latest
   * `count` of them here (the rest spilled as runs), and the last one's words. Undefined
   * once a key came out of order (or a varchar key came): the filter then holds every key.
   */
  private ascending: { readonly keys: BigInt64Array; readonly words: Uint32Array; count: number; lo: number; hi: number } | undefined;

  /** `window`: keys held exactly in memory before a spill (smaller only to exercise spills in tests). */
  constructor(private readonly windowKeys = WINDOW) {
    this.window = new KeyWindow(windowKeys);
    const keys = new BigInt64Array(windowKeys);
    this.ascending = { keys, words: new Uint32Array(keys.buffer), count: 0, lo: 0, hi: 0 };
  }

  /** Whether the key (its words) is above the last ascending key, as signed 64-bit values; the first key always is. */
  private aboveLast(lo: number, hi: number): boolean {
    const a = this.ascending!;
    if (this.seen === 0) return true;
    return (hi | 0) > a.hi || ((hi | 0) === a.hi && lo >>> 0 > a.lo >>> 0);
  }

  /** Records a key that continues the ascending order. */
  private addAscending(lo: number, hi: number): void {
    const a = this.ascending!;
    a.words[2 * a.count] = lo;
    a.words[2 * a.count + 1] = hi;
    a.count++;
    a.lo = lo;
    a.hi = hi | 0;
    this.seen++;
    if (a.count === a.keys.length) {
      this.writeRun(a.keys);
      a.count = 0;
    }
  }

  /**
   * The first key out of order: every key recorded in ascending order goes into the filter (the
   * runs read back page by page), the buffered ones become a run, and the general path takes over.
   */
  private leaveAscending(): void {
    const a = this.ascending!;
    this.ascending = undefined;
    const words = new Uint32Array(this.page.buffer);
    for (const run of this.runs) {
      for (let start = 0; start < run.keys; start += PAGE) {
        const count = Math.min(PAGE, run.keys - start);
        readSync(run.fd, new Uint8Array(this.page.buffer, 0, count * 8), 0, count * 8, start * 8);
        for (let i = 0; i < count; i++) this.bloomAdd(hash1(words[2 * i]!, words[2 * i + 1]!), hash2(words[2 * i]!, words[2 * i + 1]!));
      }
    }
    for (let i = 0; i < a.count; i++)
      this.bloomAdd(hash1(a.words[2 * i]!, a.words[2 * i + 1]!), hash2(a.words[2 * i]!, a.words[2 * i + 1]!));
    if (a.count > 0) this.writeRun(a.keys.subarray(0, a.count));
  }

  /**
   * For each row of a key column, whether its key occurred before (earlier in the stream or
   * earlier in this column). Every key is recorded, so the answer is for "first occurrence wins".
   */
  check(keys: Column): Uint8Array {
    if (keys.type === 'int64') {
      const v = keys.values;
      // Little-endian words of each key: no BigInt is made on the way.
      return this.checkWords(new Uint32Array(v.buffer, v.byteOffset, v.length * 2), true);
    }
    return this.checkWords(keyWords(keys), false);
  }

  /**
   * `check` on keys given as words (see `keyWords`). `ordered`: the words are int64 keys, whose
   * ascending order means something; hashed varchar keys take the general path at once.
   */
  checkWords(words: Uint32Array, ordered: boolean): Uint8Array {
    const n = words.length >>> 1;
    const repeated = new Uint8Array(n);
    let i = 0;
    if (this.ascending) {
      if (ordered)
        for (; i < n && this.aboveLast(words[2 * i]!, words[2 * i + 1]!); i++) this.addAscending(words[2 * i]!, words[2 * i + 1]!);
      if (i < n) this.leaveAscending();
    }
    for (; i < n; i++) {
      if (this.add(words[2 * i]!, words[2 * i + 1]!)) repeated[i] = 1;
    }
    return repeated;
  }

  /** Adds a key (its two hashes) to the filter; returns whether the filter may have held it before ("maybe seen"). */
  private bloomAdd(h1: number, h2: number): boolean {
    let layer = this.layers[this.layers.length - 1];
    if (!layer || layer.added >= LAYER_KEYS) {
      layer = new BloomLayer(LAYER_KEYS);
      this.layers.push(layer);
    }
    let maybe = layer.addAndTest(h1, h2);
    for (let i = 0; i < this.layers.length - 1 && !maybe; i++) maybe = this.layers[i]!.test(h1, h2);
    return maybe;
  }

  /** Records a key (its low and high 32-bit words); returns true when it was seen before. */
  private add(lo: number, hi: number): boolean {
    const h1 = hash1(lo, hi);
    const h2 = hash2(lo, hi);
    const maybe = this.bloomAdd(h1, h2);
    // The window's slots follow other bits of the hash than the filter's blocks.
    const slot = (h1 >>> 16) ^ Math.imul(h2, 0x9e3779b1);
    // The Bloom filter says "certainly new" for nearly every key; only a "maybe" is looked up.
    const repeated =
      maybe &&
      (this.window.has(lo, hi, slot) || (this.runs.length > 0 && this.inRuns(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)))));
    if (!repeated) {
      this.window.add(lo, hi, slot);
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
    this.writeRun(this.window.drainSorted());
  }

  /** Writes sorted keys to a run file, with their fences. */
  private writeRun(sorted: BigInt64Array): void {
    this.dir ??= mkdtempSync(join(tmpdir(), 'milvusdm-keys-'));
    const file = join(this.dir, `run-${this.runs.length}`);
    const fd = openSync(file, 'w+');
    writeSync(fd, new Uint8Array(sorted.buffer, sorted.byteOffset, sorted.byteLength));
    const fences = new BigInt64Array(Math.ceil(sorted.length / PAGE));
    for (let p = 0; p < fences.length; p++) fences[p] = sorted[p * PAGE]!;
    this.runs.push({ fd, keys: sorted.length, fences });
  }

  /** Bytes held in memory, for measurements. */
  memoryBytes(): number {
    let n = this.window.bytes + (this.ascending?.keys.byteLength ?? 0);
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
