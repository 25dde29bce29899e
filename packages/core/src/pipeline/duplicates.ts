/**
 * Finds keys that occur more than once in a stream, in bounded memory.
 *
 * Keeping every key in a JS Set costs ~60-100 bytes a key (a 10M-row source: about 1 GB). Instead:
 *
 * - the keys of the current window (up to WINDOW keys, about a million) sit exactly in an
 *   open-addressing hash table of 64-bit words (a Set<bigint> costs a BigInt per key and about
 *   0.5 µs an add: for a file → file job, more than reading the rows). Up to WINDOW keys, that
 *   table is all there is: one probe a key, no filter, no disk;
 * - a full window is sorted and spilled to a temporary file (a "run"), with one key in every
 *   PAGE kept in memory as a fence, so an exact look-up is one 8 KiB read per run; its keys go
 *   into a blocked Bloom filter (16 bits a key, 8 probes in one cache line: about 0.1 % false
 *   positives), grown a layer at a time so no row count is needed up front;
 * - a key not in the window is looked up in the runs only when the filter says "maybe" (a real
 *   duplicate or a false positive);
 * - int64 keys arriving in strictly ascending order (a live Milvus read, most HDF5 files) are
 *   certainly new and already sorted: while the order holds, each costs a comparison and a copy
 *   into a buffer spilled as a run without sorting — no hash, filter or table. The first key out
 *   of order puts the spilled keys into the filter and the buffered ones into the window (one
 *   pass; what they would have cost all along) and the finder goes on as above.
 *
 * Why the window comes first and is large: with keys in no order, every structure probed costs a
 * cache miss a key, and a table probe is cheaper than a filter probe plus an insert (about
 * 0.3 µs a key with a filter in front of a small table, a third of that with the table alone).
 * While reading, the reader streams hundreds of MB through the same caches, so each miss avoided
 * counts twice.
 *
 * Memory: the window grows with the keys to 16 MiB (8 bytes a slot, at most half full), sorted
 * in place for a spill; the ascending buffer to 2 MiB; beyond WINDOW keys,
 * ~2 bytes a spilled key for the filter and 8 bytes per PAGE keys of fences. Disk: 8 bytes a
 * spilled key, removed by close(). No BigInt is made for a key unless the filter says "maybe"
 * and the runs on disk must be searched.
 *
 * Keys are compared as 64-bit values: int64 keys exactly; varchar keys by a 64-bit hash of their
 * UTF-16 text (two ids colliding in 64 bits at 10M keys: probability about 3e-6; such a pair would be
 * reported as a duplicate, never missed).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Column } from '../batch.js';

const WINDOW = 1 << 20; // keys held exactly in memory before a spill
const FIRST_SLOTS = 1 << 12; // the window's table to start with (32 KiB), doubled as keys come
const FIRST_ASCENDING = 1 << 14; // the ascending buffer to start with (128 KiB), doubled likewise ...
const MAX_ASCENDING = 1 << 18; // ... to this many keys (2 MiB), then spilled: it is never searched, so a larger one gains nothing
const PAGE = 1024; // keys per fence page in a run file (8 KiB)
const TOUCH_KEYS = 512; // keys whose slots are touched before they are looked up (32 KiB of cache lines)
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

/** Two independent 32-bit hashes of a key's words for the filter (its block, its bits), and a third for the window's slot. */
function hash1(lo: number, hi: number): number {
  return fmix(lo ^ fmix(hi ^ 0x9e3779b9));
}
function hash2(lo: number, hi: number): number {
  return fmix(hi ^ fmix(lo + 0x7f4a7c15)) | 1;
}
function slotHash(lo: number, hi: number): number {
  return fmix(lo + fmix(hi ^ 0x6a09e667));
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
  /** Sets the key's bits. */
  add(h1: number, h2: number): void {
    const base = (h1 & this.mask) << 4;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h2 + Math.imul(i, (h2 >>> 9) | 1)) & 511;
      this.bits[base + (bit >>> 5)]! |= 1 << (bit & 31);
    }
    this.added++;
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
 * The window: a set of 64-bit keys as (lo, hi) word pairs side by side in one open-addressing
 * table (one cache line a probe), at most half full so probe sequences stay short. The pair
 * (0, 0) marks an empty slot, so the key 0 is kept apart in a flag. The table starts small and
 * doubles, so a small dataset never holds the largest one.
 */
class KeyWindow {
  private words: Uint32Array;
  private mask: number;
  private zero = false;
  size = 0;

