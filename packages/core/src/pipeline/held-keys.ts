/**
 * The int64 keys of a stream while they arrive in strictly ascending order, held on the main
 * thread so the key worker need not start at all: a stream that stays in order cannot repeat a
 * key, and most do (files with ids 0 … n-1, every live Milvus read). Should the order break, the
 * worker is started and given these keys first, so a later key is still checked against every
 * earlier one.
 *
 * Runs of consecutive keys are held as (first key, count): nothing, whatever their length.
 * Other keys are held as copies, up to a bound; past it the worker starts (and holds them in its
 * own bounded way: a window and spill files).
 */

/** Consecutive keys: `count` keys from (`lo`, `hi`), a signed 64-bit value as two 32-bit words. */
interface Run {
  lo: number;
  hi: number;
  count: number;
}

/** Keys held as copies at most (8 MiB). */
const MAX_COPIED_KEYS = 1 << 20;
/** Keys a replayed batch holds at most. */
const REPLAY_KEYS = 1 << 16;

/** The key after (`lo`, `hi`) as 64-bit two's complement: the low word carries into the high one. */
function successor(lo: number, hi: number): { lo: number; hi: number } {
  const next = (lo + 1) >>> 0;
  return { lo: next, hi: next === 0 ? (hi + 1) | 0 : hi };
}

/** Whether the keys of `words` (lo, hi pairs) are consecutive: each one more than the one before. */
function consecutive(words: Uint32Array): boolean {
  for (let i = 2; i < words.length; i += 2) {
    const { lo, hi } = successor(words[i - 2]!, words[i - 1]! | 0);
    if (words[i] !== lo || (words[i + 1]! | 0) !== hi) return false;
  }
  return true;
}

export class HeldKeys {
  private readonly parts: (Run | Uint32Array)[] = [];
  private copied = 0;

  constructor(private readonly maxCopiedKeys = MAX_COPIED_KEYS) {}

  /**
   * Holds `words`, keys above every key held (the caller has checked the order). False, and
   * nothing of this batch held, once copies would pass the bound: the worker must take over.
   */
  add(words: Uint32Array): boolean {
    const n = words.length / 2;
    if (n === 0) return true;
    if (consecutive(words)) {
      const last = this.parts[this.parts.length - 1];
      if (last && !(last instanceof Uint32Array)) {
        // Continues the last run when its first key follows the run's last one.
        const end = lastOfRun(last);
        const next = successor(end.lo, end.hi);
        if (next.lo === words[0] && next.hi === (words[1]! | 0)) {
          last.count += n;
          return true;
        }
      }
      this.parts.push({ lo: words[0]!, hi: words[1]! | 0, count: n });
      return true;
    }
    if (this.copied + n > this.maxCopiedKeys) return false;
    this.parts.push(words);
    this.copied += n;
    return true;
  }

  /** The keys held, in order, as batches of words (fresh arrays: they may be transferred). */
  *batches(): Generator<Uint32Array> {
    for (const part of this.parts) {
      if (part instanceof Uint32Array) {
        yield part;
        continue;
      }
      let { lo, hi } = part;
      for (let left = part.count; left > 0;) {
        const n = Math.min(left, REPLAY_KEYS);
        const words = new Uint32Array(n * 2);
        for (let i = 0; i < n; i++) {
          words[2 * i] = lo;
          words[2 * i + 1] = hi;
          ({ lo, hi } = successor(lo, hi));
        }
        left -= n;
        yield words;
      }
    }
  }

  /** Keys held as copies (the rest are runs). */
  get copiedKeys(): number {
    return this.copied;
  }
}

/** The last key of a run. */
function lastOfRun(run: Run): { lo: number; hi: number } {
  // count - 1 added to a 64-bit value through its two words: count is at most 2^53.
  const low = run.lo + ((run.count - 1) % 2 ** 32);
  const carry = Math.floor(low / 2 ** 32) + Math.floor((run.count - 1) / 2 ** 32);
  return { lo: low >>> 0, hi: (run.hi + carry) | 0 };
}
