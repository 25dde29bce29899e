/**
 * The whole `createCollection` request for a schema: fields (function outputs included), the
 * functions that fill them, and the collection-level settings a description carries (shards,
 * partition count of a partition key, consistency level, properties such as TTL and mmap).
 * Members the schema does not set are left out, so the server applies its own defaults.
 */
import type { CollectionSchema } from '@milvusdm/core';
import { fieldsForCreate } from './schema-map.js';

export function createRequest(schema: CollectionSchema): Record<string, unknown> {
  const hasPartitionKey = schema.fields.some((f) => f.isPartitionKey);
  return {
    fields: fieldsForCreate(schema),
    enable_dynamic_field: schema.enableDynamicField === true,
    ...(schema.description ? { description: schema.description } : {}),
    ...(schema.functions && schema.functions.length > 0
      ? {
          functions: schema.functions.map((f) => ({
            name: f.name,
            type: f.type,
            input_field_names: [...f.inputFields],
            output_field_names: [...f.outputFields],
            params: { ...f.params },
            ...(f.description ? { description: f.description } : {}),
          })),
        }
      : {}),
    ...(schema.numShards ? { shards_num: schema.numShards } : {}),
    // Without a partition key the count means nothing to the server (and some refuse it).
    ...(hasPartitionKey && schema.numPartitions ? { num_partitions: schema.numPartitions } : {}),
    // The SDK defaults to Bounded; a schema without a level keeps that.
    ...(schema.consistencyLevel ? { consistency_level: schema.consistencyLevel } : {}),
    ...(schema.properties && Object.keys(schema.properties).length > 0 ? { properties: { ...schema.properties } } : {}),
  };
}
