/**
 * Repeated keys found once a stream has ended, not batch by batch: for a target that publishes a
 * dataset only when it is whole (a file written as `.partial` and renamed at the end), under the
 * default `duplicates: fail`. Such a target needs no answer before each batch is written, only
 * before the rename, and an answer for all keys at once costs a fraction of one per batch.
 *
 * Why: looked up as they come, keys in no order cost a cache miss or two each once they outgrow
 * the caches (`DuplicateFinder`: about 0.4 µs a key past a million keys, up to a fifth of a
 * file → file run). Here each key (8 bytes, no row) is only appended to one of P partitions by its
 * hash: a few ns, the P write positions staying in cache. After the last batch each partition,
 * small enough for a core's cache, is checked alone with a hash table. Only when a key repeats
 * are the rows looked for: the source's keys are read once more (`locateRepeat`), which costs a
 * pass over one column, on a run that fails anyway.
 *
 * Keys arriving in strictly ascending order (most files, every live Milvus read) cannot repeat:
 * while the order holds they are kept as they come (a copy), and a stream that ends in order is
 * answered without looking at them. The first key out of order sends the kept ones through the
 * partitions, as they would have gone all along.
 *
 * Rows the screen drops (`on_invalid: skip`) count as the batch-by-batch check counts them: their
 * key has been seen, but a dropped row is not reported as a repeat itself. Their keys go, with
 * their rows, to a second, usually empty, set of partitions.
 *
 * Memory: 8 bytes a key in the partitions' buffers up to BUFFER_KEYS keys (16 MiB), then on disk;
 * the ordered keys up to ORDERED_KEYS (8 MiB), then on disk; at the end, one partition at a time.
 * Disk: 8 bytes a key past the buffers, removed by close().
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Column } from '../batch.js';
import { describeSystemError, errorMessage, MilvusdmError } from '../errors.js';
import { slotHash, stringKeyWords } from './duplicates.js';
import { writeFullySync } from '../io/write-fully.js';

/**
 * Keys held in the partitions' buffers before the fullest partition is spilled (16 MiB): a
 * file → file run's peak memory then hardly grows with its rows (32 MiB made 10M rows 1.21× 1M's
 * peak); a spill costs a sequential write and read of 8 bytes a key.
 */
const BUFFER_KEYS = 1 << 21;
/** Keys in ascending order held in memory before they are spilled (8 MiB). */
const ORDERED_KEYS = 1 << 20;
/** A partition's size to aim for: its keys and table fit in a core's cache. */
const PARTITION_KEYS = 1 << 15;
const MAX_PARTITIONS = 1 << 12;
/** Partitions when the stream does not say how many keys come. */
const DEFAULT_PARTITIONS = 1 << 8;
/** Keys that repeat, kept for `locateRepeat` (the first row is looked for among these). */
const MAX_SUSPECTS = 1 << 16;

/** What the check at the end found: keys to look for in a second read of the source. */
export interface RepeatSuspects {
  /** Keys (two 32-bit words each, as `keyWords` makes them) that occur more than once. */
  readonly keys: Uint32Array;
  /**
   * Distinct keys found more than once among the rows not dropped (all of them, not only `keys`;
   * a dropped row among keys that arrived in ascending order is counted as written).
   */
  readonly repeatedKeys: number;
  /** Rows dropped by the screen whose key is one of `keys`: never reported as repeats. */
  readonly droppedRows: ReadonlySet<number>;
  /**
   * One key that two written rows hold, as text, for int64 keys (varchar keys are hashes here):
   * what to name if the second read of the source cannot find the rows (it changed meanwhile).
   */
  readonly example: string | undefined;
}

/** The first row, in stream order, whose key an earlier row has. */
export interface RepeatedKey {
  readonly row: number;
  /** The earliest row with that key. */
  readonly earlierRow: number;
  /** The key as text (an int64's digits, a varchar's value). */
  readonly key: string;
}

