/** The resume state: atomic saves, refusal of a changed job or source, and the runner resuming real plugins. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MilvusdmError,
  fingerprintChanges,
  fingerprintOf,
  readRunState,
  runJob,
  silentLogger,
  stateFileFor,
  writeRunState,
  z,
  type ColumnBatch,
  type DatasetWriter,
  type ReaderPlugin,
  type ReaderSource,
  type ResumeInfo,
  type WriterPlugin,
} from '../src/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'milvusdm-state-unit-'));

/** A reader of `rows` sequential ids in batches of `size`, whose cursor is the next row; it records where it was asked to start. */
function countingReader(
  rows: number,
  size: number,
  starts: unknown[],
  extra: Record<string, unknown> = {},
  /** Ids that differ from the row number (repeated keys). */
  ids: ReadonlyMap<number, bigint> = new Map(),
): ReaderPlugin<unknown> {
  return {
    kind: 'reader',
    name: 'counting',
    options: z.unknown(),
    async open(): Promise<ReaderSource> {
      return {
        datasets: [
          {
            key: 'c/_default',
            collection: 'c',
            origin: 'counting',
            rows,
            schema: { fields: [{ name: 'id', type: 'int64', isPrimaryKey: true }] },
            async *batches(options) {
              starts.push(options.resumeFrom);
              const from = (options.resumeFrom as { next: number } | undefined)?.next ?? 0;
              for (let row = from; row < rows; row += size) {
                const n = Math.min(size, rows - row);
                const values = BigInt64Array.from({ length: n }, (_, i) => ids.get(row + i) ?? BigInt(row + i));
                yield {
                  numRows: n,
                  columns: new Map([['id', { type: 'int64', values }]]),
                  cursor: { next: row + n },
                } satisfies ColumnBatch;
              }
            },
          },
        ],
        fingerprint: async () => extra,
        async close() {},
      };
    },
  };
}

/** A writer that keeps the ids it stores, and fails (as a lost server would) after `failAfter` batches. */
function memoryWriter(stored: bigint[], resumes: (ResumeInfo | undefined)[], failAfter = Infinity): WriterPlugin<unknown> {
  return {
    kind: 'writer',
    name: 'memory',
    options: z.unknown(),
    async open() {
      return {
        async begin(_dataset, options) {
          resumes.push(options?.resume);
          const writer: DatasetWriter = {
            resumeToken: { kept: stored.length },
            async write(batches, hooks) {
              let rows = 0;
              let n = 0;
              for await (const batch of batches) {
                if (n++ >= failAfter) throw new MilvusdmError('MDM_TARGET', 'server went away');
                const ids = batch.columns.get('id')!.values as BigInt64Array;
                stored.push(...ids);
                rows += batch.numRows;
                hooks.committed(batch);
              }
              return { rows };
            },
          };
          return writer;
        },
        async finish() {},
        async close() {},
      };
    },
  };
}

const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: '/', redact() {} };

describe('resume state file', () => {
  it('is replaced atomically and read back; a torn or foreign file is refused, not taken for a fresh start', () => {
    const file = join(dir(), 's.state.json');
    expect(readRunState(file)).toBeUndefined();
    const state = {
      version: 1,
      jobHash: 'h',
      fingerprint: {},
      recordEveryRows: 10,
      startedAt: 'a',
      updatedAt: 'b',
      datasets: { d: { status: 'writing' as const, rowsAtCursor: 3, rows: 5, cursor: { next: 3 } } },
    };
    writeRunState(file, state);
    expect(readRunState(file)).toEqual(state);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    writeFileSync(file, '{"version":1,"datas');
    expect(() => readRunState(file)).toThrow(/not valid JSON/);
    writeFileSync(file, '{"version":7,"datasets":{}}');
    expect(() => readRunState(file)).toThrow(/not a milvusdm resume state of version 1/);
  });

  it('is named per job file', () => {
    expect(stateFileFor('/s', '/jobs/a b.yaml')).toMatch(/^\/s\/a_b-[0-9a-f]{12}\.state\.json$/);
    expect(stateFileFor('/s', '/jobs/a.yaml')).not.toBe(stateFileFor('/s', '/other/a.yaml'));
  });

  it('describes what changed in a source', async () => {
    const src = (rows: number, size: number, mtime = Date.UTC(2026, 11, 1), files: string[] = ['/a.h5']) =>
      ({
        datasets: [{ key: 'k', rows, schema: { fields: [{ name: 'id', type: 'int64', isPrimaryKey: true }] } }],
        fingerprint: async () => ({ files: Object.fromEntries(files.map((f) => [f, { size, mtime }])), reader: 'v1' }),
        close: async () => {},
      }) as unknown as ReaderSource;
    const before = await fingerprintOf(src(10, 100));
    expect(fingerprintChanges(before, await fingerprintOf(src(10, 100)))).toEqual([]);
    expect(fingerprintChanges(before, await fingerprintOf(src(11, 120)))).toEqual([
      'dataset k had 10 rows, now 11',
      '/a.h5 was modified at 2026-12-01T00:00:00.000Z (100 → 120 bytes)',
    ]);
    // Touched, same size: the time alone.
    expect(fingerprintChanges(before, await fingerprintOf(src(10, 100, Date.UTC(2026, 11, 1, 20, 5))))).toEqual([
      '/a.h5 was modified at 2026-12-01T20:05:00.000Z',
    ]);
    expect(fingerprintChanges(before, await fingerprintOf(src(10, 100, Date.UTC(2026, 11, 1), ['/b.h5'])))).toEqual([
      '/b.h5 is new',
      '/a.h5 is gone',
    ]);
  });
});

