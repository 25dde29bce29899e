/** What a server's release cannot keep is named before anything is created, and `unsupported: drop` removes exactly that. */
import { describe, expect, it } from 'vitest';
import type { CollectionSchema, IndexSchema } from '@milvusdm/core';
import { propertyFit } from '../src/property-fit.js';

const release = (version: string) => {
  const m = /(\d+)\.(\d+)/.exec(version)!;
  return { version, release: [Number(m[1]), Number(m[2])] as const, localLiteEngine: false };
};
const lite2 = { version: undefined, release: undefined, localLiteEngine: true };

const schema: CollectionSchema = {
  description: 'books',
  consistencyLevel: 'Session',
  numPartitions: 8,
  properties: { 'collection.ttl.seconds': '60', 'mmap.enabled': 'true' },
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true, description: 'key' },
    { name: 'vec', type: 'float_vector', dim: 8 },
    { name: 'tenant', type: 'varchar', maxLength: 32, isPartitionKey: true },
    { name: 'year', type: 'int32', isClusteringKey: true },
    { name: 'price', type: 'double', defaultValue: 9.5 },
    { name: 'title', type: 'varchar', maxLength: 300, properties: { enable_analyzer: 'true' } },
    { name: 'tags', type: 'array', elementType: 'varchar', maxCapacity: 5, maxLength: 20 },
    { name: 'note', type: 'varchar', maxLength: 50, properties: { 'mmap.enabled': 'true' } },
  ],
  functionOutputFields: [{ name: 'sparse', type: 'sparse_float_vector' }],
  functions: [{ name: 'bm25', type: 'BM25', inputFields: ['title'], outputFields: ['sparse'] }],
};
const indexes: IndexSchema[] = [
  { field: 'vec', name: 'vec', type: 'HNSW', metric: 'COSINE', params: { M: '12' } },
  { field: 'sparse', name: 'sparse', type: 'SPARSE_INVERTED_INDEX', metric: 'BM25' },
  { field: 'year', name: 'year', type: 'INVERTED' },
];
const plain: CollectionSchema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true },
    { name: 'price', type: 'double' },
    { name: 'title', type: 'varchar', maxLength: 300 },
    { name: 'year', type: 'int32' },
  ],
};
/** Milvus 2.3's scalar indexes, each named apart from its field. */
const scalar23: IndexSchema[] = [
  { field: 'price', name: 'price_idx', type: 'STL_SORT' },
  { field: 'title', name: 'title_idx', type: 'Trie' },
];

