/**
 * The comparison behind `milvusdm verify`, on in-memory datasets (the readers' part is covered
 * by the CLI's integration tests against real servers and files): each kind of difference is
 * found and named, whatever order either side yields its rows in.
 */
import { describe, expect, it } from 'vitest';
import { verifyDataset, type CollectionSchema, type ColumnBatch, type SourceDataset } from '../src/index.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true },
    { name: 'vec', type: 'float_vector', dim: 2 },
    { name: 'tag', type: 'varchar', maxLength: 10 },
  ],
};

interface Row {
  id: bigint;
  vec: [number, number];
  tag: string;
}

function rowsOf(n: number, base = 0n): Row[] {
  return Array.from({ length: n }, (_, i) => ({ id: base + BigInt(i), vec: [i, -i] as [number, number], tag: `t${i}` }));
}

/** A dataset yielding `rows` in batches of `batch`, as a reader would. */
function dataset(rows: readonly Row[], batch = 7, s: CollectionSchema = schema, name = 'mem'): SourceDataset {
  return {
    key: name,
    collection: name,
    origin: `memory ${name}`,
    schema: s,
    rows: rows.length,
    async *batches(): AsyncGenerator<ColumnBatch> {
      for (let i = 0; i < rows.length; i += batch) {
        const part = rows.slice(i, i + batch);
        const columns = new Map();
        if (s.fields[0]!.autoId !== true) columns.set('id', { type: 'int64', values: BigInt64Array.from(part, (r) => r.id) });
        columns.set('vec', { type: 'float_vector', dim: 2, values: Float32Array.from(part.flatMap((r) => r.vec)) });
        columns.set('tag', { type: 'varchar', values: part.map((r) => r.tag) });
        yield { numRows: part.length, columns };
      }
    },
  };
}

