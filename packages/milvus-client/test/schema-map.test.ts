/**
 * Mapping describe answers (as the Node SDK's loader shapes them: enums as names, int64 as
 * strings, oneofs named in `data`) onto core's schema, including the forms older servers use.
 */
import { describe, expect, it } from 'vitest';
import type { MetricType } from '@milvusdm/core';
import { indexesFromDescription, schemaFromDescription, type DescribedCollection } from '../src/schema-map.js';
import { parseRelease } from '../src/server-info.js';

const described: DescribedCollection = {
  schema: {
    fields: [
      { name: 'id', data_type: 'Int64', is_primary_key: true, autoID: true, description: 'key' },
      {
        name: 'v',
        data_type: 'Float16Vector',
        type_params: [
          { key: 'dim', value: '8' },
          { key: 'mmap.enabled', value: 'true' },
        ],
      },
      { name: 'n', data_type: 'Int64', nullable: true, default_value: { long_data: '9223372036854775807', data: 'long_data' } },
      { name: 'b', data_type: 'Bool', default_value: { bool_data: true, data: 'bool_data' }, is_clustering_key: true },
      {
        name: 's',
        data_type: 'VarChar',
        type_params: [{ key: 'max_length', value: '9' }],
        default_value: { string_data: 'x"y', data: 'string_data' },
        is_partition_key: true,
      },
      { name: 'sp', data_type: 'SparseFloatVector', is_function_output: true },
      { name: '$meta', data_type: 'JSON', is_dynamic: true },
    ],
    enable_dynamic_field: true,
    functions: [{ name: 'f', type: 1, input_field_names: ['s'], output_field_names: ['sp'], params: [{ key: 'k', value: 'v' }] }],
  },
  shards_num: 2,
  consistency_level: 2,
  num_partitions: '16',
  properties: [{ key: 'collection.ttl.seconds', value: '60' }],
};

describe('schemaFromDescription', () => {
  const schema = schemaFromDescription('c', described);

  it('keeps defaults exactly (int64 as text), keys, flags and other type params', () => {
    expect(schema.fields).toEqual([
      { name: 'id', type: 'int64', isPrimaryKey: true, autoId: true, description: 'key' },
      { name: 'v', type: 'float16_vector', dim: 8, properties: { 'mmap.enabled': 'true' } },
      { name: 'n', type: 'int64', nullable: true, defaultValue: '9223372036854775807' },
      { name: 'b', type: 'bool', isClusteringKey: true, defaultValue: true },
      { name: 's', type: 'varchar', maxLength: 9, isPartitionKey: true, defaultValue: 'x"y' },
    ]);
  });

  it('describes function outputs apart from the stored fields, and the collection', () => {
    expect(schema.functionOutputFields).toEqual([{ name: 'sp', type: 'sparse_float_vector' }]);
    expect(schema.functions).toEqual([{ name: 'f', type: 'BM25', inputFields: ['s'], outputFields: ['sp'], params: { k: 'v' } }]);
    expect(schema).toMatchObject({
      enableDynamicField: true,
      numShards: 2,
      numPartitions: 16,
      consistencyLevel: 'Bounded',
      properties: { 'collection.ttl.seconds': '60' },
    });
  });

  it("gives vector fields their index's metric, scalar fields none (Milvus Lite 3 describes INVERTED with metric NONE)", () => {
    const withMetrics = schemaFromDescription(
      'c',
      described,
      new Map<string, MetricType>([
        ['v', 'IP'],
        // Not a metric milvusdm knows: what the server says, as the reader passes it on.
        ['n', 'NONE' as MetricType],
      ]),
    );
    expect(withMetrics.fields.find((f) => f.name === 'v')?.metric).toBe('IP');
    expect(withMetrics.fields.find((f) => f.name === 'n')).not.toHaveProperty('metric');
  });

  it('leaves the partition count out without a partition key', () => {
    const plain = schemaFromDescription('c', { ...described, schema: { fields: described.schema.fields.slice(0, 2) } });
    expect(plain.numPartitions).toBeUndefined();
  });
});

describe('indexesFromDescription', () => {
  it('reads build parameters as separate entries and as one JSON entry (older servers)', () => {
    expect(
      indexesFromDescription([
        {
          index_name: 'i1',
          field_name: 'v',
          params: [
            { key: 'index_type', value: 'HNSW' },
            { key: 'metric_type', value: 'cosine' },
            { key: 'M', value: '16' },
          ],
        },
        {
          index_name: 'i2',
          field_name: 'w',
          params: [
            { key: 'index_type', value: 'IVF_FLAT' },
            { key: 'metric_type', value: 'L2' },
            { key: 'params', value: '{"nlist":128}' },
          ],
        },
        { index_name: 'i3', field_name: 'x', params: [{ key: 'index_type', value: 'INVERTED' }] },
        // Milvus Lite 2.5 lists the field's dim among the index's parameters: not a build parameter.
        {
          index_name: 'i4',
          field_name: 'y',
          params: [
            { key: 'index_type', value: 'FLAT' },
            { key: 'metric_type', value: 'IP' },
            { key: 'dim', value: '64' },
          ],
        },
      ]),
    ).toEqual([
      { field: 'v', name: 'i1', type: 'HNSW', metric: 'COSINE', params: { M: '16' } },
      { field: 'w', name: 'i2', type: 'IVF_FLAT', metric: 'L2', params: { nlist: '128' } },
      { field: 'x', name: 'i3', type: 'INVERTED' },
      { field: 'y', name: 'i4', type: 'FLAT', metric: 'IP' },
    ]);
  });
});

describe('parseRelease', () => {
  it('reads the release of every version string seen', () => {
    expect(parseRelease('v2.3.5-lite')).toEqual([2, 3]);
    expect(parseRelease('milvus_lite-3.2.2')).toEqual([3, 2]);
    expect(parseRelease('2.6.0')).toEqual([2, 6]);
    expect(parseRelease('unknown')).toBeUndefined();
  });
});
