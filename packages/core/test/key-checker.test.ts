/**
 * The repeated-key check in its worker thread: the same answers as the finder it wraps, for
 * several streams at once, from views into larger buffers; and a process that never closes its
 * checker still ends (the worker must not keep it alive).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KeyChecker } from '../src/pipeline/key-checker.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('KeyChecker', () => {
  it('agrees with an exact Set for two interleaved streams, spilling runs, with keys taken from views', async () => {
    const random = rng(11);
    const streams = [new KeyChecker(5_000), new KeyChecker(5_000)];
    const exact = [new Set<bigint>(), new Set<bigint>()];
    let repeats = 0;
    try {
      for (let b = 0; b < 12; b++) {
        for (const s of [0, 1]) {
          // A view into the middle of a larger buffer, as readers hand out.
          const backing = new BigInt64Array(4_002);
          const values = backing.subarray(1, 4_001);
          for (let i = 0; i < values.length; i++) {
            values[i] = random() < 0.05 && b > 0 ? BigInt(Math.floor(random() * b * 4_000)) : BigInt(b * 4_000 + i) * (s === 0 ? 1n : -3n);
          }
          if (b % 2 === 1) values.reverse(); // leaves the ascending fast path
          const repeated = await streams[s]!.check({ type: 'int64', values });
          expect(repeated.length).toBe(values.length);
          for (let i = 0; i < values.length; i++) {
            const dup = exact[s]!.has(values[i]!);
            exact[s]!.add(values[i]!);
            if (dup) repeats++;
            if (!!repeated[i] !== dup) throw new Error(`stream ${s}, batch ${b}, row ${i}, key ${values[i]}: worker says ${repeated[i]}`);
          }
        }
      }
    } finally {
      await Promise.all(streams.map((c) => c.close()));
    }
    expect(repeats).toBeGreaterThan(1_000);
  });

  it('checks varchar keys, and a closed checker can be closed again', async () => {
    const checker = new KeyChecker();
    expect([...(await checker.check({ type: 'varchar', values: ['a', 'b', 'a', 'é'] }))]).toEqual([0, 0, 1, 0]);
    expect([...(await checker.check({ type: 'varchar', values: ['c', 'é', 'b'] }))]).toEqual([0, 1, 1]);
    await checker.close();
    await checker.close();
  });

  it('several checks in flight are answered in stream order', async () => {
    const checker = new KeyChecker();
    const batches = [1n, 2n, 1n, 3n].map((k) => checker.check({ type: 'int64', values: BigInt64Array.from([k]) }));
    expect((await Promise.all(batches)).map((r) => r[0])).toEqual([0, 0, 1, 0]);
    await checker.close();
  });

  it('answers ascending batches at once, and still finds their keys once the order breaks', async () => {
    const checker = new KeyChecker(4);
    const check = async (...keys: bigint[]) => [...(await checker.check({ type: 'int64', values: BigInt64Array.from(keys) }))];
    try {
      expect(await check(-(2n ** 63n), -5n, 1n)).toEqual([0, 0, 0]);
      expect(await check(2n, 3n, 2n ** 40n)).toEqual([0, 0, 0]);
      // Equal to the last key: not ascending, so the worker is asked, and knows it.
      expect(await check(2n ** 40n, 2n ** 40n + 1n)).toEqual([1, 0]);
      expect(await check(7n, -5n, 3n, -(2n ** 63n), 8n)).toEqual([0, 1, 1, 1, 0]);
    } finally {
      await checker.close();
    }
  });

  it('starts no worker for keys that stay in order, consecutive or not', async () => {
    const consecutive = new KeyChecker();
    const spaced = new KeyChecker(undefined, undefined, 50_000);
    try {
      for (let b = 0; b < 30; b++) {
        const values = new BigInt64Array(10_000);
        for (let i = 0; i < values.length; i++) values[i] = BigInt(b * 10_000 + i) + 2n ** 32n - 7n; // crosses a word boundary
        expect((await consecutive.check({ type: 'int64', values })).every((r) => r === 0)).toBe(true);
        if (b < 5) {
          for (let i = 0; i < values.length; i++) values[i] = BigInt(b * 20_000 + i * 2);
          expect((await spaced.check({ type: 'int64', values })).every((r) => r === 0)).toBe(true);
        }
      }
      expect(consecutive.workerStarted).toBe(false);
      expect(spaced.workerStarted).toBe(false);
    } finally {
      await consecutive.close();
      await spaced.close();
    }
  });

  it.each([
    ['runs of consecutive keys, across a 32-bit word', (b: number, i: number) => BigInt(b * 1_000 + i) + 2n ** 32n - 3_500n],
    ['keys far apart, past the copies held', (b: number, i: number) => BigInt(b * 3_000 + i * 3) * 2n ** 20n],
  ])('finds a repeat of a key held before the worker started: %s', async (_, key) => {
    // 1,000 keys a batch, at most 2,500 held as copies: the second kind starts the worker at batch 3.
    const checker = new KeyChecker(700, undefined, 2_500);
    const exact = new Set<bigint>();
    try {
      for (let b = 0; b < 8; b++) {
        const values = new BigInt64Array(1_000);
        for (let i = 0; i < values.length; i++) values[i] = key(b, i);
        expect((await checker.check({ type: 'int64', values })).every((r) => r === 0)).toBe(true);
        for (const v of values) exact.add(v);
      }
      // Out of order: every held key is looked for, the first batch's (runs replayed, copies sent) too.
      const probe = BigInt64Array.from([key(0, 0), key(7, 999) + 1n, key(3, 500), key(0, 999), -(2n ** 63n), key(5, 1)]);
      const repeated = [...(await checker.check({ type: 'int64', values: probe }))];
      expect(repeated).toEqual([...probe].map((k) => (exact.has(k) ? 1 : 0)));
      expect(repeated).toEqual([1, 0, 1, 1, 0, 1]);
      expect(checker.workerStarted).toBe(true);
    } finally {
      await checker.close();
    }
  });

  it('keeps checks begun together in stream order while the worker starts', async () => {
    const checker = new KeyChecker(undefined, undefined, 4);
    // Two ascending batches held, the third out of order starts the worker; the rest are in flight meanwhile.
    const batches = [[1n, 2n], [3n, 5n], [2n, 9n], [9n], [4n, 1n, 10n]].map((keys) =>
      checker.check({ type: 'int64', values: BigInt64Array.from(keys) }),
    );
    expect((await Promise.all(batches)).map((r) => [...r])).toEqual([[0, 0], [0, 0], [1, 0], [1], [0, 1, 0]]);
    await checker.close();
  });

  it('does not keep the process alive when a checker is left open', () => {
    const module = fileURLToPath(new URL('../dist/pipeline/key-checker.js', import.meta.url));
    const script = `const { KeyChecker } = await import(${JSON.stringify(module)});
      const c = new KeyChecker();
      const r = await c.check({ type: 'int64', values: BigInt64Array.from([5n, 5n]) });
      console.log(r.join(','));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('0,1');
    expect(child.status).toBe(0);
  });
});
