/** Chunk sizes (h5-out.ts `chunkEntries`): under 1 MiB, and along batch boundaries where a divisor is near that. */
import { describe, expect, it } from 'vitest';
import { chunkEntries } from '../src/h5-out.js';

describe('chunkEntries', () => {
  it('cuts 10,000-row batches of 128 float32 into chunks of 2,000 rows (5 a batch)', () => {
    expect(chunkEntries(512, 10_000, true)).toBe(2_000);
  });

  it('takes a divisor of the batch for wide rows too', () => {
    // 768 float32: at most 341 rows a MiB; 250 divides 10,000.
    expect(chunkEntries(3072, 10_000, true)).toBe(250);
    expect(chunkEntries(512, 8_192, true)).toBe(1_024);
  });

  it('fits a whole number of small batches in a chunk', () => {
    expect(chunkEntries(512, 300, true)).toBe(1_800);
    expect(chunkEntries(8, 10_000, true)).toBe(60_000);
  });

  it('keeps just under 1 MiB where no divisor is near it, for element parts, or with no batch size known', () => {
    // 10,007 is prime.
    expect(chunkEntries(512, 10_007, true)).toBe(2_047);
    expect(chunkEntries(512, 10_000, false)).toBe(2_047);
    expect(chunkEntries(512, undefined, true)).toBe(2_047);
    expect(chunkEntries(8, undefined, true)).toBe(65_536);
    // An entry larger than a chunk: one entry a chunk.
    expect(chunkEntries(4 << 20, 10_000, true)).toBe(1);
  });
});
