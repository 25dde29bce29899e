/**
 * Repeated-key checks off the main thread. A `KeyChecker` is a `DuplicateFinder` living in a
 * worker thread shared by every dataset of the process: the main thread copies each batch's
 * keys as 64-bit words (8 bytes a key, a memcpy for int64 keys) and awaits the answer, while the
 * reader and the writer go on with other batches. With keys in no order the finder costs about
 * 0.35 µs a key, a quarter of a file → file run; in the worker it overlaps the run instead.
 *
 * The worker starts at the first check (about 30 ms) and never keeps the process alive on its
 * own: it is referenced only while a request waits for its answer.
 */
import { Worker } from 'node:worker_threads';
import type { Column } from '../batch.js';
import { keyWords } from './duplicates.js';

export type KeyWorkerRequest =
  | { readonly id: number; readonly op: 'open'; readonly finder: number; readonly windowKeys?: number; readonly expectedKeys?: number }
  | { readonly id: number; readonly op: 'check'; readonly finder: number; readonly words: Uint32Array; readonly ordered: boolean }
  | { readonly id: number; readonly op: 'close'; readonly finder: number };

/** A request before the worker's id is given to it (Omit over each member of the union). */
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

export type KeyWorkerReply = { readonly id: number; readonly repeated?: Uint8Array; readonly error?: string };

/**
 * The worker's module: beside this one once built. Run from source (the unit tests), this
 * module is TypeScript, which a worker thread cannot load, so the built worker is used.
 */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/pipeline/key-worker.js', import.meta.url)
    : new URL('./key-worker.js', import.meta.url);
}

interface Waiting {
  resolve(reply: KeyWorkerReply): void;
  reject(error: Error): void;
}

/** The shared worker and the requests awaiting its answers. */
class KeyWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private broken: Error | undefined;

  constructor(onGone: () => void) {
    // Not the process's own Node options (--input-type, --eval, profiling flags): they are not the worker's.
    this.worker = new Worker(workerUrl(), { execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (reply: KeyWorkerReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.settled(reply.id);
      if (reply.error !== undefined) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply);
    });
    const fail = (error: Error) => {
      this.broken ??= error;
      onGone();
      for (const [id, waiting] of this.waiting) {
        this.settled(id);
        waiting.reject(new Error(`duplicate check: the key worker stopped: ${error.message}`));
      }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
  }

  request(message: Unsent<KeyWorkerRequest>, transfer: ArrayBuffer[] = []): Promise<KeyWorkerReply> {
    if (this.broken) return Promise.reject(new Error(`duplicate check: the key worker stopped: ${this.broken.message}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Referenced while an answer is awaited, so the process does not end waiting for it.
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
  }
}

let shared: KeyWorker | undefined;
let nextFinder = 1;

function keyWorker(): KeyWorker {
  shared ??= new KeyWorker(() => {
    shared = undefined;
  });
  return shared;
}

/** Batches of ascending keys sent to the worker whose answers are not awaited, at most. */
const MAX_BACKLOG = 16;

/**
 * Whether int64 keys (as words) continue a strictly ascending order after `last`, as signed
 * 64-bit values; updates `last` to the final key either way.
 */
function continuesAscending(words: Uint32Array, last: { lo: number; hi: number; any: boolean }): boolean {
  let ascending = true;
  let { lo, hi, any } = last;
  for (let i = 0; i < words.length; i += 2) {
    const l = words[i]!;
    const h = words[i + 1]! | 0;
    if (any && !(h > hi || (h === hi && l > lo))) ascending = false;
    lo = l;
    hi = h;
    any = true;
  }
  Object.assign(last, { lo, hi, any });
  return ascending;
}

/**
 * One stream's repeated-key check (see `DuplicateFinder.check`), answered by the shared worker.
 *
 * Keys in strictly ascending order (most files, every live Milvus read) cannot repeat: while
 * the order holds, the answer "none repeated" is given at once, after one comparison a key
 * here, and the worker records the keys in the background; only from the first key out of order
 * on is the worker's answer awaited.
 */
export class KeyChecker {
  private readonly worker = keyWorker();
  private readonly finder = nextFinder++;
  private readonly opened: Promise<KeyWorkerReply>;
  private closed = false;
  /** Every int64 key so far arrived in strictly ascending order, ending with `last`. */
  private ascending = true;
  private readonly last = { lo: 0, hi: 0, any: false };
  /**
   * The first failure of a request whose answer nobody awaited (ascending keys). It matters once
   * keys come out of order (the worker's record of the earlier keys is then incomplete): the
   * worker answers in order, so it has arrived by the time a later answer has.
   */
  private failure: unknown;
  /** Answers not awaited yet (ascending keys): a bound on the keys queued if the worker falls behind. */
  private readonly backlog: Promise<unknown>[] = [];

  /**
   * `windowKeys`: keys held exactly in memory before a spill (smaller only in tests).
   * `expectedKeys`: the rows the stream announces, if known (sizes the finder's table once).
   */
  constructor(windowKeys?: number, expectedKeys?: number) {
    this.opened = this.worker.request({
      op: 'open',
      finder: this.finder,
      ...(windowKeys !== undefined ? { windowKeys } : {}),
      ...(expectedKeys !== undefined ? { expectedKeys } : {}),
    });
    this.opened.catch(() => {}); // reported by the first check
  }

  /** For each row, whether its key occurred before in the stream (or earlier in this column). */
  async check(keys: Column): Promise<Uint8Array> {
    await this.opened;
    const words = keyWords(keys);
    const ordered = keys.type === 'int64';
    this.ascending &&= ordered && continuesAscending(words, this.last);
    const answer = this.worker.request({ op: 'check', finder: this.finder, words, ordered }, [words.buffer as ArrayBuffer]);
    if (this.ascending) {
      answer.catch((e: unknown) => (this.failure ??= e));
      // A slow disk under the worker's spills must not let key copies pile up without bound.
      this.backlog.push(answer);
      if (this.backlog.length > MAX_BACKLOG) await this.backlog.shift()!.catch(() => {});
      // Keys above every earlier one: nothing repeated, whatever the worker says.
      return new Uint8Array(keys.values.length);
    }
    this.backlog.length = 0; // answered before this one: the worker answers in order
    const { repeated } = await answer;
    if (this.failure !== undefined) throw this.failure;
    return repeated!;
  }

  /** Removes the finder and its temporary files; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.opened;
      await this.worker.request({ op: 'close', finder: this.finder });
    } catch {
      // A worker that stopped took its finders with it; only its temporary folder may remain.
    }
  }
}
