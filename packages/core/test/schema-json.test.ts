/**
 * The schema's JSON form: a full description survives the round trip unchanged, and a document
 * that is not one (wrong version, bad member, not JSON) is refused with the key named.
 */
import { describe, expect, it } from 'vitest';
import { schemaFromJson, schemaToDocument, schemaToJson, type CollectionSchema } from '../src/index.js';

const full: CollectionSchema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true, autoIdAtSource: true, description: 'the key' },
    { name: 'vec', type: 'float16_vector', dim: 128, metric: 'COSINE', properties: { 'mmap.enabled': 'true' } },
    { name: 'tenant', type: 'varchar', maxLength: 32, isPartitionKey: true },
    { name: 'year', type: 'int32', isClusteringKey: true, defaultValue: 2000 },
    { name: 'stock', type: 'int64', nullable: true, defaultValue: '9223372036854775807' },
    { name: 'tags', type: 'array', elementType: 'varchar', maxCapacity: 5, maxLength: 20 },
    { name: 'title', type: 'varchar', maxLength: 300, properties: { enable_analyzer: 'true' } },
  ],
  description: 'books',
  enableDynamicField: true,
  functionOutputFields: [{ name: 'sparse', type: 'sparse_float_vector', metric: 'BM25' }],
  functions: [{ name: 'bm25', type: 'BM25', inputFields: ['title'], outputFields: ['sparse'], params: {} }],
  numShards: 2,
  numPartitions: 16,
  consistencyLevel: 'Bounded',
  properties: { 'collection.ttl.seconds': '86400' },
  indexes: [{ field: 'vec', name: 'vec_idx', type: 'HNSW', metric: 'COSINE', params: { M: '16', efConstruction: '200' } }],
  aliases: ['a1', 'a2'],
  partitions: ['_default'],
  loaded: true,
  database: 'library',
};

describe('schema JSON document', () => {
  it('round-trips a full description unchanged, with its format and version', () => {
    const text = schemaToJson(full);
    expect(JSON.parse(text)).toMatchObject({ format: 'milvusdm-schema', version: 1 });
    expect(schemaFromJson(text, 'x.json')).toEqual(full);
  });

  it('shares nothing with the schema it came from', () => {
    const doc = schemaToDocument(full);
    expect(doc.fields).not.toBe(full.fields);
    expect(doc.fields[0]).not.toBe(full.fields[0]);
  });

  it('refuses a newer version, naming the file', () => {
    const doc = { ...schemaToDocument(full), version: 2 };
    expect(() => schemaFromJson(JSON.stringify(doc), 'dump/schema.json')).toThrow(
      /dump\/schema\.json: schema document version 2 is newer than this milvusdm reads \(1\)/,
    );
  });

  it('refuses a bad member, naming its path', () => {
    const doc = schemaToDocument(full) as unknown as { fields: { type: string }[] };
    doc.fields[1]!.type = 'float64_vector';
    expect(() => schemaFromJson(JSON.stringify(doc), 's.json')).toThrow(/s\.json: schema document: fields\.1\.type:/);
  });

  it('refuses unknown members and text that is not JSON', () => {
    expect(() => schemaFromJson(JSON.stringify({ ...schemaToDocument(full), colour: 'red' }), 's.json')).toThrow(
      /s\.json: schema document: .*colour/,
    );
    expect(() => schemaFromJson('{"format": "milvusdm-schema",', 's.json')).toThrow(/s\.json: schema document is not JSON/);
  });
});
