/**
 * Runs an async iterable up to `depth` items ahead of its consumer, so the reader prepares the
 * next batches while the writer sends the current one. Memory stays bounded by `depth`.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  if (depth <= 0) {
    yield* source;
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Promise<IteratorResult<T>>[] = [];
  let exhausted = false;
  const pull = () => {
    // Each next() is chained on the previous one: async iterators are not re-entrant.
    const previous = buffered[buffered.length - 1];
    const next = previous ? previous.then((r) => (r.done ? r : iterator.next())) : iterator.next();
    // A rejection is observed by the consumer when it reaches this slot; silence the early warning.
    next.catch(() => {});
    buffered.push(next);
  };
  try {
    for (let i = 0; i < depth + 1; i++) pull();
    while (!exhausted) {
      const result = await buffered.shift()!;
      if (result.done) {
        exhausted = true;
        break;
      }
      pull();
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