function shuffled<T>(xs: readonly T[], seed = 1): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('verifyDataset', () => {
  it('finds equal data equal whatever the order and batching of either side', async () => {
    const rows = rowsOf(1000);
    const v = await verifyDataset(dataset(rows, 64), dataset(shuffled(rows), 9));
    expect(v.equal).toBe(true);
    expect(v.sourceRows).toBe(1000);
    expect(v.targetRows).toBe(1000);
    expect(v.byKey).toBe(true);
    expect(v.compared).toEqual(['id', 'tag', 'vec']);
    expect(v.differences).toEqual([]);
    expect(v.buckets).toBe(64);
  });

  it('names a missing, an extra, a duplicated and a changed row', async () => {
    const rows = rowsOf(500);
    const target = rows.filter((r) => r.id !== 17n).map((r) => (r.id === 300n ? { ...r, vec: [300, 0.5] as [number, number] } : r));
    target.push({ ...rows[42]! }, { id: 9000n, vec: [1, 1], tag: 'new' });
    const v = await verifyDataset(dataset(rows), dataset(shuffled(target)));
    expect(v.equal).toBe(false);
    expect(v.sourceRows).toBe(500);
    expect(v.targetRows).toBe(501);
    expect(v.differences).toEqual([
      { kind: 'missing', key: '17', sourceRows: 1, targetRows: 0 },
      { kind: 'duplicated', key: '42', sourceRows: 1, targetRows: 2 },
      { kind: 'different', key: '300', sourceRows: 1, targetRows: 1, fields: ['vec'] },
      { kind: 'extra', key: '9000', sourceRows: 0, targetRows: 1 },
    ]);
    expect(v.moreDifferences).toBe(false);
  });

  it('catches a swap of values between two keys (equal multisets of values)', async () => {
    const rows = rowsOf(100);
    const target = rows.map((r) => (r.id === 3n ? { ...r, tag: 't4' } : r.id === 4n ? { ...r, tag: 't3' } : r));
    const v = await verifyDataset(dataset(rows), dataset(target));
    expect(v.differences.map((d) => [d.kind, d.key, d.fields])).toEqual([
      ['different', '3', ['tag']],
      ['different', '4', ['tag']],
    ]);
  });

  it('reports duplicates in the source itself', async () => {
    const rows = rowsOf(20);
    const v = await verifyDataset(dataset([...rows, rows[5]!]), dataset(rows));
    expect(v.differences).toEqual([{ kind: 'duplicated-in-source', key: '5', sourceRows: 2, targetRows: 1 }]);
  });

  it('orders int64 keys beyond 2^53 exactly and lists at most maxDifferences', async () => {
    const base = 2n ** 60n;
    const rows = rowsOf(50, base);
    const v = await verifyDataset(dataset(rows), dataset(rows.slice(0, 20)), { maxDifferences: 3 });
    expect(v.differences.map((d) => d.key)).toEqual([base + 20n, base + 21n, base + 22n].map(String));
    expect(v.moreDifferences).toBe(true);
  });

  it('compares server-assigned-id targets without keys, naming rows by position and by target id', async () => {
    const auto: CollectionSchema = { fields: [{ ...schema.fields[0]!, autoId: true }, ...schema.fields.slice(1)] };
    const rows = rowsOf(200);
    // The target holds server-assigned ids, unrelated to the source positions.
    const target = rows.map((r, i) => ({ ...r, id: 10_000n + BigInt(i) }));
    const eq = await verifyDataset(dataset(rows, 7, auto), dataset(shuffled(target)));
    expect(eq.equal).toBe(true);
    expect(eq.byKey).toBe(false);
    expect(eq.notes.join(' ')).toMatch(/assigned by the server/);
    const broken = target.filter((r) => r.id !== 10_005n);
    broken.push({ ...target[9]!, id: 99_999n });
    const v = await verifyDataset(dataset(rows, 7, auto), dataset(broken));
    expect(v.equal).toBe(false);
    expect(v.differences).toEqual([
      { kind: 'duplicated', key: 'id 99999', sourceRows: 1, targetRows: 2 },
      { kind: 'missing', key: 'source row #5', sourceRows: 1, targetRows: 0 },
    ]);
  });

  it('checks a seeded sample of exactly the stated size, the same keys every time', async () => {
    const rows = rowsOf(2000);
    const a = await verifyDataset(dataset(rows), dataset(shuffled(rows)), { mode: 'sample', sample: 100, seed: 7 });
    expect(a.equal).toBe(true);
    expect(a.sample).toEqual({ requested: 100, keys: 100, seed: 7 });
    // Corrupt every row: the sample names the same sampled keys on every run with this seed.
    const bad = rows.map((r) => ({ ...r, tag: 'x' }));
    const b1 = await verifyDataset(dataset(rows), dataset(bad), { mode: 'sample', sample: 100, seed: 7, maxDifferences: 1000 });
    const b2 = await verifyDataset(dataset(rows), dataset(shuffled(bad, 3)), {
      mode: 'sample',
      sample: 100,
      seed: 7,
      maxDifferences: 1000,
    });
    expect(b1.differences.length).toBe(100);
    expect(b2.differences).toEqual(b1.differences);
    const other = await verifyDataset(dataset(rows), dataset(bad), { mode: 'sample', sample: 100, seed: 8, maxDifferences: 1000 });
    expect(other.differences.map((d) => d.key)).not.toEqual(b1.differences.map((d) => d.key));
  });

  it('finds a missing row in a sample only when it is drawn, but always counts it', async () => {
    const rows = rowsOf(300);
    const v = await verifyDataset(dataset(rows), dataset(rows.slice(1)), { mode: 'sample', sample: 300 });
    expect(v.differences).toEqual([{ kind: 'missing', key: '0', sourceRows: 1, targetRows: 0 }]);
    const small = await verifyDataset(dataset(rows), dataset(rows.slice(1)), { mode: 'sample', sample: 5 });
    expect(small.equal).toBe(false);
    expect(small.targetRows).toBe(299);
  });

  it('names differences among many buckets of a large dataset', async () => {
    const rows = rowsOf(40_000);
    const target = rows.filter((r) => r.id !== 31_337n);
    const v = await verifyDataset(dataset(rows, 5000), dataset(target, 3000));
    expect(v.buckets).toBe(256);
    expect(v.differingBuckets).toBe(1);
    expect(v.differences).toEqual([{ kind: 'missing', key: '31337', sourceRows: 1, targetRows: 0 }]);
  });
});