  /**
   * `maxKeys`: the most keys it will hold (the finder spills at that size). `expectedKeys`: the
   * keys the stream announces, if known: the table starts at their size, so it is not rebuilt
   * on the way (each doubling moves every key once more).
   */
  constructor(maxKeys: number, expectedKeys = 0) {
    let slots = 2;
    while (slots < Math.min(Math.max(FIRST_SLOTS, expectedKeys * 2), maxKeys * 2)) slots *= 2;
    this.words = new Uint32Array(slots * 2);
    this.mask = slots - 1;
  }

  /**
   * Where the key is (a slot, >= 0) or, when it is absent, -1 - the empty slot where it would
   * go. The key 0 answers 0 when present and -1 when not.
   */
  find(lo: number, hi: number, hash: number): number {
    if ((lo | hi) === 0) return this.zero ? 0 : -1;
    const w = this.words;
    for (let s = hash & this.mask; ; s = (s + 1) & this.mask) {
      const l = w[2 * s]!;
      const h = w[2 * s + 1]!;
      if (l === lo && h === hi) return s;
      if ((l | h) === 0) return -1 - s;
    }
  }

  /** Adds an absent key where `find` said it would go (the answer of a `find` with no add since). */
  insert(found: number, lo: number, hi: number, hash: number): void {
    this.size++;
    if ((lo | hi) === 0) {
      this.zero = true;
      return;
    }
    if (this.size * 2 > this.mask + 1) {
      this.grow();
      found = this.find(lo, hi, hash);
    }
    const s = -1 - found;
    this.words[2 * s] = lo;
    this.words[2 * s + 1] = hi;
  }

