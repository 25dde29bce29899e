/** Fields a Milvus release cannot hold are named before anything is created. */
import { describe, expect, it } from 'vitest';
import type { CollectionSchema } from '@milvusdm/core';
import { serverProblems } from '../src/server-fit.js';

const server = (version: string | undefined) => ({
  version,
  release: version ? ([Number(/(\d+)\.(\d+)/.exec(version)![1]), Number(/(\d+)\.(\d+)/.exec(version)![2])] as const) : undefined,
  localLiteEngine: version === undefined,
});

const schema: CollectionSchema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true },
    { name: 'f16', type: 'float16_vector', dim: 8 },
    { name: 'v', type: 'float_vector', dim: 8 },
    { name: 'i8', type: 'int8_vector', dim: 8 },
  ],
};

describe('what a server release can hold', () => {
  it('names every field Milvus 2.3 cannot store, and the second vector field', () => {
    expect(serverProblems(schema, server('v2.3.5-lite'))).toEqual([
      'field "f16" is float16_vector, which needs Milvus 2.4 or later',
      'field "i8" is int8_vector, which needs Milvus 2.6 or later',
      '3 vector fields (f16, v, i8) need Milvus 2.4 or later',
    ]);
  });

  it('lets 2.4 and 2.5 through but int8 vectors, and 2.6 through entirely', () => {
    expect(serverProblems(schema, server('v2.5.4'))).toEqual(['field "i8" is int8_vector, which needs Milvus 2.6 or later']);
    expect(serverProblems(schema, server('v2.6.0'))).toEqual([]);
  });

  it('names the vector types Milvus Lite 3 does not store (it refuses them itself, but only once asked to create)', () => {
    const withBinary: CollectionSchema = {
      fields: [...schema.fields, { name: 'bin', type: 'binary_vector', dim: 16 }, { name: 's', type: 'sparse_float_vector' }],
    };
    expect(serverProblems(withBinary, server('milvus_lite-3.2.2'))).toEqual([
      'field "f16" is float16_vector, which Milvus Lite 3 does not store (it stores float_vector and sparse_float_vector)',
      'field "i8" is int8_vector, which Milvus Lite 3 does not store (it stores float_vector and sparse_float_vector)',
      'field "bin" is binary_vector, which Milvus Lite 3 does not store (it stores float_vector and sparse_float_vector)',
    ]);
  });

  it("leaves Milvus Lite 2's local engine (no version) to answer for itself", () => {
    expect(serverProblems(schema, server(undefined))).toEqual([]);
  });

  it('finds nothing to refuse in a plain collection on 2.3', () => {
    expect(serverProblems({ fields: [schema.fields[0]!, schema.fields[2]!] }, server('v2.3.5'))).toEqual([]);
  });
});
