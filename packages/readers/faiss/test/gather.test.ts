/**
 * The batch's ranges read all at once (gather.ts): which ranges share a read, and that every
 * target ends up holding exactly its bytes of the file, whatever the mix of sizes, gaps and
 * order — compared with the file's bytes sliced directly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@milvusdm/testing';
import { RandomAccessFile } from '../src/byte-reader.js';
import { planSpans, readRanges, type RangeRead } from '../src/gather.js';

const KiB = 1024;
const dir = tempDir('milvusdm-faiss-gather-');

function range(position: number, bytes: number): RangeRead {
  return { position, target: new Uint8Array(bytes) };
}

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('planSpans', () => {
  it('reads a large range alone, and small ranges close together as one', () => {
    const spans = planSpans([range(0, 512 * KiB), range(512 * KiB, 8 * KiB), range(520 * KiB, 4 * KiB), range(524 * KiB, 2 * KiB)]);
    expect(spans.map((s) => [s.start, s.end, s.members.length])).toEqual([
      [0, 512 * KiB, 1],
      [512 * KiB, 526 * KiB, 3],
    ]);
  });

  it('does not join small ranges far apart, or past the span limit', () => {
    const far = planSpans([range(0, KiB), range(KiB + 64 * KiB + 1, KiB)]);
    expect(far).toHaveLength(2);
    const near = planSpans([range(0, KiB), range(KiB + 64 * KiB, KiB)]);
    expect(near).toHaveLength(1);
    // 70 small ranges of 60 KiB back to back: 4 MiB holds 68 of them.
    const many = planSpans(Array.from({ length: 70 }, (_, i) => range(i * 60 * KiB, 60 * KiB)));
    expect(many.map((s) => s.members.length)).toEqual([68, 2]);
  });

  it('orders ranges by position whatever order they come in', () => {
    const spans = planSpans([range(10 * KiB, KiB), range(0, KiB), range(5 * KiB, KiB)]);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.start).toBe(0);
    expect(spans[0]!.end).toBe(11 * KiB);
  });
});

describe('readRanges', () => {
  const bytes = new Uint8Array(3 * 1024 * KiB);
  const next = random(7);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
  const path = join(dir, 'data.bin');
  writeFileSync(path, bytes);

  it.each([1, 2, 3, 4, 5, 6])('fills every target with its bytes (seed %i)', async (seed) => {
    const draw = random(seed);
    const ranges: RangeRead[] = [];
    for (let i = 0; i < 200; i++) {
      // Mostly small ranges, some past the direct-read size, some overlapping others, some empty.
      const size = draw() < 0.1 ? Math.floor(draw() * 300 * KiB) : Math.floor(draw() * 9 * KiB);
      const position = Math.floor(draw() * (bytes.length - size));
      ranges.push(range(position, size));
    }
    const file = await RandomAccessFile.open(path);
    try {
      await readRanges(file, ranges);
    } finally {
      await file.close();
    }
    for (const { position, target } of ranges) {
      expect(Buffer.from(target).equals(Buffer.from(bytes.subarray(position, position + target.byteLength)))).toBe(true);
    }
  });

  it('names the file when a range runs past its end', async () => {
    const file = await RandomAccessFile.open(path);
    try {
      await expect(readRanges(file, [range(0, KiB), range(bytes.length - 10, 20)])).rejects.toThrow(
        `${path}: the file ends early (truncated?): expected 20 bytes at offset ${bytes.length - 10}`,
      );
    } finally {
      await file.close();
    }
  });
});
