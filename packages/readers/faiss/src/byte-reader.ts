/**
 * Reading an index file without loading it: positioned reads on a FileHandle, a small window
 * for the structure pass, and a block reader for the data pass. Every read is checked against
 * the file size first, so a truncated file gives one clear message instead of a short read.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { MilvusdmError } from '@milvusdm/core';

/** Faiss files are little-endian (every mainstream build); ids are copied byte for byte. */
if (endianness() !== 'LE') {
  throw new MilvusdmError('MDM_UNSUPPORTED', '@milvusdm/reader-faiss runs on little-endian machines only (Faiss files are little-endian)');
}

export function sourceError(path: string, message: string): MilvusdmError {
  return new MilvusdmError('MDM_SOURCE', `${path}: ${message}`);
}

/** An open file, its size and its name for messages. */
export class RandomAccessFile {
  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string, what = 'file'): Promise<RandomAccessFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be opened (${code ?? String(e)})`;
      throw new MilvusdmError('MDM_SOURCE', `${path}: the ${what} ${why}`);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new MilvusdmError('MDM_SOURCE', `${path}: the ${what} is not a regular file`);
      return new RandomAccessFile(path, info.size, handle);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /**
   * Fills `target` from `position`. The caller has checked the range against the size; a short
   * read here means the file shrank while we read it.
   */
  async readInto(target: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < target.byteLength) {
      const { bytesRead } = await this.handle.read(target, done, target.byteLength - done, position + done);
      if (bytesRead === 0)
        throw sourceError(this.path, `the file ended at byte ${position + done} while reading (did it change during the run?)`);
      done += bytesRead;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Sequential reader for the structure pass: fields come from a window of a few hundred KB;
 * payloads are skipped by count, never read. `what` names the field in error messages.
 */
export class StructureReader {
  private window = new Uint8Array(0);
  private view = new DataView(this.window.buffer);
  private windowStart = 0;
  pos: number;

  constructor(
    readonly file: RandomAccessFile,
    start = 0,
    private readonly windowBytes = 256 * 1024,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.file.size - this.pos;
  }

  /** Throws the "file ends early" error unless `n` bytes remain. */
  need(n: number, what: string): void {
    if (n > this.remaining) {
      throw sourceError(
        this.file.path,
        `the file ends early (truncated?): expected ${n} bytes of ${what} at offset ${this.pos}, but only ${Math.max(0, this.remaining)} remain`,
      );
    }
  }

  private async fill(n: number, what: string): Promise<number> {
    this.need(n, what);
    const end = this.windowStart + this.window.byteLength;
    if (this.pos < this.windowStart || this.pos + n > end) {
      const length = Math.min(Math.max(n, this.windowBytes), this.file.size - this.pos);
      this.window = new Uint8Array(length);
      this.view = new DataView(this.window.buffer);
      this.windowStart = this.pos;
      await this.file.readInto(this.window, this.pos);
    }
    const at = this.pos - this.windowStart;
    this.pos += n;
    return at;
  }

  async u8(what: string): Promise<number> {
    const at = await this.fill(1, what);
    return this.view.getUint8(at);
  }

  async i32(what: string): Promise<number> {
    const at = await this.fill(4, what);
    return this.view.getInt32(at, true);
  }

  async f32(what: string): Promise<number> {
    const at = await this.fill(4, what);
    return this.view.getFloat32(at, true);
  }

  async i64(what: string): Promise<bigint> {
    const at = await this.fill(8, what);
    return this.view.getBigInt64(at, true);
  }

  /** A u64 (size_t) that must also be a safe JS number; larger values mean a corrupt file. */
  async u64(what: string): Promise<number> {
    const offset = this.pos;
    const at = await this.fill(8, what);
    const v = this.view.getBigUint64(at, true);
    if (v > MAX_SAFE) throw sourceError(this.file.path, `${what} at offset ${offset} is ${v}, which no valid index holds (corrupt file?)`);
    return Number(v);
  }

  /** An i64 count (ntotal) that must be 0 … 2^53. */
  async count64(what: string): Promise<number> {
    const at = this.pos;
    const v = await this.i64(what);
    if (v < 0n || v > MAX_SAFE)
      throw sourceError(this.file.path, `${what} at offset ${at} is ${v}, which no valid index holds (corrupt file?)`);
    return Number(v);
  }

  async fourcc(what: string): Promise<{ text: string; bytes: Uint8Array; offset: number }> {
    const offset = this.pos;
    const at = await this.fill(4, what);
    const bytes = this.window.slice(at, at + 4);
    return { text: String.fromCharCode(...bytes), bytes, offset };
  }

  /**
   * The element count of a `vec<T>` (u64 then count × T), checked against what remains in the
   * file before anything is allocated or skipped.
   */
  async vecCount(elementBytes: number, what: string): Promise<number> {
    const at = this.pos;
    const count = await this.u64(`the length of ${what}`);
    const bytes = count * elementBytes;
    if (!Number.isSafeInteger(bytes) || bytes > this.remaining) {
      throw sourceError(
        this.file.path,
        `${what} at offset ${at} claims ${count} elements (${bytes} bytes) but only ${this.remaining} bytes remain (truncated or corrupt file)`,
      );
    }
    return count;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Reads `n` bytes into a fresh array (for small tables: SQ/PQ parameters, list sizes). */
  async bytes(n: number, what: string): Promise<Uint8Array> {
    this.need(n, what);
    const out = new Uint8Array(n);
    if (n > 0) await this.file.readInto(out, this.pos);
    this.pos += n;
    return out;
  }

  async f32Array(n: number, what: string): Promise<Float32Array> {
    const raw = await this.bytes(n * 4, what);
    return new Float32Array(raw.buffer, raw.byteOffset, n);
  }

  /** `n` u64 values as numbers (list sizes, table entries). */
  async u64Array(n: number, what: string): Promise<number[]> {
    const at = this.pos;
    const raw = await this.bytes(n * 8, what);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const v = view.getBigUint64(i * 8, true);
      if (v > MAX_SAFE)
        throw sourceError(this.file.path, `${what} at offset ${at + i * 8} holds ${v}, which no valid index holds (corrupt file?)`);
      out[i] = Number(v);
    }
    return out;
  }
}

/**
 * Reads ranges of a file that are visited mostly in order (the codes of successive lists, the
 * id map row after row) through one reusable block, and large ranges straight into their
 * destination. This keeps the number of system calls low for many small IVF lists without ever
 * holding more than a block.
 */
export class BlockReader {
  private block: Uint8Array;
  private blockStart = 0;
  private blockEnd = 0;

  constructor(
    private readonly file: RandomAccessFile,
    blockBytes = 4 * 1024 * 1024,
  ) {
    this.block = new Uint8Array(blockBytes);
  }

  async read(target: Uint8Array, position: number): Promise<void> {
    const n = target.byteLength;
    if (n === 0) return;
    if (position + n > this.file.size) {
      throw sourceError(
        this.file.path,
        `the file ends early (truncated?): expected ${n} bytes at offset ${position}, but the file has ${this.file.size}`,
      );
    }
    if (position >= this.blockStart && position + n <= this.blockEnd) {
      target.set(this.block.subarray(position - this.blockStart, position - this.blockStart + n));
      return;
    }
    if (n >= this.block.byteLength / 2) {
      await this.file.readInto(target, position);
      return;
    }
    const length = Math.min(this.block.byteLength, this.file.size - position);
    await this.file.readInto(this.block.subarray(0, length), position);
    this.blockStart = position;
    this.blockEnd = position + length;
    target.set(this.block.subarray(0, n));
  }
}
