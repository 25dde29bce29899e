/**
 * Finds keys that occur more than once in a stream, in bounded memory.
 *
 * Keeping every key in a JS Set costs ~60-100 bytes a key (a 10M-row source: about 1 GB). Instead:
 *
 * - the keys of the current window (up to WINDOW keys, about a million) sit exactly in an
 *   open-addressing hash table of 64-bit words (a Set<bigint> costs a BigInt per key and about
 *   0.5 µs an add: for a file → file job, more than reading the rows). Up to WINDOW keys, that
 *   table is all there is: one probe a key, no filter, no disk;
 * - a full window is spilled to a temporary file (a "run") as it is, hash table and all: an
 *   exact look-up there is the same probe, one 8 KiB page read (rarely two) per run, and a spill
 *   is one write with no sort; its keys go into a blocked Bloom filter (16 bits a key, 8 probes
 *   in one cache line: about 0.1 % false positives), grown a layer at a time so no row count is
 *   needed up front;
 * - a key not in the window is looked up in the runs only when the filter says "maybe" (a real
 *   duplicate or a false positive);
 * - int64 keys arriving in strictly ascending order (a live Milvus read, most HDF5 files) are
 *   certainly new and already sorted: while the order holds, each costs a comparison and a copy
 *   into a buffer spilled as a sorted run (one key in every PAGE kept in memory as a fence, so a
 *   look-up there is one 8 KiB read too) — no hash, filter or table. The first key out of order
 *   puts the spilled keys into the filter and the buffered ones into the window (one pass; what
 *   they would have cost all along) and the finder goes on as above.
 *
 * Why the window comes first and is large: with keys in no order, every structure probed costs a
 * cache miss a key, and a table probe is cheaper than a filter probe plus an insert (about
 * 0.3 µs a key with a filter in front of a small table, a third of that with the table alone).
 * While reading, the reader streams hundreds of MB through the same caches, so each miss avoided
 * counts twice. For the same reason the misses are taken many at a time: the slots and filter
 * blocks of a few hundred keys are read first (independent loads the processor overlaps), then
 * the keys are looked up in lines already fetched. A spill adds its keys to the filter the same
 * way.
 *
 * Memory: the window grows with the keys to 16 MiB (8 bytes a slot, at most half full); the
 * ascending buffer to 2 MiB; beyond WINDOW keys, 2 bytes a key for the filter (allocated at the
 * start for a stream announced larger than the window) and, for sorted runs, 8 bytes per PAGE
 * keys of fences. Disk: 16 bytes a key spilled from the window (the
 * table, half empty), 8 a key spilled in ascending order; removed by close(). No BigInt is made
 * for a key unless the filter says "maybe" and a sorted run on disk must be searched.
 *
 * Keys are compared as 64-bit values: int64 keys exactly; varchar keys by a 64-bit hash of their
 * UTF-16 text (two ids colliding in 64 bits at 10M keys: probability about 3e-6; such a pair would be
 * reported as a duplicate, never missed).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Column } from '../batch.js';
import { writeFullySync } from '../io/write-fully.js';

const WINDOW = 1 << 20; // keys held exactly in memory before a spill
const FIRST_SLOTS = 1 << 12; // the window's table to start with (32 KiB), doubled as keys come
const FIRST_ASCENDING = 1 << 14; // the ascending buffer to start with (128 KiB), doubled likewise ...
const MAX_ASCENDING = 1 << 18; // ... to this many keys (2 MiB), then spilled: it is never searched, so a larger one gains nothing
const PAGE = 1024; // keys per fence page in a run file (8 KiB)
const TOUCH_KEYS = 512; // keys whose slots are touched before they are looked up (32 KiB of cache lines)
const LAYER_KEYS = 1 << 22; // keys per Bloom layer (8 MiB at 16 bits a key) ...
const MAX_LAYER_KEYS = 1 << 25; // ... or up to this many (64 MiB), when the stream says how many keys come
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
export function slotHash(lo: number, hi: number): number {
  return fmix(lo + fmix(hi ^ 0x6a09e667));
}

/**
 * A blocked Bloom filter: all of a key's probes fall in one 512-bit block (one cache line), so
 * a look-up costs one memory access instead of PROBES scattered ones.
 */
