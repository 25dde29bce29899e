/**
 * The validation stage and the bounded-memory duplicate finder, on batches built here (pure:
 * no server). The duplicate finder is compared with an exact Set on streams large enough to
 * spill several runs to disk.
 */
import { describe, expect, it } from 'vitest';
import type { ColumnBatch, Column } from '../src/batch.js';
import { DuplicateFinder } from '../src/pipeline/duplicates.js';
import { BatchScreen, checkDatasetSchema } from '../src/pipeline/validate.js';
import type { CollectionSchema } from '../src/schema.js';
import type { DatasetWriter, SourceDataset } from '../src/plugin.js';
import type { Logger } from '../src/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * The keys a stream announces (a file's row count) or none (a live read): a stream announced
 * larger than the window puts its keys into the filter as they arrive, one of unknown length at
 * each spill. Both ways must give the same answers.
 */
const announcements = [
  ['keys not announced: the filter filled at each spill', (_keys: number): number | undefined => undefined],
  ['keys announced: the filter filled as they arrive', (keys: number): number | undefined => keys],
] as const;

describe.each(announcements)('DuplicateFinder (%s)', (_label, announce) => {
  it('agrees with an exact Set on 300k keys (12 runs spilled to disk), int64 extremes included', () => {
    const random = rng(7);
    const finder = new DuplicateFinder(25_000, announce(300_000));
    const exact = new Set<bigint>();
    let found = 0;
    let expected = 0;
    try {
      for (let b = 0; b < 15; b++) {
        const values = new BigInt64Array(20_000);
        for (let i = 0; i < values.length; i++) {
          // ~2 % repeats of earlier keys, spread over every earlier run, plus the int64 ends.
          values[i] =
            random() < 0.02 && exact.size > 0 ? BigInt(Math.floor(random() * b * 20_000)) * 7919n : BigInt(b * 20_000 + i) * 7919n;
        }
        if (b === 3) values[5] = -(2n ** 63n);
        if (b === 9) values[6] = -(2n ** 63n);
        if (b === 4) values[7] = 2n ** 63n - 1n;
        if (b === 14) values[8] = 2n ** 63n - 1n;
        const repeated = finder.check({ type: 'int64', values });
        for (let i = 0; i < values.length; i++) {
          const dup = exact.has(values[i]!);
          if (dup) expected++;
          exact.add(values[i]!);
          if (repeated[i]) found++;
          if (!!repeated[i] !== dup) throw new Error(`disagreement at batch ${b} row ${i} key ${values[i]}`);
        }
      }
    } finally {
      finder.close();
    }
    expect(found).toBe(expected);
    expect(expected).toBeGreaterThan(4_000);
  }, 60_000);

  /** Checks `batches` against an exact Set, batch by batch; returns the repeats found. */
  function agreesWithSet(finder: DuplicateFinder, batches: readonly BigInt64Array[]): number {
    const exact = new Set<bigint>();
    let found = 0;
    batches.forEach((values, b) => {
      const repeated = finder.check({ type: 'int64', values });
      for (let i = 0; i < values.length; i++) {
        const dup = exact.has(values[i]!);
        exact.add(values[i]!);
        if (repeated[i]) found++;
        if (!!repeated[i] !== dup) throw new Error(`disagreement at batch ${b} row ${i} key ${values[i]}`);
      }
    });
    return found;
  }

  it('keys in ascending order (spilled as runs without a sort), then out of order: every repeat found, none invented', () => {
    const random = rng(11);
    const finder = new DuplicateFinder(25_000, announce(200_000));
    try {
      // 120k ascending keys from -2^63 up (several runs written straight from the buffer) ...
      const ascending = Array.from({ length: 6 }, (_, b) =>
        BigInt64Array.from({ length: 20_000 }, (_, i) => -(2n ** 63n) + BigInt(b * 20_000 + i) * 76_000_000_000_003n),
      );
      // ... then keys out of order: a third repeat earlier ones (from every run and the buffer), the rest new.
      const mixed = Array.from({ length: 4 }, () =>
        BigInt64Array.from({ length: 20_000 }, () =>
          random() < 0.33
            ? -(2n ** 63n) + BigInt(Math.floor(random() * 120_000)) * 76_000_000_000_003n
            : BigInt(Math.floor(random() * 2 ** 52)) * 2n + 1n,
        ),
      );
      const found = agreesWithSet(finder, [...ascending, ...mixed]);
      expect(found).toBeGreaterThan(20_000);
    } finally {
      finder.close();
    }
  }, 60_000);

  it('a repeat of the last ascending key, and a key below the first, are told apart exactly', () => {
    for (const tail of [
      [5n, 5n],
      [5n, 4n, 1n],
      [9n, -1n, 3n, 9n],
    ]) {
      const finder = new DuplicateFinder(4, announce(8));
      try {
        agreesWithSet(finder, [BigInt64Array.from([1n, 2n, 3n]), BigInt64Array.from([4n, ...tail])]);
      } finally {
        finder.close();
      }
    }
    const only = new DuplicateFinder();
    try {
      expect([...only.check({ type: 'int64', values: BigInt64Array.from([-(2n ** 63n), -(2n ** 63n), 2n ** 63n - 1n]) })]).toEqual([
        0, 1, 0,
      ]);
    } finally {
      only.close();
    }
  });

  it('keys with a zero word (0 itself, 2^32, 1, -2^32) are held exactly: the window marks empty slots with zero words', () => {
    const special = [0n, 1n << 32n, 1n, -(1n << 32n), -1n];
    for (const windowKeys of [3, 1 << 20]) {
      const finder = new DuplicateFinder(windowKeys, announce(16));
      try {
        // Out of order from the start, then again after spills (windowKeys 3), then mixed with other keys.
        const found = agreesWithSet(finder, [
          BigInt64Array.from([...special].reverse()),
          BigInt64Array.from(special),
          BigInt64Array.from([7n, 0n, 9n, 1n << 32n, 11n, 0n]),
        ]);
        expect(found).toBe(special.length + 2 + 1);
      } finally {
        finder.close();
      }
    }
  });

  it('finds repeated varchar keys, within one batch and across batches', () => {
    const finder = new DuplicateFinder();
    const a = finder.check({ type: 'varchar', values: ['a', 'b', 'a', 'é'] });
    const b = finder.check({ type: 'varchar', values: ['c', 'é', 'b'] });
    finder.close();
    expect([...a]).toEqual([0, 0, 1, 0]);
    expect([...b]).toEqual([0, 1, 1]);
  });
});

