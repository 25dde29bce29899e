/**
 * Reused buffers for encoded insert requests. Each request of a large insert is megabytes
 * (up to `batch_bytes`), allocated once per request and garbage as soon as its answer comes;
 * V8 frees such buffers only at a full collection, which it starts when enough external memory
 * has piled up — on a 1M-row H2M that was a mark-compact every other request and most of the
 * client's peak memory (bench/README.md, "Peak memory and garbage collection"). A request taken
 * from here is given back once its call has settled, so a buffer is never written while a call
 * may still read it.
 */

/** Allocations are rounded up to this, so requests of slightly different sizes share buffers. */
const GRAIN = 1 << 20;

export class RequestBuffers {
  private readonly free: ArrayBuffer[] = [];
  /** Memory handed out by take(): only that comes back into `free`. */
  private readonly mine = new WeakSet<ArrayBuffer>();

  /** `keep`: buffers held for reuse (about the requests in flight); any beyond are left to the GC. */
  constructor(private readonly keep: number) {}

  /** A Buffer of exactly `bytes` bytes, over a free allocation when one is large enough. */
  take(bytes: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.byteLength;
      if (size >= bytes && (best < 0 || size < this.free[best]!.byteLength)) best = i;
    }
    const memory = best >= 0 ? this.free.splice(best, 1)[0]! : new ArrayBuffer(Math.ceil(Math.max(1, bytes) / GRAIN) * GRAIN);
    this.mine.add(memory);
    return Buffer.from(memory, 0, bytes);
  }

  /** Gives back a buffer from take() once nothing reads it any more. */
  give(view: Uint8Array): void {
    const memory = view.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.mine.has(memory) || this.free.includes(memory)) return;
    if (this.free.length < this.keep) this.free.push(memory);
  }

  /** Bytes held for reuse, for tests and measurements. */
  get heldBytes(): number {
    return this.free.reduce((n, m) => n + m.byteLength, 0);
  }
}
