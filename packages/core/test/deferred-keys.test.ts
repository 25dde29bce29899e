/**
 * The repeated-key check at the end of a stream (for targets that publish only then), compared
 * with an exact Map on streams that spill to disk, start in ascending order and leave it, carry
 * dropped rows and int64 extremes; and the screen that uses it.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ColumnBatch } from '../src/batch.js';
import type { Logger } from '../src/logger.js';
import { DeferredKeyCheck, locateRepeat, type RepeatedKey } from '../src/pipeline/deferred-keys.js';
import { BatchScreen } from '../src/pipeline/validate.js';
import type { DatasetWriter, SourceDataset } from '../src/plugin.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

type Batch = { keys: BigInt64Array; dropped?: Uint8Array };

/**
 * What the check must answer, from Maps of every key: the first row whose key an earlier row has
 * (a dropped row never being that row), and how many distinct keys two or more written rows hold.
 */
function exactAnswer(batches: readonly Batch[]): { first: RepeatedKey | undefined; repeatedKeys: number } {
  const firstRow = new Map<bigint, number>();
  const written = new Map<bigint, number>();
  let row = 0;
  let first: RepeatedKey | undefined;
  for (const { keys, dropped } of batches) {
    for (let i = 0; i < keys.length; i++, row++) {
      const earlier = firstRow.get(keys[i]!);
      if (earlier === undefined) firstRow.set(keys[i]!, row);
      else if (!dropped?.[i]) first ??= { row, earlierRow: earlier, key: String(keys[i]) };
      if (!dropped?.[i]) written.set(keys[i]!, (written.get(keys[i]!) ?? 0) + 1);
    }
  }
  return { first, repeatedKeys: [...written.values()].filter((n) => n > 1).length };
}

async function* columns(batches: readonly Batch[]) {
  for (const { keys } of batches) yield { type: 'int64' as const, values: keys };
}

/** The check's answer: its suspects at the end, then the rows found by reading the keys again. */
async function run(check: DeferredKeyCheck, batches: readonly Batch[]): Promise<{ first: RepeatedKey | undefined; repeatedKeys: number }> {
  let row = 0;
  for (const { keys, dropped } of batches) {
    check.add({ type: 'int64', values: keys }, row, dropped);
    row += keys.length;
  }
  const suspects = check.finish();
  if (!suspects) return { first: undefined, repeatedKeys: 0 };
  return { first: await locateRepeat(suspects, columns(batches)), repeatedKeys: suspects.repeatedKeys };
}

const sizes = [
  ['announced, in memory', (n: number) => new DeferredKeyCheck(n)],
  ['not announced, in memory', () => new DeferredKeyCheck()],
  ['announced, spilled in small chunks', (n: number) => new DeferredKeyCheck(n, { bufferKeys: 3_000, orderedKeys: 5_000 })],
  ['not announced, spilled in small chunks', () => new DeferredKeyCheck(undefined, { bufferKeys: 3_000, orderedKeys: 5_000 })],
] as const;

