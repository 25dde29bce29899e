/**
 * Runs an async iterable up to `depth` items ahead of its consumer, so the reader prepares the
 * next batches while the writer sends the current one. Memory stays bounded by `depth`, and,
 * when `bytes` is given, by a byte budget as well: batches of wide rows (768 floats make a
 * 10,000-row batch 29 MiB) are read fewer ahead, down to one.
 */
export interface PrefetchBudget<T> {
  /** Bytes the items read ahead may hold in all (at least one item is always read ahead). */
  readonly maxBytes: number;
  /** The bytes an item holds. */
  readonly weigh: (item: T) => number;
}

export async function* prefetch<T>(source: AsyncIterable<T>, depth: number, bytes?: PrefetchBudget<T>): AsyncGenerator<T> {
  if (depth <= 0) {
    yield* source;
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Promise<IteratorResult<T>>[] = [];
  let exhausted = false;
  // Reads kept in flight: depth + 1 until an item's size is known, then as many as the budget holds.
  let inFlight = depth + 1;
  const pull = () => {
    // Each next() is chained on the previous one: async iterators are not re-entrant.
    const previous = buffered[buffered.length - 1];
    const next = previous ? previous.then((r) => (r.done ? r : iterator.next())) : iterator.next();
    // A rejection is observed by the consumer when it reaches this slot; silence the early warning.
    next.catch(() => {});
    buffered.push(next);
  };
  try {
    for (let i = 0; i < inFlight; i++) pull();
    while (!exhausted) {
      const result = await buffered.shift()!;
      if (result.done) {
        exhausted = true;
        break;
      }
      if (bytes) {
        // The latest item stands for the next ones: sources yield batches of one size.
        const weight = bytes.weigh(result.value);
        inFlight = weight > 0 ? Math.max(1, Math.min(depth + 1, Math.floor(bytes.maxBytes / weight))) : depth + 1;
      }
      while (buffered.length < inFlight) pull();
      yield result.value;
    }
  } finally {
    if (!exhausted) {
      // Wait for reads in flight before asking the source to close, or it would close mid-read.
      await Promise.allSettled(buffered);
      await iterator.return?.();
    }
  }
}