  /** Doubles the table, re-placing every key. */
  private grow(): void {
    const old = this.words;
    this.words = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let i = 0; i < old.length; i += 2) {
      const lo = old[i]!;
      const hi = old[i + 1]!;
      if ((lo | hi) === 0) continue;
      let s = slotHash(lo, hi) & this.mask;
      while ((this.words[2 * s]! | this.words[2 * s + 1]!) !== 0) s = (s + 1) & this.mask;
      this.words[2 * s] = lo;
      this.words[2 * s + 1] = hi;
    }
  }

  get bytes(): number {
    return this.words.byteLength;
  }

  /**
   * Reads the slot where each of `hashes[from…to)` starts, for keys about to be looked up. With
   * keys in no order every look-up is a cache miss; one after another, each waits for the one
   * before it. These loads depend on nothing, so the processor has many of them in flight at
   * once, and the look-ups that follow find their lines in cache. The result means nothing: it
   * is returned so that the loads are not optimised away.
   */
  touch(hashes: Uint32Array, from: number, to: number): number {
    const w = this.words;
    const mask = this.mask;
    let x = 0;
    for (let k = from; k < to; k++) x ^= w[2 * (hashes[k]! & mask)]!;
    return x;
  }

  /**
   * The keys, sorted as signed 64-bit values, handed to `use` (valid only during the call);
   * empties the window. They are gathered and sorted inside the table itself: a spill allocates
   * nothing (a separate array was 8 MiB of garbage a spill, which a worker with little else to
   * collect kept for a long time).
   */
  drainSorted(use: (sorted: BigInt64Array) => void): void {
    const w = this.words;
    let j = 0;
    // Moving each key to the front: slot j is never after slot i, so no key is overwritten unread.
    for (let i = 0; i < w.length; i += 2) {
      if ((w[i]! | w[i + 1]!) === 0) continue;
      w[2 * j] = w[i]!;
      w[2 * j + 1] = w[i + 1]!;
      j++;
    }
    // The key 0 (kept in a flag): one more pair of zero words; the table is at most half full.
    if (this.zero) {
      w[2 * j] = 0;
      w[2 * j + 1] = 0;
      j++;
    }
    const sorted = new BigInt64Array(w.buffer, w.byteOffset, j).sort();
    use(sorted);
    w.fill(0);
    this.zero = false;
    this.size = 0;
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
   * once a key came out of order (or a varchar key came): the window, the runs and the filter
   * then hold every key.
   */
  private ascending: { keys: BigInt64Array; words: Uint32Array; count: number; lo: number; hi: number } | undefined;
  /** The most keys the ascending buffer holds before it is spilled as a run. */
  private readonly ascendingKeys: number;
  /** Slot hashes of the keys being checked (reused from call to call). */
  private hashes = new Uint32Array(0);
  /** What touch returned (kept only so its loads are not optimised away). */
  private touched = 0;

  /**
   * `windowKeys`: keys held exactly in memory before a spill (smaller only to exercise spills in
   * tests). `expectedKeys`: the keys the stream announces (a file's row count), if known.
   */
  constructor(
    private readonly windowKeys = WINDOW,
    expectedKeys?: number,
  ) {
    this.window = new KeyWindow(windowKeys, expectedKeys);
    // Never more than the window holds: leaving the ascending order moves the buffer into the window.
    this.ascendingKeys = Math.min(MAX_ASCENDING, windowKeys);
    const keys = new BigInt64Array(Math.min(FIRST_ASCENDING, this.ascendingKeys));
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
    if (a.count === a.keys.length) {
      if (a.keys.length < this.ascendingKeys) {
        const keys = new BigInt64Array(Math.min(a.keys.length * 2, this.ascendingKeys));
        keys.set(a.keys);
        a.keys = keys;
        a.words = new Uint32Array(keys.buffer);
      } else {
        this.writeRun(a.keys);
        a.count = 0;
      }
    }
    a.words[2 * a.count] = lo;
    a.words[2 * a.count + 1] = hi;
    a.count++;
    a.lo = lo;
    a.hi = hi | 0;
    this.seen++;
  }

  /**
   * The first key out of order: the keys spilled in ascending order go into the filter (the runs
   * read back page by page), the buffered ones into the window, and the general path takes over.
   */
  private leaveAscending(): void {
    const a = this.ascending!;
    this.ascending = undefined;
    const words = new Uint32Array(this.page.buffer);
    for (const run of this.runs) {
      for (let start = 0; start < run.keys; start += PAGE) {
        const count = Math.min(PAGE, run.keys - start);
        readSync(run.fd, new Uint8Array(this.page.buffer, 0, count * 8), 0, count * 8, start * 8);
        for (let i = 0; i < count; i++) this.bloomAdd(words[2 * i]!, words[2 * i + 1]!);
      }
    }
    // At most windowKeys - 1 (a full buffer is spilled), all distinct: the window holds them without a spill.
    for (let i = 0; i < a.count; i++) {
      const lo = a.words[2 * i]!;
      const hi = a.words[2 * i + 1]!;
      const hash = slotHash(lo, hi);
      this.window.insert(this.window.find(lo, hi, hash), lo, hi, hash);
    }
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
    // Keys in no order: a few hundred at a time, their slots are touched first (see touch).
    if (this.hashes.length < n) this.hashes = new Uint32Array(n);
    const hashes = this.hashes;
    while (i < n) {
      const end = Math.min(n, i + TOUCH_KEYS);
      for (let k = i; k < end; k++) hashes[k] = slotHash(words[2 * k]!, words[2 * k + 1]!);
      this.touched ^= this.window.touch(hashes, i, end);
      for (; i < end; i++) {
        if (this.add(words[2 * i]!, words[2 * i + 1]!, hashes[i]!)) repeated[i] = 1;
      }
    }
    return repeated;
  }

  /** Adds a spilled key to the filter. */
  private bloomAdd(lo: number, hi: number): void {
    let layer = this.layers[this.layers.length - 1];
    if (!layer || layer.added >= LAYER_KEYS) {
      layer = new BloomLayer(LAYER_KEYS);
      this.layers.push(layer);
    }
    layer.add(hash1(lo, hi), hash2(lo, hi));
  }

  /** Whether a key may be among the spilled ones (the filter's "maybe"); false for certain otherwise. */
  private maybeSpilled(lo: number, hi: number): boolean {
    const h1 = hash1(lo, hi);
    const h2 = hash2(lo, hi);
    for (const layer of this.layers) if (layer.test(h1, h2)) return true;
    return false;
  }

  /** Records a key (its low and high 32-bit words); returns true when it was seen before. */
  private add(lo: number, hi: number, hash: number): boolean {
    const found = this.window.find(lo, hi, hash);
    if (found >= 0) return true;
    // Keys spilled to runs: the filter says "certainly not" for nearly every key; only a "maybe" reads the runs.
    if (this.runs.length > 0 && this.maybeSpilled(lo, hi) && this.inRuns(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)))) return true;
    this.window.insert(found, lo, hi, hash);
    this.seen++;
    if (this.window.size >= this.windowKeys) this.spill();
    return false;
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

  /** The window's keys become a run, and go into the filter. */
  private spill(): void {
    this.window.drainSorted((sorted) => {
      const words = new Uint32Array(sorted.buffer, sorted.byteOffset, sorted.length * 2);
      for (let i = 0; i < sorted.length; i++) this.bloomAdd(words[2 * i]!, words[2 * i + 1]!);
      this.writeRun(sorted);
    });
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