class BloomLayer {
  readonly bits: Uint32Array;
  /**
   * Blocks / 2^32: a key's block is its hash times this, rounded down (exact in a double: the
   * product stays below 2^53). Any number of blocks, so a layer sized for a stream's keys is
   * not rounded up to a power of two (10M keys: 20 MiB, not 32).
   */
  readonly scale: number;
  added = 0;
  /** Keys it takes before the next layer is opened. */
  readonly capacity: number;
  constructor(keys: number) {
    this.capacity = keys;
    const blocks = Math.max(1, Math.ceil((keys * BITS_PER_KEY) / 512));
    this.bits = new Uint32Array(blocks * 16);
    this.scale = blocks / 2 ** 32;
  }
  /** Sets the key's bits. */
  add(h1: number, h2: number): void {
    const base = ((h1 * this.scale) | 0) << 4;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h2 + Math.imul(i, (h2 >>> 9) | 1)) & 511;
      this.bits[base + (bit >>> 5)]! |= 1 << (bit & 31);
    }
    this.added++;
  }
  /** Reads the block of each of `h1s[from…to)` (see KeyWindow.touch); the result means nothing. */
  touch(h1s: Uint32Array, from: number, to: number): number {
    const bits = this.bits;
    const scale = this.scale;
    let x = 0;
    for (let k = from; k < to; k++) x ^= bits[((h1s[k]! * scale) | 0) << 4]!;
    return x;
  }
  test(h1: number, h2: number): boolean {
    const base = ((h1 * this.scale) | 0) << 4;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h2 + Math.imul(i, (h2 >>> 9) | 1)) & 511;
      if ((this.bits[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Keys spilled in ascending order: a sorted file, searched by its fences. */
interface SortedRun {
  readonly kind: 'sorted';
  readonly fd: number;
  readonly keys: number;
  /** First key of every page. */
  readonly fences: BigInt64Array;
}

/** A window spilled as it was: the table's words, searched by the same probe as the window. */
interface HashedRun {
  readonly kind: 'hashed';
  readonly fd: number;
  /** Slots of the table (a power of two). */
  readonly slots: number;
  /** Whether it holds the key 0 (kept in a flag, as in the window). */
  readonly zero: boolean;
}

type Run = SortedRun | HashedRun;

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

  /** The table's words as they are, with its slot count and the key-0 flag: what a spill writes. */
  get table(): { readonly words: Uint32Array; readonly slots: number; readonly zero: boolean } {
    return { words: this.words, slots: this.mask + 1, zero: this.zero };
  }

  /** Empties the window (the table keeps its size: the next window fills it as the last did). */
  clear(): void {
    this.words.fill(0);
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
  /** Slot hashes of the keys being checked, and their two filter hashes (reused from call to call). */
  private hashes = new Uint32Array(0);
  private h1s = new Uint32Array(0);
  private h2s = new Uint32Array(0);
  /** Every key in the window is in the filter too (see the constructor). */
  private readonly eager: boolean;
  /** The filter hashes of keys being spilled. */
  private readonly spillH1s = new Uint32Array(TOUCH_KEYS);
  private readonly spillH2s = new Uint32Array(TOUCH_KEYS);
  /** What the touches returned (kept only so their loads are not optimised away). */
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
    // A stream announced larger than the window will spill: its keys go into the filter as they
    // enter the window, in the cache line the look-up has just fetched, instead of in a pass of
    // their own at each spill; and one layer sized for them all is one probe a key, not one a layer.
    this.eager = expectedKeys !== undefined && expectedKeys > windowKeys;
    if (this.eager) this.layers.push(new BloomLayer(Math.min(Math.max(expectedKeys!, LAYER_KEYS), MAX_LAYER_KEYS)));
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
    // Only sorted runs so far: the window has not spilled while the keys ascended.
    for (const run of this.runs as SortedRun[]) {
      for (let start = 0; start < run.keys; start += PAGE) {
        const count = Math.min(PAGE, run.keys - start);
        readSync(run.fd, new Uint8Array(this.page.buffer, 0, count * 8), 0, count * 8, start * 8);
        this.bloomAddAll(words, count, false);
      }
    }
    // At most windowKeys - 1 (a full buffer is spilled), all distinct: the window holds them without a spill.
    if (this.eager) this.bloomAddAll(a.words, a.count, false);
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
    // Keys in no order: a few hundred at a time, their slots (and, once keys were spilled, their
    // filter blocks) are touched first (see KeyWindow.touch).
    if (this.hashes.length < n) {
      this.hashes = new Uint32Array(n);
      this.h1s = new Uint32Array(n);
      this.h2s = new Uint32Array(n);
    }
    const { hashes, h1s, h2s } = this;
    while (i < n) {
      const end = Math.min(n, i + TOUCH_KEYS);
      for (let k = i; k < end; k++) hashes[k] = slotHash(words[2 * k]!, words[2 * k + 1]!);
      this.touched ^= this.window.touch(hashes, i, end);
      // Filter hashes only once keys were spilled; a spill in this chunk makes add() work them out.
      const filtered = this.eager || this.layers.length > 0;
      if (filtered) {
        for (let k = i; k < end; k++) {
          h1s[k] = hash1(words[2 * k]!, words[2 * k + 1]!);
          h2s[k] = hash2(words[2 * k]!, words[2 * k + 1]!);
        }
        for (const layer of this.layers) this.touched ^= layer.touch(h1s, i, end);
      }
      for (; i < end; i++) {
        if (this.add(words[2 * i]!, words[2 * i + 1]!, hashes[i]!, filtered ? h1s[i]! : -1, h2s[i]!)) repeated[i] = 1;
      }
    }
    return repeated;
  }

  /** The filter layer that takes the next spilled key. */
  private openLayer(): BloomLayer {
    let layer = this.layers[this.layers.length - 1];
    if (!layer || layer.added >= layer.capacity) {
      layer = new BloomLayer(LAYER_KEYS);
      this.layers.push(layer);
    }
    return layer;
  }

  /**
   * Adds the first `count` keys of `words` to the filter, a few hundred at a time with their
   * blocks touched first. `table`: the words are a hash table, whose (0, 0) pairs are empty slots.
   */
  private bloomAddAll(words: Uint32Array, count: number, table: boolean): void {
    // Arrays of its own: a spill happens in the middle of checkWords, which holds its hashes in the others.
    const { spillH1s: h1s, spillH2s: h2s } = this;
    let i = 0;
    while (i < count) {
      let m = 0;
      for (; i < count && m < TOUCH_KEYS; i++) {
        const lo = words[2 * i]!;
        const hi = words[2 * i + 1]!;
        if (table && (lo | hi) === 0) continue;
        h1s[m] = hash1(lo, hi);
        h2s[m] = hash2(lo, hi);
        m++;
      }
      let layer = this.openLayer();
      this.touched ^= layer.touch(h1s, 0, m);
      for (let k = 0; k < m; k++) {
        if (layer.added >= layer.capacity) layer = this.openLayer();
        layer.add(h1s[k]!, h2s[k]!);
      }
    }
  }

  /** Whether a key may be among the spilled ones (the filter's "maybe"); false for certain otherwise. */
  private maybeSpilled(h1: number, h2: number): boolean {
    for (const layer of this.layers) if (layer.test(h1, h2)) return true;
    return false;
  }

  /**
   * Records a key (its low and high 32-bit words, its slot hash and its filter hashes, `h1` -1
   * when they were not worked out: no key was spilled when its chunk began); returns true when
   * it was seen before.
   */
  private add(lo: number, hi: number, hash: number, h1: number, h2: number): boolean {
    const found = this.window.find(lo, hi, hash);
    if (found >= 0) return true;
    // Keys spilled to runs: the filter says "certainly not" for nearly every key; only a "maybe" reads the runs.
    if (this.runs.length > 0) {
      const spilled = h1 === -1 ? this.maybeSpilled(hash1(lo, hi), hash2(lo, hi)) : this.maybeSpilled(h1, h2);
      if (spilled && this.inRuns(lo, hi, hash)) return true;
    }
    // Eager: h1 is always worked out (filtered chunks), and the block is in cache from the test.
    if (this.eager) this.openLayer().add(h1, h2);
    this.window.insert(found, lo, hi, hash);
    this.seen++;
    if (this.window.size >= this.windowKeys) this.spill();
    return false;
  }

  private inRuns(lo: number, hi: number, hash: number): boolean {
    for (const run of this.runs) {
      if (
        run.kind === 'hashed'
          ? this.inHashedRun(run, lo, hi, hash)
          : this.inSortedRun(run, BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)))
      )
        return true;
    }
    return false;
  }

  /** The window's probe, on the table as it was spilled: from the key's slot to the first empty one, a page at a time. */
  private inHashedRun(run: HashedRun, lo: number, hi: number, hash: number): boolean {
    if ((lo | hi) === 0) return run.zero;
    const words = new Uint32Array(this.page.buffer);
    const mask = run.slots - 1;
    let s = hash & mask;
    for (;;) {
      const start = s - (s % PAGE);
      const count = Math.min(PAGE, run.slots - start);
      readSync(run.fd, new Uint8Array(this.page.buffer, 0, count * 8), 0, count * 8, start * 8);
      for (let i = s - start; i < count; i++) {
        const l = words[2 * i]!;
        const h = words[2 * i + 1]!;
        if (l === lo && h === hi) return true;
        if ((l | h) === 0) return false;
      }
      // The probe goes on past the page (the table is at most half full: it ends).
      s = (start + count) & mask;
    }
  }

  private inSortedRun(run: SortedRun, key: bigint): boolean {
    // The last page whose first key is <= key.
    let lo = 0;
    let hi = run.fences.length - 1;
    if (key < run.fences[0]!) return false;
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
    return false;
  }

  /** A new run file, open for writing and reading. */
  private openRun(): number {
    this.dir ??= mkdtempSync(join(tmpdir(), 'milvusdm-keys-'));
    return openSync(join(this.dir, `run-${this.runs.length}`), 'w+');
  }

  /** The window becomes a run as it is (no sort), and its keys go into the filter. */
  private spill(): void {
    const { words, slots, zero } = this.window.table;
    const fd = this.openRun();
    writeFullySync(fd, new Uint8Array(words.buffer, words.byteOffset, slots * 8));
    if (!this.eager) {
      this.bloomAddAll(words, slots, true);
      if (zero) this.bloomAddAll(new Uint32Array(2), 1, false);
    }
    this.runs.push({ kind: 'hashed', fd, slots, zero });
    this.window.clear();
  }

  /** Writes keys in ascending order to a sorted run file, with their fences. */
  private writeRun(sorted: BigInt64Array): void {
    const fd = this.openRun();
    writeFullySync(fd, new Uint8Array(sorted.buffer, sorted.byteOffset, sorted.byteLength));
    const fences = new BigInt64Array(Math.ceil(sorted.length / PAGE));
    for (let p = 0; p < fences.length; p++) fences[p] = sorted[p * PAGE]!;
    this.runs.push({ kind: 'sorted', fd, keys: sorted.length, fences });
  }

  /** Bytes held in memory, for measurements. */
  memoryBytes(): number {
    let n = this.window.bytes + (this.ascending?.keys.byteLength ?? 0);
    for (const l of this.layers) n += l.bits.byteLength;
    for (const r of this.runs) if (r.kind === 'sorted') n += r.fences.byteLength;
    return n;
  }

  close(): void {
    for (const run of this.runs) closeSync(run.fd);
    this.runs.length = 0;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