describe('propertyFit', () => {
  it('Milvus 2.6 keeps everything', () => {
    const fit = propertyFit(schema, indexes, release('v2.6.0'));
    expect(fit.problems).toEqual([]);
    expect(fit.schema).toEqual(schema);
    expect(fit.indexes).toEqual(indexes);
  });

  it('Milvus 2.3 lacks functions, default values, clustering keys, analyzers and 2.4 index types; dropping them leaves the rest', () => {
    const fit = propertyFit(schema, indexes, release('v2.3.5'));
    expect(fit.problems).toEqual([
      'function "bm25" (BM25, filling sparse) needs Milvus 2.5 or later',
      'index "year" on "year" is INVERTED, which needs Milvus 2.4 or later',
      'field "year" is the clustering key, which needs Milvus 2.4 or later',
      'field "price" has a default value, which needs Milvus 2.5 or later',
      'field "title" sets enable_analyzer, which needs Milvus 2.5 or later',
    ]);
    expect(fit.fatal).toEqual([]);
    expect(fit.schema.functions).toBeUndefined();
    expect(fit.schema.functionOutputFields).toBeUndefined();
    // mmap, collection and field, is kept by Milvus 2.3.5 (measured: fidelity-cells.integration.test.ts).
    expect(fit.schema.properties).toEqual({ 'collection.ttl.seconds': '60', 'mmap.enabled': 'true' });
    expect(fit.schema.fields.find((f) => f.name === 'note')?.properties).toEqual({ 'mmap.enabled': 'true' });
    expect(fit.schema.fields.find((f) => f.name === 'year')).toEqual({ name: 'year', type: 'int32' });
    expect(fit.indexes.map((i) => i.field)).toEqual(['vec']);
  });

  it('Milvus 2.3 keeps STL_SORT and Trie', () => {
    const fit = propertyFit(plain, scalar23, release('v2.3.5'));
    expect(fit.problems).toEqual([]);
    expect(fit.indexes).toEqual(scalar23);
  });

  it('Milvus Lite 3 builds only INVERTED on scalar fields and keeps no index names; dropping leaves the field unindexed', () => {
    const fit = propertyFit(plain, [...scalar23, { field: 'year', name: 'year_idx', type: 'INVERTED' }], {
      version: 'milvus_lite-3.2.2',
      release: [3, 2],
      localLiteEngine: false,
    });
    expect(fit.problems).toEqual([
      'index "price_idx" on "price" is STL_SORT; Milvus Lite 3 builds only INVERTED on scalar fields',
      'index "title_idx" on "title" is Trie; Milvus Lite 3 builds only INVERTED on scalar fields',
      'index "year_idx" on "year" is named other than its field, which Milvus Lite 3 does not keep (it names an index after its field)',
    ]);
    expect(fit.indexes).toEqual([{ field: 'year', name: 'year', type: 'INVERTED' }]);
  });

  it('a nullable field cannot be dropped', () => {
    const fit = propertyFit({ fields: [{ name: 'n', type: 'int32', nullable: true }] }, [], release('v2.4.9'));
    expect(fit.fatal).toEqual(['field "n" is nullable, which needs Milvus 2.5 or later']);
  });

  it('Milvus Lite 3 keeps no descriptions, consistency, partition count, clustering key, array string bound, field mmap or index parameters', () => {
    const fit = propertyFit(schema, indexes, { version: 'milvus_lite-3.2.2', release: [3, 2], localLiteEngine: false });
    expect(fit.notes).toEqual(["the collection's description", 'the description of field "id"']);
    expect(fit.problems).toEqual([
      'consistency level Session, which Milvus Lite 3 does not keep (it is always Strong)',
      'a partition key with 8 partitions, which Milvus Lite 3 does not keep (it makes 17)',
      'index "vec" on "vec" is built with M=12, which Milvus Lite 3 does not keep',
      'field "year" is the clustering key, which Milvus Lite 3 does not keep',
      'array field "tags" bounds its strings (max_length 20), which Milvus Lite 3 does not keep',
      'field "note" sets mmap.enabled, which Milvus Lite 3 does not keep',
    ]);
    // The collection's mmap.enabled it keeps.
    expect(fit.schema.properties).toEqual(schema.properties);
    expect(fit.schema.fields.find((f) => f.name === 'note')).toEqual({ name: 'note', type: 'varchar', maxLength: 50 });
    expect(fit.indexes[0]).toEqual({ field: 'vec', name: 'vec', type: 'HNSW', metric: 'COSINE' });
  });

  it('Milvus Lite 3 builds no index on an array field: named before anything is created, left out under drop', () => {
    const withArray: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'vec', type: 'float_vector', dim: 4 },
        { name: 'tags', type: 'array', elementType: 'int32', maxCapacity: 4 },
      ],
    };
    const fit = propertyFit(
      withArray,
      [
        { field: 'vec', name: 'vec', type: 'AUTOINDEX', metric: 'L2' },
        { field: 'tags', name: 'tags', type: 'INVERTED' },
      ],
      { version: 'milvus_lite-3.2.2', release: [3, 2], localLiteEngine: false },
    );
    expect(fit.problems).toEqual(['index "tags" on "tags" is on an array field; Milvus Lite 3 builds no index on array fields']);
    expect(fit.indexes.map((i) => i.field)).toEqual(['vec']);
  });

  it("Milvus Lite 2's local engine builds FLAT, BIN_FLAT and SPARSE_INVERTED_INDEX on vectors, INVERTED and Trie on scalars, and nothing else", () => {
    const fit = propertyFit(
      { fields: schema.fields },
      [...indexes, { field: 'note', name: 'note', type: 'Trie' }, { field: 'id', name: 'id', type: 'STL_SORT' }],
      lite2,
    );
    const only = 'FLAT, BIN_FLAT, SPARSE_INVERTED_INDEX, INVERTED, Trie';
    expect(fit.problems).toEqual([
      `index "vec" on "vec" is HNSW; Milvus Lite's local engine builds only ${only}`,
      `index "id" on "id" is STL_SORT; Milvus Lite's local engine builds only ${only}`,
    ]);
    expect(fit.indexes.map((i) => i.type)).toEqual(['SPARSE_INVERTED_INDEX', 'INVERTED', 'Trie']);
  });
});

describe('AUTOINDEX on Milvus Lite 2.x', () => {
  it('is not refused: the writer asks the engine for its own choice', () => {
    const fit = propertyFit({ fields: schema.fields }, [{ field: 'vec', name: 'vec', type: 'AUTOINDEX', metric: 'IP' }], lite2);
    expect(fit.problems).toEqual([]);
  });
});