const schema: CollectionSchema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true },
    { name: 'v', type: 'float_vector', dim: 2 },
    { name: 'h', type: 'float16_vector', dim: 1 },
    { name: 's', type: 'varchar', maxLength: 4 },
  ],
};

function batch(ids: number[], vectors: number[], halves: number[], strings: string[]): ColumnBatch {
  const columns = new Map<string, Column>([
    ['id', { type: 'int64', values: BigInt64Array.from(ids.map(BigInt)) }],
    ['v', { type: 'float_vector', dim: 2, values: Float32Array.from(vectors) }],
    ['h', { type: 'float16_vector', dim: 1, values: Uint16Array.from(halves) }],
    ['s', { type: 'varchar', values: strings }],
  ]);
  return { numRows: ids.length, columns, cursor: { at: ids.length } };
}

function dataset(batches: ColumnBatch[]): SourceDataset {
  return {
    key: 'k',
    collection: 'c',
    schema,
    origin: 'file /data/x.h5',
    async *batches() {
      yield* batches;
    },
  };
}

const writer: DatasetWriter = { write: async () => ({ rows: 0 }) };
const opts = (
  o: Partial<{ onInvalid: 'fail' | 'skip'; duplicates: 'fail' | 'first' | 'last'; existingKeys: 'fail' | 'skip' | 'upsert' }>,
) => ({
  onInvalid: 'fail' as const,
  duplicates: 'fail' as const,
  existingKeys: 'fail' as const,
  ...o,
});

