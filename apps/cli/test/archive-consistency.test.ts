/**
 * The manifest's consistency entry of each collection: its count before the read (the plan's)
 * and after it, summed over partitions, `changed` when any partition's count moved (the
 * per-partition counts then listed); databases keep same-named collections apart.
 */
import { describe, expect, it } from 'vitest';
import type { CollectionSchema, DatasetInfo } from '@milvusdm/core';
import { consistencyOf, partitionFolder, qualifiedName } from '../src/archive/manifest.js';

const schema = (database?: string) => ({ fields: [], ...(database ? { database } : {}) }) as unknown as CollectionSchema;
const dataset = (collection: string, partition: string | undefined, rows: number, database?: string): DatasetInfo => ({
  key: `${database ? `${database}/` : ''}${collection}/${partition ?? '_default'}`,
  collection,
  ...(partition ? { partition } : {}),
  schema: schema(database),
  origin: collection,
  rows,
});

describe('archive consistency', () => {
  it('unchanged counts: changed false, no partition detail', () => {
    const before = [dataset('books', 'p1', 10), dataset('books', 'p2', 5)];
    const after = new Map([
      ['books/p1', 10],
      ['books/p2', 5],
    ]);
    expect(consistencyOf(before, after).get('books')).toEqual({ pinned: false, countBefore: 15, countAfter: 15, changed: false });
  });

  it('a partition that moved: changed, with every partition’s counts; one missing afterwards counts 0', () => {
    const before = [dataset('books', 'p1', 10), dataset('books', 'p2', 5)];
    const after = new Map([['books/p1', 12]]);
    expect(consistencyOf(before, after).get('books')).toEqual({
      pinned: false,
      countBefore: 15,
      countAfter: 12,
      changed: true,
      partitions: { p1: { countBefore: 10, countAfter: 12 }, p2: { countBefore: 5, countAfter: 0 } },
    });
  });

  it('same-named collections of two databases stay apart', () => {
    const before = [dataset('docs', undefined, 3, 'a'), dataset('docs', undefined, 4, 'b')];
    const after = new Map([
      ['a/docs/_default', 3],
      ['b/docs/_default', 6],
    ]);
    const c = consistencyOf(before, after);
    expect([...c.keys()]).toEqual(['a.docs', 'b.docs']);
    expect(c.get('a.docs')?.changed).toBe(false);
    expect(c.get('b.docs')).toMatchObject({ countBefore: 4, countAfter: 6, changed: true });
    expect(qualifiedName({ name: 'docs' })).toBe('docs');
    expect(partitionFolder('docs', undefined, 'a')).toBe('data/a/docs/_default');
    expect(partitionFolder('my docs', 'p-1')).toBe('data/my_docs/p-1');
  });
});
