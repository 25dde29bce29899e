/**
 * The Milvus writer resuming a job whose first run stopped before its first commit, under mode
 * overwrite of a collection that holds rows (the plugin-kit suite covers a new collection): that
 * run dropped its empty staging collection; the resumed run makes it again under the name the
 * run's state recorded, so a second interruption (Ctrl-C, the staging kept) is resumed too. The
 * old rows stay readable until the new ones are complete, and then only the new ones are there.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { batchDifferences, concatBatches, expectedRows, memoryReader, schemaFor, type GeneratedDataset } from '@milvusdm/plugin-kit';
import { runJob, type ColumnBatch } from '@milvusdm/core';
import milvusReader from '@milvusdm/reader-milvus';
import milvusWriter from '@milvusdm/writer-milvus';
import { tempDir, uniqueName } from '@milvusdm/testing';

const uri = inject('milvusLiteUri');
const schema = schemaFor(['float_vector']);
/** A run's context; its log lines kept in `log`. */
const context = (signal = new AbortController().signal, log: string[] = []) => {
  const keep = (level: string) => (m: string) => void log.push(`${level}: ${m}`);
  return {
    signal,
    logger: { debug: () => {}, info: keep('info'), warn: keep('warn'), error: keep('error') },
    baseDir: process.cwd(),
    redact: () => {},
  };
};

async function stored(collection: string): Promise<ColumnBatch> {
  const source = await milvusReader.open(milvusReader.options.parse({ uri, collection }), context());
  try {
    const batches: ColumnBatch[] = [];
    for (const dataset of source.datasets) for await (const b of dataset.batches({ batchRows: 1000 })) batches.push(b);
    return concatBatches(batches);
  } finally {
    await source.close();
  }
}

/** Both sides by key, as a writer may store rows in any order. */
function byKey(batch: ColumnBatch): { ids: bigint[]; vectors: string[] } {
  const ids = batch.columns.get('id')!.values as BigInt64Array;
  const v = batch.columns.get('f_float_vector')!;
  const dim = (v as { dim: number }).dim;
  const rows = [...ids.keys()].sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  return {
    ids: rows.map((r) => ids[r]!),
    vectors: rows.map((r) => Buffer.from((v.values as Float32Array).slice(r * dim, (r + 1) * dim).buffer).toString('hex')),
  };
}

describe('milvus writer: a job stopped before its first commit, resumed', { timeout: 240_000 }, () => {
  it('under mode overwrite: the staging collection is made again under its recorded name, and a second interruption resumes too', async () => {
    const collection = uniqueName('restart');
    const old: GeneratedDataset = { key: collection, schema, rows: 40, seed: 31 };
    const fresh: GeneratedDataset = { key: collection, schema, rows: 3000, seed: 32 };
    const options = { uri, collection, index: false, mode: 'overwrite' as const };
    const first = await runJob({
      reader: memoryReader([old]),
      readerOptions: {},
      writer: milvusWriter,
      writerOptions: { ...options, mode: 'append' },
      run: { batchRows: 20, prefetch: 2 },
      context: context(),
    });
    expect(first.rows).toBe(40);
    const resume = { stateFile: join(tempDir(), 'job.state.json'), jobHash: 'restart test', restart: false };
    const attempt = (behaviour: Parameters<typeof memoryReader>[1], signal?: AbortSignal, log?: string[]) =>
      runJob({
        reader: memoryReader([fresh], behaviour),
        readerOptions: {},
        writer: milvusWriter,
        writerOptions: options,
        run: { batchRows: 100, prefetch: 2 },
        resume,
        context: context(signal, log),
      }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    // The source fails before its first batch: the staging collection is begun, then dropped.
    expect((await attempt({ failAfterBatches: 0 }))?.message).toMatch(/failing on purpose after 0 batches/);
    expect(byKey(await stored(collection))).toEqual(byKey(expectedRows(old)));
    // Resumed, then Ctrl-C at the 20th batch of 30: the staging collection holds committed rows and is kept.
    const controller = new AbortController();
    const log: string[] = [];
    const stopped = await attempt(
      { onYield: (n) => n === 20 && controller.abort(new Error('interrupted by SIGINT')) },
      controller.signal,
      log,
    );
    expect((stopped as { code?: string } | undefined)?.code).toBe('MDM_ABORTED');
    // What it left is said, and undone where it should be, though every call after Ctrl-C was refused before.
    expect(log.join('\n')).toMatch(/staging collection "[^"]+" is kept, so running the same job again continues it/);
    expect(log.filter((l) => /could not/.test(l))).toEqual([]);
    expect(byKey(await stored(collection))).toEqual(byKey(expectedRows(old)));
    // Resumed to the end: the new rows replace the old ones, each once.
    expect(await attempt({})).toBeUndefined();
    const now = await stored(collection);
    expect(now.numRows).toBe(3000);
    expect(byKey(now)).toEqual(byKey(expectedRows(fresh)));
    expect(batchDifferences(now, now)).toEqual([]);
  });
});