describe('runner with a resume state', () => {
  it('continues after a failed run from the last committed cursor: nothing read twice, nothing missing; then forgets the state', async () => {
    const stateFile = join(dir(), 'job.state.json');
    const resume = { stateFile, jobHash: 'h1', restart: false };
    const stored: bigint[] = [];
    const begins: (ResumeInfo | undefined)[] = [];
    const starts: unknown[] = [];
    await expect(
      runJob({
        reader: countingReader(1000, 64, starts),
        readerOptions: {},
        writer: memoryWriter(stored, begins, 5),
        writerOptions: {},
        run: { batchRows: 64, prefetch: 1 },
        context,
        resume,
      }),
    ).rejects.toThrow(/server went away/);
    expect(stored.length).toBe(5 * 64);
    const saved = readRunState(stateFile)!;
    expect(saved.datasets['c/_default']).toMatchObject({
      status: 'writing',
      rows: 320,
      rowsAtCursor: 320,
      cursor: { next: 320 },
      token: { kept: 0 },
    });

    const summary = await runJob({
      reader: countingReader(1000, 64, starts),
      readerOptions: {},
      writer: memoryWriter(stored, begins),
      writerOptions: {},
      run: { batchRows: 64, prefetch: 1 },
      context,
      resume,
    });
    // The resumed run reads the keys before the stop once (to catch keys repeated across it), then the rest.
    expect(starts).toEqual([undefined, undefined, { next: 320 }]);
    expect(begins[1]).toEqual({ rows: 320, token: { kept: 0 }, complete: false, unrecordedRows: 250_000 });
    expect(stored).toEqual(Array.from({ length: 1000 }, (_, i) => BigInt(i)));
    expect(summary.datasets[0]).toMatchObject({ rows: 1000, resumedRows: 320 });
    expect(existsSync(stateFile)).toBe(false);
  });

  it('refuses a changed job or source with what changed, and --restart starts over', async () => {
    const stateFile = join(dir(), 'job.state.json');
    const stored: bigint[] = [];
    const run = (jobHash: string, extra: Record<string, unknown>, restart = false, failAfter = Infinity) =>
      runJob({
        reader: countingReader(300, 50, [], extra),
        readerOptions: {},
        writer: memoryWriter(stored, [], failAfter),
        writerOptions: {},
        run: { batchRows: 50, prefetch: 0 },
        context,
        resume: { stateFile, jobHash, restart, jobFile: 'job.yaml' },
      });
    await expect(run('h1', { size: 1 }, false, 2)).rejects.toThrow(/server went away/);
    await expect(run('h2', { size: 1 })).rejects.toThrow(/^job\.yaml changed since its interrupted run/);
    await expect(run('h1', { size: 2 })).rejects.toThrow(
      /^the source of job\.yaml changed since its interrupted run of .*: size: was 1, now 2$/,
    );
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).datasets['c/_default'].rows).toBe(100);
    stored.length = 0;
    await run('h2', { size: 2 }, true);
    expect(stored.length).toBe(300);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('keeps a finished state when asked: the same job then finds everything done; another job or source starts fresh', async () => {
    const stateFile = join(dir(), 'job.state.json');
    const stored: bigint[] = [];
    const begins: (ResumeInfo | undefined)[] = [];
    const run = (jobHash: string, extra: Record<string, unknown>) =>
      runJob({
        reader: countingReader(200, 50, [], extra),
        readerOptions: {},
        writer: memoryWriter(stored, begins),
        writerOptions: {},
        run: { batchRows: 50, prefetch: 0 },
        context,
        resume: { stateFile, jobHash, restart: false, removeWhenFinished: false },
      });
    await run('h1', { size: 1 });
    expect(readRunState(stateFile)).toMatchObject({
      finishedAt: expect.any(String),
      datasets: { 'c/_default': { status: 'done', rows: 200 } },
    });
    // As if killed while reporting: run again, nothing is written twice.
    const again = await run('h1', { size: 1 });
    expect(stored.length).toBe(200);
    expect(begins[1]).toMatchObject({ rows: 200, complete: true });
    expect(again.datasets[0]).toMatchObject({ rows: 200, resumedRows: 200 });
    // A finished state of another job, or of a changed source, is not an interrupted run to refuse.
    await run('h2', { size: 1 });
    expect(stored.length).toBe(400);
    await run('h2', { size: 2 });
    expect(stored.length).toBe(600);
    expect(begins.slice(2)).toEqual([undefined, undefined]);
  });

  it('a resumed run counts the rows its screen skipped before, and still catches keys repeated across the stop', async () => {
    const stateFile = join(dir(), 'job.state.json');
    const stored: bigint[] = [];
    // Row 50 repeats key 10 (skipped before the stop); row 700 repeats key 100, first seen before it.
    const repeats = new Map([
      [50, 10n],
      [700, 100n],
    ]);
    const run = (failAfter = Infinity) =>
      runJob({
        reader: countingReader(1000, 64, [], {}, repeats),
        readerOptions: {},
        writer: memoryWriter(stored, [], failAfter),
        writerOptions: {},
        run: { batchRows: 64, prefetch: 1, duplicates: 'first' },
        context,
        resume: { stateFile, jobHash: 'h', restart: false },
      });
    await expect(run(5)).rejects.toThrow(/server went away/);
    expect(readRunState(stateFile)!.datasets['c/_default']).toMatchObject({ rows: 319, rowsAtCursor: 319, sourceRowsAtCursor: 320 });
    const summary = await run();
    expect(summary.datasets[0]).toMatchObject({ rows: 998, resumedRows: 319 });
    expect(stored).toEqual(Array.from({ length: 1000 }, (_, i) => BigInt(i)).filter((id, i) => i !== 50 && i !== 700));
  });

  it('a writer that reports commits in bursts (a file writer after each flush): each burst is on disk before the writer goes on', async () => {
    const stateFile = join(dir(), 'job.state.json');
    const recorded: number[] = [];
    const bursty: WriterPlugin<unknown> = {
      kind: 'writer',
      name: 'bursty',
      options: z.unknown(),
      async open() {
        return {
          async begin() {
            return {
              async write(batches, hooks) {
                let rows = 0;
                let pending: ColumnBatch[] = [];
                for await (const batch of batches) {
                  pending.push(batch);
                  rows += batch.numRows;
                  if (pending.length < 3) continue;
                  // Three batches of 50,000 rows made durable at once, reported together: past the
                  // state's save threshold (half of 250,000 unrecorded rows) in mid-burst.
                  for (const b of pending) hooks.committed(b);
                  pending = [];
                  // The writer's next await: the burst must be on disk by now.
                  await Promise.resolve();
                  recorded.push(readRunState(stateFile)!.datasets['c/_default']!.rows);
                }
                for (const b of pending) hooks.committed(b);
                return { rows };
              },
            };
          },
          async finish() {},
          async close() {},
        };
      },
    };
    await runJob({
      reader: countingReader(500_000, 50_000, []),
      readerOptions: {},
      writer: bursty,
      writerOptions: {},
      run: { batchRows: 50_000, prefetch: 1 },
      context,
      resume: { stateFile, jobHash: 'h', restart: false, removeWhenFinished: false },
    });
    expect(recorded).toEqual([150_000, 300_000, 450_000]);
    expect(readRunState(stateFile)!.datasets['c/_default']).toMatchObject({ status: 'done', rows: 500_000, cursor: { next: 500_000 } });
  });

  it('keeps no state when none is asked for', async () => {
    const stored: bigint[] = [];
    await runJob({
      reader: countingReader(10, 3, []),
      readerOptions: {},
      writer: memoryWriter(stored, []),
      writerOptions: {},
      run: { batchRows: 3, prefetch: 0 },
      context,
    });
    expect(stored.length).toBe(10);
  });
});
