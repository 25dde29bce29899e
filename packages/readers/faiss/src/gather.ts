/**
 * A batch's scattered ranges (the codes and ids of each inverted list it takes from), read all at
 * once: the reads run side by side on libuv's threads while the main thread writes the previous
 * batch, where reading them one after another left it waiting on each in turn. Large ranges are
 * read straight into their destination; runs of small ranges close together (the lists of an
 * index with many small lists) as one read into a scratch span, copied out, so a batch of small
 * lists costs a few system calls, not thousands.
 */
import { sourceError, type RandomAccessFile } from './byte-reader.js';

/** One range of the file, to land in `target` (its length is the range's). */
export interface RangeRead {
  readonly position: number;
  readonly target: Uint8Array;
}

/** Ranges at least this long are read straight into their target. */
const DIRECT_BYTES = 64 * 1024;
/** Small ranges at most this far apart share one read (the bytes between are read and dropped). */
const MERGE_GAP = 64 * 1024;
/** One shared read spans at most this many bytes. */
const SPAN_BYTES = 4 * 1024 * 1024;

interface Span {
  readonly start: number;
  end: number;
  readonly members: RangeRead[];
}

/** Groups `ranges` into reads: a span per large range, small ranges near each other sharing one. */
export function planSpans(ranges: readonly RangeRead[]): Span[] {
  const sorted = [...ranges].sort((a, b) => a.position - b.position);
  const spans: Span[] = [];
  let open: Span | undefined;
  for (const range of sorted) {
    const end = range.position + range.target.byteLength;
    if (range.target.byteLength >= DIRECT_BYTES) {
      spans.push({ start: range.position, end, members: [range] });
      continue;
    }
    if (open && range.position - open.end <= MERGE_GAP && end - open.start <= SPAN_BYTES) {
      open.end = Math.max(open.end, end);
      open.members.push(range);
      continue;
    }
    open = { start: range.position, end, members: [range] };
    spans.push(open);
  }
  return spans;
}

/** Fills every range's target from `file`; a range past the end of the file is a truncated file. */
export async function readRanges(file: RandomAccessFile, ranges: readonly RangeRead[]): Promise<void> {
  for (const { position, target } of ranges) {
    if (position + target.byteLength > file.size) {
      throw sourceError(
        file.path,
        `the file ends early (truncated?): expected ${target.byteLength} bytes at offset ${position}, but the file has ${file.size}`,
      );
    }
  }
  await Promise.all(
    planSpans(ranges.filter((r) => r.target.byteLength > 0)).map(async (span) => {
      if (span.members.length === 1) {
        await file.readInto(span.members[0]!.target, span.start);
        return;
      }
      const scratch = new Uint8Array(span.end - span.start);
      await file.readInto(scratch, span.start);
      for (const { position, target } of span.members) {
        target.set(scratch.subarray(position - span.start, position - span.start + target.byteLength));
      }
    }),
  );
}