describe.each(sizes)('DeferredKeyCheck (%s)', (_label, make) => {
  it('agrees with an exact Map on random streams: ascending at first, then in no order, with dropped rows', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = rng(seed);
      const batches: Batch[] = [];
      const orderedBatches = Math.floor(random() * 4);
      let next = -(2n ** 63n); // the int64 ends are keys too
      let total = 0;
      for (let b = 0; b < 10; b++) {
        const keys = new BigInt64Array(1 + Math.floor(random() * 4_000));
        for (let i = 0; i < keys.length; i++) {
          if (b < orderedBatches) {
            keys[i] = next;
            next += BigInt(1 + Math.floor(random() * 1e12));
          } else if (random() < 0.0005 * seed) {
            // A repeat of any earlier key, rarely: some seeds have none.
            keys[i] = BigInt(Math.floor(random() * (total + i))) * 977n;
          } else keys[i] = BigInt(Math.floor(random() * 2 ** 52)) * 977n + 2n ** 62n;
        }
        if (b === 9 && seed % 3 === 0) keys[keys.length - 1] = 2n ** 63n - 1n;
        // Dropped rows only after the ascending batches: a dropped ascending key counts as written in repeatedKeys.
        const dropped = b >= orderedBatches && random() < 0.5 ? Uint8Array.from(keys, () => (random() < 0.1 ? 1 : 0)) : undefined;
        batches.push(dropped ? { keys, dropped } : { keys });
        total += keys.length;
      }
      // Seeds 4, 8, 12: the first batch's keys again at the end (the ascending ones, when there are).
      if (seed % 4 === 0) batches.push({ keys: batches[0]!.keys.slice(0, 3) });
      const check = make(total);
      try {
        expect(await run(check, batches), `seed ${seed}`).toEqual(exactAnswer(batches));
      } finally {
        check.close();
      }
    }
  });

  it('a stream that stays in ascending order has no repeat; a repeat of its last key is found', async () => {
    const batches = [0, 1, 2].map((b) => ({ keys: BigInt64Array.from({ length: 4_000 }, (_, i) => BigInt(b * 4_000 + i) - 5_000n) }));
    const clean = make(12_000);
    try {
      expect(await run(clean, batches)).toEqual({ first: undefined, repeatedKeys: 0 });
    } finally {
      clean.close();
    }
    const repeated = make(12_001);
    try {
      expect(await run(repeated, [...batches, { keys: BigInt64Array.of(6_999n) }])).toEqual({
        first: { row: 12_000, earlierRow: 11_999, key: '6999' },
        repeatedKeys: 1,
      });
    } finally {
      repeated.close();
    }
  });

  it('ascending keys, spilled or not, are all remembered when the order breaks', async () => {
    const ordered = [0, 1, 2].map((b) => ({ keys: BigInt64Array.from({ length: 4_000 }, (_, i) => BigInt(b * 4_000 + i) * 11n) }));
    // Out of order at once; repeats the very first key, then one from the middle batch.
    const broken = { keys: BigInt64Array.of(5n, 0n, 7n, 4_400n * 11n) };
    const check = make(12_004);
    try {
      expect(await run(check, [...ordered, broken])).toEqual({ first: { row: 12_001, earlierRow: 0, key: '0' }, repeatedKeys: 2 });
    } finally {
      check.close();
    }
  });

  it('finds repeated varchar keys, and names them when the keys are read again', async () => {
    const check = make(6);
    const batches = [
      { type: 'varchar' as const, values: ['a', 'b', 'é'] },
      { type: 'varchar' as const, values: ['c', 'é', 'b'] },
    ];
    try {
      check.add(batches[0]!, 0);
      check.add(batches[1]!, 3);
      const suspects = check.finish()!;
      expect(suspects.repeatedKeys).toBe(2);
      expect(
        await locateRepeat(
          suspects,
          (async function* () {
            yield* batches;
          })(),
        ),
      ).toEqual({ row: 4, earlierRow: 2, key: 'é' });
    } finally {
      check.close();
    }
  });

  it('a key whose only repeats are dropped rows is not reported; one dropped first and written later is', async () => {
    const check = make(8);
    try {
      // 7: row 0, dropped again at row 4. 9: dropped at row 2, written at row 6.
      const batches: Batch[] = [
        { keys: BigInt64Array.of(7n, 5n, 9n, 1n), dropped: Uint8Array.of(0, 0, 1, 0) },
        { keys: BigInt64Array.of(7n, 3n, 9n, 2n), dropped: Uint8Array.of(1, 0, 0, 0) },
      ];
      expect(await run(check, batches)).toEqual({ first: { row: 6, earlierRow: 2, key: '9' }, repeatedKeys: 0 });
    } finally {
      check.close();
    }
  });
});

describe('DeferredKeyCheck temporary files', () => {
  it('spills to a temporary folder that close() removes', () => {
    const check = new DeferredKeyCheck(undefined, { bufferKeys: 1_000, orderedKeys: 1_000 });
    const keys = BigInt64Array.from({ length: 20_000 }, (_, i) => BigInt((i * 7919) % 20_000));
    check.add({ type: 'int64', values: keys }, 0);
    const dir = (check as unknown as { dir: string | undefined }).dir;
    expect(dir && existsSync(dir)).toBe(true);
    expect(check.finish()).toBeUndefined();
    check.close();
    expect(existsSync(dir!)).toBe(false);
    check.close();
  });
});

describe('DeferredKeyCheck temporary files, failing', () => {
  it('a temporary folder that cannot be made is one MDM_IO line naming it', () => {
    // A file where the folder should be: mkdtemp fails with ENOTDIR (as root too, unlike permissions).
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'milvusdm-test-')), 'file');
    writeFileSync(notAFolder, '');
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = notAFolder;
    try {
      const check = new DeferredKeyCheck(undefined, { bufferKeys: 100 });
      const keys = BigInt64Array.from({ length: 1_000 }, (_, i) => BigInt((i * 7919) % 1_000));
      let error: unknown;
      try {
        check.add({ type: 'int64', values: keys }, 0);
      } catch (e) {
        error = e;
      }
      check.close();
      expect((error as { code?: string }).code).toBe('MDM_IO');
      expect((error as Error).message).toMatch(/^the repeated-key check's temporary file in .*file: .*a part of the path is not a folder$/);
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
  });
});