function nextPow2(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/** A key column as 64-bit words, without a copy for int64 keys (varchar: a 64-bit hash each). */
function wordsOf(keys: Column): Uint32Array {
  if (keys.type === 'int64') return new Uint32Array(keys.values.buffer, keys.values.byteOffset, keys.values.length * 2);
  if (keys.type === 'varchar') {
    const words = new Uint32Array(keys.values.length * 2);
    for (let i = 0; i < keys.values.length; i++) stringKeyWords(keys.values[i]!, words, i);
    return words;
  }
  throw new Error(`duplicate check: keys of type ${keys.type} are not supported`);
}

/** A failure of the temporary files, as one line naming them (a full disk is the likely one). */
function spillError(where: string, e: unknown): MilvusdmError {
  return new MilvusdmError('MDM_IO', `the repeated-key check's temporary file ${where}: ${describeSystemError(e) ?? errorMessage(e)}`, {
    cause: e,
    hint: 'Past 16 MiB the check keeps 8 bytes a key in the temporary folder (TMPDIR): free space there, or set TMPDIR to a folder with room.',
  });
}

/** Spilled data of one kind, in a temporary file: chunks appended, read back by position. */
class SpillFile {
  private fd: number | undefined;
  private path: string | undefined;
  private size = 0;

  constructor(
    private readonly dir: () => string,
    private readonly name: string,
  ) {}

  /** Appends `data`; returns where it starts. */
  append(data: Uint32Array): number {
    try {
      if (this.fd === undefined) {
        this.path = join(this.dir(), this.name);
        this.fd = openSync(this.path, 'w+');
      }
      const at = this.size;
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      writeFullySync(this.fd, bytes, at);
      this.size += bytes.length;
      return at;
    } catch (e) {
      throw spillError(this.path ?? `in ${tmpdir()}`, e);
    }
  }

  /** Reads `into.byteLength` bytes from `at`. */
  read(into: Uint32Array, at: number): void {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    try {
      for (let done = 0; done < bytes.length;) {
        const n = readSync(this.fd!, bytes, done, bytes.length - done, at + done);
        if (n === 0) throw new Error('it ended early (changed by another program?)');
        done += n;
      }
    } catch (e) {
      throw spillError(this.path!, e);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Entries of `width` 32-bit words, the first two a key, put in one of `count` partitions by the
 * key's hash, in stream order. Every partition's newest entries sit in one flat array (no object
 * to load per key): partition p's `fill[p]` entries start at entry p × `slice`. The slices grow,
 * doubling, up to `maxSlice`; a full one is then spilled to the file as a chunk.
 */
class Partitions {
  private buffer: Uint32Array;
  private slice: number;
  private readonly fill: Int32Array;
  /** Each partition's spilled chunks, in order (file position, entries), and their total. */
  private readonly chunks: { at: number; entries: number }[][];
  private readonly spilled: Float64Array;

  constructor(
    readonly count: number,
    private readonly width: number,
    private readonly maxSlice: number,
    firstSlice: number,
    private readonly file: SpillFile,
  ) {
    this.slice = Math.min(maxSlice, Math.max(16, firstSlice));
    this.buffer = new Uint32Array(count * this.slice * width);
    this.fill = new Int32Array(count);
    this.chunks = Array.from({ length: count }, () => []);
    this.spilled = new Float64Array(count);
  }

  /** A key's partition: its hash's top bits. */
  partitionOf(lo: number, hi: number): number {
    // A shift by 32 would leave the hash unchanged in JS: one partition is index 0 explicitly.
    return this.count === 1 ? 0 : slotHash(lo, hi) >>> (32 - Math.log2(this.count));
  }

  /** Appends the keys in `words` (entries of width 2): the hot path. */
  addKeys(words: Uint32Array): void {
    const { fill, count } = this;
    let { buffer, slice } = this;
    const shift = 32 - Math.log2(count);
    for (let i = 0; i < words.length; i += 2) {
      const lo = words[i]!;
      const hi = words[i + 1]!;
      const p = count === 1 ? 0 : slotHash(lo, hi) >>> shift;
      let f = fill[p]!;
      if (f === slice) {
        this.makeRoom(p);
        ({ buffer, slice } = this);
        f = fill[p]!;
      }
      const at = (p * slice + f) * 2;
      buffer[at] = lo;
      buffer[at + 1] = hi;
      fill[p] = f + 1;
    }
  }

  /** Appends one entry of this set's width. */
  addEntry(entry: ArrayLike<number>): void {
    const p = this.partitionOf(entry[0]!, entry[1]!);
    if (this.fill[p] === this.slice) this.makeRoom(p);
    const at = (p * this.slice + this.fill[p]!) * this.width;
    for (let w = 0; w < this.width; w++) this.buffer[at + w] = entry[w]!;
    this.fill[p]!++;
  }

  /** Room in partition p's full slice: every slice doubled, up to `maxSlice`; then p's spilled. */
  private makeRoom(p: number): void {
    const { slice, fill, width } = this;
    if (slice < this.maxSlice) {
      const wider = Math.min(this.maxSlice, slice * 2);
      const buffer = new Uint32Array(this.count * wider * width);
      for (let q = 0; q < this.count; q++) buffer.set(this.buffered(q), q * wider * width);
      this.buffer = buffer;
      this.slice = wider;
      return;
    }
    this.chunks[p]!.push({ at: this.file.append(this.buffered(p)), entries: fill[p]! });
    this.spilled[p]! += fill[p]!;
    fill[p] = 0;
  }

  /** Partition q's entries in the buffer. */
  private buffered(q: number): Uint32Array {
    const start = q * this.slice * this.width;
    return this.buffer.subarray(start, start + this.fill[q]! * this.width);
  }

  /** Entries in partition q. */
  size(q: number): number {
    return this.spilled[q]! + this.fill[q]!;
  }

  /** Partition q's entries in stream order: its spilled chunks read into `scratch` (grown if needed), then the buffer. */
  entries(q: number, scratch: { words: Uint32Array }): Uint32Array {
    if (this.spilled[q] === 0) return this.buffered(q);
    const words = this.size(q) * this.width;
    if (scratch.words.length < words) scratch.words = new Uint32Array(words);
    const out = scratch.words.subarray(0, words);
    let at = 0;
    for (const c of this.chunks[q]!) {
      this.file.read(out.subarray(at, at + c.entries * this.width), c.at);
      at += c.entries * this.width;
    }
    out.set(this.buffered(q), at);
    return out;
  }
}

/**
 * A key's slot in a table of 2^(32 - shift) slots: multiplicative (Fibonacci) hashing, the top
 * bits of a product, one multiply a word. Cheaper than the partition's hash, and independent of
 * it (the keys of one partition share that hash's top bits, not this one's).
 */
function tableSlot(lo: number, hi: number, shift: number): number {
  return Math.imul(Math.imul(hi, 0x9e3779b1) ^ lo, 0x85ebca6b) >>> shift;
}

/**
 * A hash table of entry indexes, reused from partition to partition without clearing: a slot
 * holds `stamp + index`, and a value below the current stamp is an empty slot. At most a quarter
 * full: short probes, and for a partition's 30,000 keys or so still 512 KiB, in a core's cache.
 */
class IndexTable {
  private slots = new Uint32Array(0);
  private stamp = 1;
  private mask = 0;
  private shift = 32;

  /** Empties the table for `n` keys. */
  reset(n: number): void {
    this.stamp += this.mask + 1; // past every index the last partition stored
    const size = Math.max(2, nextPow2(n * 4));
    if (this.slots.length < size || this.stamp + n >= 2 ** 32) {
      this.slots = new Uint32Array(Math.max(size, this.slots.length));
      this.stamp = 1;
    }
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  /**
   * The index of an earlier key equal to key `i` of `keys` (entries of width 2), or -1 after
   * recording key `i` as new.
   */
  findOrAdd(keys: Uint32Array, i: number): number {
    const lo = keys[2 * i]!;
    const hi = keys[2 * i + 1]!;
    const { slots, stamp, mask } = this;
    let s = tableSlot(lo, hi, this.shift);
    for (let v = slots[s]!; v >= stamp; v = slots[s]!) {
      const j = v - stamp;
      if (keys[2 * j] === lo && keys[2 * j + 1] === hi) return j;
      s = (s + 1) & mask;
    }
    slots[s] = stamp + i;
    return -1;
  }

  /** The index of a key equal to (lo, hi), or -1; adds nothing. */
  find(keys: Uint32Array, lo: number, hi: number): number {
    const { slots, stamp, mask } = this;
    let s = tableSlot(lo, hi, this.shift);
    for (let v = slots[s]!; v >= stamp; v = slots[s]!) {
      const j = v - stamp;
      if (keys[2 * j] === lo && keys[2 * j + 1] === hi) return j;
      s = (s + 1) & mask;
    }
    return -1;
  }
}

/** Keys kept while they arrive in ascending order, and the last one (its words; the high one signed). */
interface OrderedKeys {
  /** Each batch's keys: in memory (`words`) or spilled to the ordered file (`at`). */
  readonly segments: { words?: Uint32Array; at?: number; keys: number }[];
  /** Keys held in memory. */
  kept: number;
  lo: number;
  hi: number;
  /** A key has arrived (`lo`, `hi` are meaningful). */
  any: boolean;
}

export class DeferredKeyCheck {
  /** Keys of the rows written, 8 bytes each. */
  private readonly kept: Partitions;
  /** Keys and rows of the rows dropped by the screen (lo, hi, row low word, row high word); usually none. */
  private dropped: Partitions | undefined;
  /** While every key so far ascended (int64 keys only): the keys, in memory or spilled. */
  private ordered: OrderedKeys | undefined = { segments: [], kept: 0, lo: 0, hi: 0, any: false };
  private readonly orderedKeys: number;
  private readonly bufferKeys: number;
  /** The keys are int64 (their words are their value), not hashes of varchar keys. */
  private int64 = true;
  private dir: string | undefined;
  private readonly keptFile = new SpillFile(() => this.tempDir(), 'kept');
  private readonly droppedFile = new SpillFile(() => this.tempDir(), 'dropped');
  private readonly orderedFile = new SpillFile(() => this.tempDir(), 'ordered');

  /**
   * `expectedKeys`: the rows the stream announces, if known (sizes the partitions). `limits`:
   * smaller buffers, only to exercise the spills in tests.
   */
  constructor(expectedKeys?: number, limits: { bufferKeys?: number; orderedKeys?: number } = {}) {
    const count =
      expectedKeys === undefined
        ? DEFAULT_PARTITIONS
        : Math.min(MAX_PARTITIONS, nextPow2(Math.ceil(Math.max(1, expectedKeys) / PARTITION_KEYS)));
    this.bufferKeys = limits.bufferKeys ?? BUFFER_KEYS;
    // Sized for the announced keys (a quarter more: partitions are not all equal), or small to start.
    const firstSlice = expectedKeys === undefined ? 64 : nextPow2(Math.ceil((expectedKeys / count) * 1.25));
    this.kept = new Partitions(count, 2, Math.max(1, Math.floor(this.bufferKeys / count)), firstSlice, this.keptFile);
    this.orderedKeys = limits.orderedKeys ?? ORDERED_KEYS;
  }

  private tempDir(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'milvusdm-keys-'));
    return this.dir;
  }

  /**
   * Records the keys of rows `firstRow`, `firstRow + 1`, …; `dropped[i]` set for a row that is
   * not written (its key still counts as seen, but it is not reported as a repeat itself).
   */
  add(keys: Column, firstRow: number, dropped?: Uint8Array): void {
    const words = wordsOf(keys);
    if (keys.type !== 'int64') this.int64 = false;
    // Keys in ascending order are distinct: a dropped one among them can only be an earlier
    // occurrence, which counts as one whether dropped or not.
    if (this.ordered && keys.type === 'int64' && this.staysOrdered(words)) {
      this.keepOrdered(words.slice());
      return;
    }
    if (this.ordered) this.releaseOrdered();
    if (!dropped?.includes(1)) {
      this.kept.addKeys(words);
      return;
    }
    for (let i = 0; i < words.length / 2; i++) {
      const key = words.subarray(2 * i, 2 * i + 2);
      if (!dropped[i]) this.kept.addKeys(key);
      else {
        const row = firstRow + i;
        this.dropped ??= new Partitions(
          this.kept.count,
          4,
          Math.max(1, Math.floor(this.bufferKeys / 2 / this.kept.count)),
          16,
          this.droppedFile,
        );
        this.dropped.addEntry([key[0]!, key[1]!, row >>> 0, Math.floor(row / 2 ** 32)]);
      }
    }
  }

  /** Whether the keys continue the ascending order (as signed 64-bit values); updates the last key if so. */
  private staysOrdered(words: Uint32Array): boolean {
    const o = this.ordered!;
    let { lo, hi, any } = o;
    for (let i = 0; i < words.length; i += 2) {
      const l = words[i]!;
      const h = words[i + 1]! | 0;
      if (any && !(h > hi || (h === hi && l > lo))) return false;
      lo = l;
      hi = h;
      any = true;
    }
    Object.assign(o, { lo, hi, any });
    return true;
  }

  private keepOrdered(words: Uint32Array): void {
    const o = this.ordered!;
    const keys = words.length / 2;
    if (keys === 0) return;
    o.segments.push({ words, keys });
    o.kept += keys;
    if (o.kept <= this.orderedKeys) return;
    // Spilled oldest first: the newest stay in memory for a cheap release.
    for (const s of o.segments) {
      if (!s.words) continue;
      s.at = this.orderedFile.append(s.words);
      o.kept -= s.keys;
      delete s.words;
      if (o.kept <= this.orderedKeys / 2) break;
    }
  }

  /** The first key out of order: the ordered keys go through the partitions, in their order. */
  private releaseOrdered(): void {
    const o = this.ordered!;
    this.ordered = undefined;
    for (const s of o.segments) {
      let words = s.words;
      if (!words) {
        words = new Uint32Array(s.keys * 2);
        this.orderedFile.read(words, s.at!);
      }
      this.kept.addKeys(words);
    }
    this.orderedFile.close();
  }

  /**
   * After the last batch: the keys that occur more than once (among every row, a dropped row
   * not counting as a repeat), or undefined if none does.
   */
  finish(): RepeatSuspects | undefined {
    if (this.ordered) return undefined; // every key above the one before it
    const table = new IndexTable();
    const keptScratch = { words: new Uint32Array(0) };
    const droppedScratch = { words: new Uint32Array(0) };
    let marks = new Uint8Array(0);
    const suspects: number[] = [];
    const droppedRows = new Set<number>();
    let repeatedKeys = 0;
    let example: string | undefined;
    const suspect = (lo: number, hi: number) => {
      if (suspects.length < MAX_SUSPECTS * 2) suspects.push(lo, hi);
    };
    for (let p = 0; p < this.kept.count; p++) {
      const n = this.kept.size(p);
      const d = this.dropped?.size(p) ?? 0;
      // A repeat needs a kept row after an earlier row with its key: two keys here at least, one kept.
      if (n === 0 || n + d < 2) continue;
      const keys = this.kept.entries(p, keptScratch);
      if (marks.length < n) marks = new Uint8Array(n);
      else marks.fill(0, 0, n);
      table.reset(n);
      for (let i = 0; i < n; i++) {
        const j = table.findOrAdd(keys, i);
        if (j === -1 || marks[j]) continue;
        marks[j] = 1; // reported once per key
        repeatedKeys++;
        if (example === undefined && this.int64) example = String(keyOf(keys[2 * j]!, keys[2 * j + 1]!));
        suspect(keys[2 * j]!, keys[2 * j + 1]!);
      }
      if (d === 0) continue;
      // A dropped row sharing a kept row's key: a repeat if the dropped row came first (the
      // second read of the source tells); its row is kept so that read does not report it.
      const dropped = this.dropped!.entries(p, droppedScratch);
      for (let e = 0; e < d; e++) {
        const lo = dropped[4 * e]!;
        const hi = dropped[4 * e + 1]!;
        const j = table.find(keys, lo, hi);
        if (j === -1) continue;
        if (!marks[j]) {
          marks[j] = 1;
          suspect(lo, hi);
        }
        droppedRows.add(dropped[4 * e + 2]! + dropped[4 * e + 3]! * 2 ** 32);
      }
    }
    if (suspects.length === 0) return undefined;
    return { keys: Uint32Array.from(suspects), repeatedKeys, droppedRows, example };
  }

  /** Removes the temporary files; safe to call twice. */
  close(): void {
    this.keptFile.close();
    this.droppedFile.close();
    this.orderedFile.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/**
 * The first row of the stream whose key an earlier row has, among `suspects`: found by reading
 * the stream's keys again from its first row (`columns`, in order). Undefined if none is (a
 * suspect whose only repeats were dropped rows, or two varchar keys whose 64-bit hashes collide:
 * their text is compared here).
 */
export async function locateRepeat(suspects: RepeatSuspects, columns: AsyncIterable<Column>): Promise<RepeatedKey | undefined> {
  // Suspects by their low word, then compared on the high one: no BigInt made per row.
  const byLow = new Map<number, number[]>();
  for (let s = 0; s < suspects.keys.length / 2; s++) {
    const lo = suspects.keys[2 * s]!;
    const list = byLow.get(lo);
    if (list) list.push(s);
    else byLow.set(lo, [s]);
  }
  const firstRow = new Float64Array(suspects.keys.length / 2).fill(-1);
  const firstText: (string | undefined)[] = [];
  let row = 0;
  for await (const column of columns) {
    const words = wordsOf(column);
    for (let i = 0; i < words.length / 2; i++, row++) {
      const list = byLow.get(words[2 * i]!);
      if (!list) continue;
      const s = list.find((x) => suspects.keys[2 * x + 1] === words[2 * i + 1]);
      if (s === undefined) continue;
      const text = String(column.values[i]);
      if (firstRow[s] === -1) {
        firstRow[s] = row;
        firstText[s] = text;
      } else if (text === firstText[s] && !suspects.droppedRows.has(row)) return { row, earlierRow: firstRow[s]!, key: text };
    }
  }
  return undefined;
}

/** An int64 key from its two words. */
function keyOf(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}
