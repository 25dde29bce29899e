/**
 * Shaping a live collection on the way (Milvus Lite 3.2, M2M): a filter the server evaluates,
 * with a value from "user input" that tries to close its string literal, renamed fields and
 * dropped fields. The copy is compared with pymilvus against the source's matching rows,
 * renamed and without the dropped fields, every field of every row.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

describe('filter, fields and drop on the milvus reader', () => {
  it('copies only the matching rows, renamed, without the dropped fields; a hostile value stays one literal', async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('shape');
    const made = await runPython<{ rows: number }>('make_rich_collection.py', ['--uri', uri, '--collection', source, '--rows', '1200']);
    const target = uniqueName('shape_copy');
    // A value that, pasted into the expression as it is, would end the literal and match every row.
    const hostile = 'x" || count != 0 || title == "';
    const r = await runCli([
      'run',
      writeJob({
        source: {
          type: 'milvus',
          uri,
          collection: source,
          filter: 'count >= {lo} && title != {t} && flag == {f}',
          filter_values: { lo: -1_000_000_000, t: hostile, f: true },
          fields: { score: 'rating', pk: 'key' },
          drop: ['ratio', 'meta'],
          page_rows: 100,
        },
        target: { type: 'milvus', uri, collection: target },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rows where count >= -1000000000 && title != "x\\" \|\| count != 0 \|\| title == \\"" && flag == true/);
    const v = await runPython<{ a: number; b: number; differences: unknown[]; ok: boolean }>('compare_shaped.py', [
      '--uri',
      uri,
      '--a',
      source,
      '--b',
      target,
      '--pk',
      'pk',
      '--filter',
      'count >= -1000000000 && flag == true',
      '--every',
      'key >= ""',
      '--rename',
      JSON.stringify({ score: 'rating', pk: 'key' }),
      '--drop',
      JSON.stringify(['ratio', 'meta']),
    ]);
    expect(v.differences).toEqual([]);
    expect(v.ok).toBe(true);
    // A real subset: the filter ran on the server, not as a no-op.
    expect(v.b).toBeGreaterThan(100);
    expect(v.b).toBeLessThan(made.rows);
  });

  it('names a field the collection lacks, and a value the filter does not use, before reading anything', async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('shape_bad');
    await runPython('make_rich_collection.py', ['--uri', uri, '--collection', source, '--rows', '10']);
    const run = (src: Record<string, unknown>) =>
      runCli([
        'run',
        writeJob({
          source: { type: 'milvus', uri, collection: source, ...src },
          target: { type: 'milvus', uri, collection: uniqueName('x') },
        }),
        '--log-dir',
        tempDir(),
      ]);
    const a = await run({ drop: ['nope'] });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(new RegExp(`source\\.drop: "nope" is not a field of "${source}" \\(it has pk, embedding,`));
    const b = await run({ fields: { pk: 'count' } });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/source\.fields: "(pk|count)" and "(pk|count)" would both be called "count"/);
    const c = await run({ filter: 'count > {lo}', filter_values: { lo: 1, hi: 2 } });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/source\.filter_values: "hi" not used in source\.filter/);
  });

  it('rename.collections on the writer maps each source collection of a multi-collection job to its own name', async () => {
    const uri = inject('milvusLiteUri');
    const one = uniqueName('ren_a');
    const two = uniqueName('ren_b');
    for (const c of [one, two]) await runPython('make_vector_collection.py', ['--uri', uri, '--collection', c, '--rows', '120']);
    const oneCopy = uniqueName('ren_a_copy');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collections: [one, two] },
        // `two` is not mapped: it would land on itself, so only `one` is copied in this job.
        target: { type: 'milvus', uri, rename: { collections: { [one]: oneCopy } }, mode: 'skip' },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`creating collection "${oneCopy}"`));
    expect(r.stderr).toMatch(new RegExp(`collection "${two}" exists \\(mode skip\\)`));
    const v = await runPython<{ ok: boolean; a: number; b: number }>('compare_rows.py', ['--uri', uri, '--a', one, '--b', oneCopy]);
    expect(v).toMatchObject({ ok: true, a: 120, b: 120 });
  });
});