describe('BatchScreen with a target that publishes at its end', () => {
  const schema = {
    name: 'c',
    fields: [
      { name: 'id', type: 'int64', isPrimaryKey: true },
      { name: 'v', type: 'float_vector', dim: 1 },
    ],
  } as const;
  const batchOf = (ids: number[], cursor: number): ColumnBatch => ({
    numRows: ids.length,
    columns: new Map([
      ['id', { type: 'int64', values: BigInt64Array.from(ids, BigInt) }],
      ['v', { type: 'float_vector', dim: 1, values: Float32Array.from(ids) }],
    ]),
    cursor: { at: cursor },
  });
  const dataset = (batches: ColumnBatch[]): SourceDataset => ({
    key: 'x',
    origin: 'file /data/x.h5',
    collection: 'c',
    schema,
    rows: batches.reduce((n, b) => n + b.numRows, 0),
    async *batches() {
      yield* batches;
    },
  });
  const fileWriter: DatasetWriter = { write: async () => ({ rows: 0 }), storesNonFinite: true, publishesAtEnd: true };

  it('writes every batch, then refuses the repeat at the end, naming both rows and the key', async () => {
    const b1 = batchOf([5, 9, 2], 3);
    const b2 = batchOf([7, 9, 1], 6);
    const screen = new BatchScreen(dataset([b1, b2]), { onInvalid: 'fail', duplicates: 'fail', existingKeys: 'fail' }, fileWriter, silent);
    try {
      expect(await screen.screen(b1)).toBe(b1);
      expect(await screen.screen(b2)).toBe(b2);
      await expect(screen.finish(10, new AbortController().signal)).rejects.toThrow(
        /file \/data\/x.h5: row 4 \(id 9\): the key occurs more than once in the source \(row 1 has it too\)/,
      );
    } finally {
      await screen.close();
    }
  });

  it('a source that no longer holds the repeat when read again still fails, naming the key', async () => {
    const first = [batchOf([5, 9, 2], 3), batchOf([7, 9, 1], 6)];
    const changed = [batchOf([5, 9, 2], 3), batchOf([7, 8, 1], 6)];
    let reads = 0;
    // A live source changed between the run's read and the second one.
    const live: SourceDataset = {
      ...dataset(first),
      async *batches() {
        yield* reads++ === 0 ? first : changed;
      },
    };
    const screen = new BatchScreen(live, { onInvalid: 'fail', duplicates: 'fail', existingKeys: 'fail' }, fileWriter, silent);
    try {
      for await (const b of live.batches({ batchRows: 10 })) await screen.screen(b);
      await expect(screen.finish(10, new AbortController().signal)).rejects.toThrow(
        /id 9 occurs more than once among the rows written, but reading the source's keys again found no such repeat/,
      );
    } finally {
      await screen.close();
    }
  });

  it('a resumed run remembers the keys of the rows before its cursor', async () => {
    const b1 = batchOf([5, 9, 2], 3);
    const b2 = batchOf([7, 2], 5);
    const screen = new BatchScreen(dataset([b1, b2]), { onInvalid: 'fail', duplicates: 'fail', existingKeys: 'fail' }, fileWriter, silent);
    try {
      await screen.prepare(10, new AbortController().signal, 3);
      expect(await screen.screen(b2)).toBe(b2);
      await expect(screen.finish(10, new AbortController().signal)).rejects.toThrow(/row 4 \(id 2\): .* \(row 2 has it too\)/);
    } finally {
      await screen.close();
    }
  });

  it('a repeat whose row is skipped as invalid is not reported; duplicates: first still answers batch by batch', async () => {
    const b1 = batchOf([5, 9], 2);
    const b2: ColumnBatch = { ...batchOf([9, 3], 4) };
    (b2.columns.get('v')!.values as Float32Array)[0] = NaN;
    const server: DatasetWriter = { write: async () => ({ rows: 0 }), publishesAtEnd: true };
    const skipping = new BatchScreen(dataset([b1, b2]), { onInvalid: 'skip', duplicates: 'fail', existingKeys: 'fail' }, server, silent);
    try {
      await skipping.screen(b1);
      expect((await skipping.screen(b2)).numRows).toBe(1);
      await skipping.finish(10, new AbortController().signal);
    } finally {
      await skipping.close();
    }
    const first = new BatchScreen(dataset([b1, b1]), { onInvalid: 'fail', duplicates: 'first', existingKeys: 'fail' }, fileWriter, silent);
    try {
      await first.screen(b1);
      expect((await first.screen(b1)).numRows).toBe(0);
      await first.finish(10, new AbortController().signal);
    } finally {
      await first.close();
    }
  });
});