describe('BatchScreen', () => {
  const good = batch([1, 2], [1, 2, 3, 4], [0x3c00, 0x4000], ['ab', 'cd']);

  it('passes a clean batch through unchanged', async () => {
    const screen = new BatchScreen(dataset([good]), opts({}), writer, silent);
    expect(await screen.screen(good)).toBe(good);
    await screen.close();
  });

  it.each([
    ['NaN in a float vector', batch([1, 2], [1, NaN, 3, 4], [0, 0], ['a', 'b']), /row 0 \(id 1\): vector field "v" holds NaN/],
    ['-Inf in a float vector', batch([1, 2], [1, 2, -Infinity, 4], [0, 0], ['a', 'b']), /row 1 \(id 2\): vector field "v" holds -Infinity/],
    ['Inf in a float16 vector', batch([1, 2], [1, 2, 3, 4], [0, 0x7c00], ['a', 'b']), /row 1 \(id 2\): vector field "h" holds Infinity/],
    ['NaN in a float16 vector', batch([1, 2], [1, 2, 3, 4], [0x7e00, 0], ['a', 'b']), /row 0 \(id 1\): vector field "h" holds NaN/],
    [
      'an over-long varchar (UTF-8 bytes)',
      batch([1, 2], [1, 2, 3, 4], [0, 0], ['a', 'ééé']),
      /row 1 \(id 2\): field "s" is 6 bytes long, its max_length is 4/,
    ],
  ])('refuses %s, naming the file, row and id', async (_what, b, message) => {
    const screen = new BatchScreen(dataset([b]), opts({}), writer, silent);
    await expect(screen.screen(b)).rejects.toThrow(message);
    await expect(screen.screen(b).catch((e: { code: string }) => e.code)).resolves.toBe('MDM_INVALID_DATA');
    await screen.close();
  });

  it('finds a non-finite value anywhere in a batch: the last element, past a multiple of four, after -0', async () => {
    const schema3: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'v', type: 'float_vector', dim: 3 },
        { name: 'b', type: 'bfloat16_vector', dim: 1 },
      ],
    };
    const make = (floats: number[], halves: number[]): ColumnBatch => ({
      numRows: 3,
      columns: new Map<string, Column>([
        ['id', { type: 'int64', values: BigInt64Array.of(1n, 2n, 3n) }],
        ['v', { type: 'float_vector', dim: 3, values: Float32Array.from(floats) }],
        ['b', { type: 'bfloat16_vector', dim: 1, values: Uint16Array.from(halves) }],
      ]),
    });
    const data = (b: ColumnBatch): SourceDataset => ({ ...dataset([b]), schema: schema3 });
    const cases: [ColumnBatch, RegExp | undefined][] = [
      [make([-0, 0, 1e38, -1e38, 5e-45, -0, 1, 2, NaN], [0, 0, 0]), /row 2 \(id 3\): vector field "v" holds NaN/],
      [make([-0, 0, 1, 2, 3, -Infinity, 1, 2, 3], [0, 0, 0]), /row 1 \(id 2\): vector field "v" holds -Infinity/],
      [make([-0, -0, -0, 0, 0, 0, 3.4e38, -3.4e38, 1], [0, 0x7fc0, 0]), /row 1 \(id 2\): vector field "b" holds NaN/],
      [make([-0, -0, -0, 0, 0, 0, 3.4e38, -3.4e38, 1], [0x7f7f, 0xff7f, 0x8000]), undefined],
    ];
    for (const [b, message] of cases) {
      const screen = new BatchScreen(data(b), opts({}), writer, silent);
      try {
        if (message) await expect(screen.screen(b)).rejects.toThrow(message);
        else expect(await screen.screen(b)).toBe(b);
      } finally {
        await screen.close();
      }
    }
  });

  it('skips invalid rows under on_invalid: skip, counts them and keeps the cursor', async () => {
    const b = batch([1, 2, 3], [1, NaN, 3, 4, 5, 6], [0, 0, 0], ['a', 'b', 'c']);
    const screen = new BatchScreen(dataset([b]), opts({ onInvalid: 'skip' }), writer, silent);
    const out = await screen.screen(b);
    expect(out.numRows).toBe(2);
    expect([...(out.columns.get('id')!.values as BigInt64Array)]).toEqual([2n, 3n]);
    expect([...(out.columns.get('v')!.values as Float32Array)]).toEqual([3, 4, 5, 6]);
    expect(out.columns.get('s')!.values).toEqual(['b', 'c']);
    expect(out.cursor).toEqual({ at: 3 });
    expect(screen.skippedRows).toBe(1);
    expect(screen.summary()).toMatch(/1 invalid row\(s\) skipped \(ids 1\)/);
    await screen.close();
  });

  it('lets NaN and ±Inf through to a writer whose target stores them (a file), and still checks the rest', async () => {
    const file: DatasetWriter = { ...writer, storesNonFinite: true };
    const b = batch([1, 2], [NaN, 2, 3, -Infinity], [0x7e00, 0x7c00], ['a', 'b']);
    const screen = new BatchScreen(dataset([b]), opts({}), file, silent);
    expect(await screen.screen(b)).toBe(b);
    // A repeated key is still refused: only the non-finite scan is left out.
    await expect(screen.screen(b)).rejects.toThrow(/occurs more than once/);
    await screen.close();
  });

  it('refuses a key repeated across batches, naming the later row', async () => {
    const b2 = batch([3, 1], [1, 2, 3, 4], [0, 0], ['a', 'b']);
    const screen = new BatchScreen(dataset([good, b2]), opts({}), writer, silent);
    await screen.screen(good);
    await expect(screen.screen(b2)).rejects.toThrow(/file \/data\/x.h5: row 3 \(id 1\): the key occurs more than once/);
    await screen.close();
  });

  it('keeps the first occurrence under duplicates: first and the last under duplicates: last', async () => {
    const b1 = batch([1, 2, 1], [1, 1, 2, 2, 3, 3], [0, 0, 0], ['a', 'b', 'c']);
    const b2 = batch([2, 4], [4, 4, 5, 5], [0, 0], ['d', 'e']);
    const first = new BatchScreen(dataset([b1, b2]), opts({ duplicates: 'first' }), writer, silent);
    const f1 = await first.screen(b1);
    const f2 = await first.screen(b2);
    await first.close();
    expect([...(f1.columns.get('id')!.values as BigInt64Array), ...(f2.columns.get('id')!.values as BigInt64Array)]).toEqual([1n, 2n, 4n]);
    expect([...f1.columns.get('s')!.values, ...f2.columns.get('s')!.values]).toEqual(['a', 'b', 'e']);

    const last = new BatchScreen(dataset([b1, b2]), opts({ duplicates: 'last' }), writer, silent);
    await last.prepare(10, new AbortController().signal);
    const l1 = await last.screen(b1);
    const l2 = await last.screen(b2);
    await last.close();
    expect([...(l1.columns.get('id')!.values as BigInt64Array), ...(l2.columns.get('id')!.values as BigInt64Array)]).toEqual([1n, 2n, 4n]);
    expect([...l1.columns.get('s')!.values, ...l2.columns.get('s')!.values]).toEqual(['c', 'd', 'e']);
    expect(last.skippedRows).toBe(2);
  });

  it('asks the writer which keys the target holds, and fails or skips them', async () => {
    const holding: DatasetWriter = {
      ...writer,
      existingKeys: async (keys) => Uint8Array.from(keys.values as BigInt64Array, (k) => (k === 2n ? 1 : 0)),
    };
    const failing = new BatchScreen(dataset([good]), opts({}), holding, silent);
    await expect(failing.screen(good)).rejects.toThrow(/row 1 \(id 2\): the target already holds this key/);
    await failing.close();
    const skipping = new BatchScreen(dataset([good]), opts({ existingKeys: 'skip' }), holding, silent);
    const out = await skipping.screen(good);
    await skipping.close();
    expect([...(out.columns.get('id')!.values as BigInt64Array)]).toEqual([1n]);
  });

  it('refuses a 0-dimension vector field before anything is written', () => {
    expect(() => checkDatasetSchema({ ...dataset([]), schema: { fields: [{ name: 'v', type: 'float_vector', dim: 0 }] } })).toThrow(
      /file \/data\/x.h5: vector field "v" has dimension 0/,
    );
  });
});
