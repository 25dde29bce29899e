/**
 * Repeated-key checks off the main thread. A `KeyChecker` is a `DuplicateFinder` living in a
 * worker thread shared by every dataset of the process: the main thread copies each batch's
 * keys as 64-bit words (8 bytes a key, a memcpy for int64 keys) and awaits the answer, while the
 * reader and the writer go on with other batches. With keys in no order the finder costs about
 * 0.35 µs a key, a quarter of a file → file run; in the worker it overlaps the run instead.
 *
 * The worker starts only when a stream's keys leave ascending order (about 30 ms, and ~24 MiB
 * of memory a stream in order does without) and never keeps the process alive on its own: it
 * is referenced only while a request waits for its answer.
 */
import { Worker } from 'node:worker_threads';
import type { Column } from '../batch.js';
import { keyWords } from './duplicates.js';
import { HeldKeys } from './held-keys.js';

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
 * here, and the keys are held (`HeldKeys`: runs of consecutive keys cost nothing) without
 * starting the worker at all. Only when the order breaks, or the keys held as copies pass
 * their bound, is the worker started, given the held keys, and its answers awaited from the
 * first key out of order on.
 */
export class KeyChecker {
  private worker: KeyWorker | undefined;
  private readonly finder = nextFinder++;
  private opened: Promise<KeyWorkerReply> | undefined;
  private closed = false;
  /** Every int64 key so far arrived in strictly ascending order, ending with `last`. */
  private ascending = true;
  private readonly last = { lo: 0, hi: 0, any: false };
  /** The keys so far, until the worker starts. */
  private held: HeldKeys | undefined;
  /** The worker's start: the finder opened and the held keys sent. */
  private starting: Promise<void> | undefined;
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
   * `maxHeldKeys`: keys held as copies before the worker starts (smaller only in tests).
   */
  constructor(
    private readonly windowKeys?: number,
    private readonly expectedKeys?: number,
    maxHeldKeys?: number,
  ) {
    this.held = new HeldKeys(maxHeldKeys);
  }

  /** Whether this stream's keys went to the worker (for tests and measurements). */
  get workerStarted(): boolean {
    return this.worker !== undefined;
  }

  /** For each row, whether its key occurred before in the stream (or earlier in this column). */
  async check(keys: Column): Promise<Uint8Array> {
    const words = keyWords(keys);
    const ordered = keys.type === 'int64';
    this.ascending &&= ordered && continuesAscending(words, this.last);
    if (this.held) {
      // Keys above every earlier one: nothing repeated, whatever came before.
      if (this.ascending && this.held.add(words)) return new Uint8Array(keys.values.length);
      this.starting = this.start();
    }
    // Every check from here on waits the same way, so checks begun together send in their order,
    // each after the held keys.
    await this.starting;
    await this.opened;
    const worker = this.worker!;
    const answer = worker.request({ op: 'check', finder: this.finder, words, ordered }, [words.buffer as ArrayBuffer]);
    if (this.ascending) {
      answer.catch((e: unknown) => (this.failure ??= e));
      await this.bound(answer);
      return new Uint8Array(keys.values.length);
    }
    this.backlog.length = 0; // answered before this one: the worker answers in order
    const { repeated } = await answer;
    if (this.failure !== undefined) throw this.failure;
    return repeated!;
  }

  /** Starts the worker's finder and gives it the keys held so far, in order. */
  private async start(): Promise<void> {
    const held = this.held!;
    this.held = undefined;
    this.worker = keyWorker();
    this.opened = this.worker.request({
      op: 'open',
      finder: this.finder,
      ...(this.windowKeys !== undefined ? { windowKeys: this.windowKeys } : {}),
      ...(this.expectedKeys !== undefined ? { expectedKeys: this.expectedKeys } : {}),
    });
    this.opened.catch(() => {}); // reported by the check that awaits it
    for (const words of held.batches()) {
      const answer = this.worker.request({ op: 'check', finder: this.finder, words, ordered: true }, [words.buffer as ArrayBuffer]);
      answer.catch((e: unknown) => (this.failure ??= e));
      await this.bound(answer);
    }
  }

  /** Keeps an answer nobody awaits; waits for the oldest once more than MAX_BACKLOG are kept. */
  private async bound(answer: Promise<unknown>): Promise<void> {
    // A slow disk under the worker's spills must not let key copies pile up without bound.
    this.backlog.push(answer);
    if (this.backlog.length > MAX_BACKLOG) await this.backlog.shift()!.catch(() => {});
  }

  /** Removes the finder and its temporary files; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.held = undefined;
    if (!this.worker) return;
    try {
      await this.starting;
      await this.opened;
      await this.worker.request({ op: 'close', finder: this.finder });
    } catch {
      // A worker that stopped took its finders with it; only its temporary folder may remain.
    }
  }
}
