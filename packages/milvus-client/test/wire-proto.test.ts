/**
 * The hand-written FieldData codec checked against Milvus's own message definitions (the
 * milvus.proto descriptors the official Node SDK ships), not against itself: what we encode,
 * protobufjs decodes with those definitions to the same values, and what protobufjs encodes from
 * them, we decode. This is the only check int8 vectors get, since no server here stores them
 * (they need Milvus 2.6).
 */
import pb from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { Column } from '@milvusdm/core';
import protoJson from '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js';
import { DATA_TYPE, SCALAR_MEMBER, VECTOR_MEMBER } from '../src/wire/data-types.js';
import { decodeFieldData } from '../src/wire/field-data-decode.js';
import { newWriter, writeFieldData } from '../src/wire/field-data.js';
import { decodeAllocTimestamp, encodeQueryRequest } from '../src/wire/requests.js';

const root = pb.Root.fromJSON((protoJson as unknown as { default?: pb.INamespace }).default ?? (protoJson as unknown as pb.INamespace));
const FieldData = root.lookupType('milvus.proto.schema.FieldData');
const DataType = root.lookupEnum('milvus.proto.schema.DataType');

/** Our bytes of one FieldData message (without the enclosing tag). */
function ours(column: Column): Uint8Array {
  const w = newWriter();
  writeFieldData(w, 1, 'v', column);
  const r = pb.Reader.create(w.finish());
  r.uint32();
  return r.bytes();
}

function decodedByProto(bytes: Uint8Array): Record<string, unknown> {
  return FieldData.toObject(FieldData.decode(bytes), { enums: String, longs: String, bytes: Array, oneofs: true }) as Record<
    string,
    unknown
  >;
}

describe('FieldData against milvus.proto', () => {
  it('uses the ScalarField and VectorField member numbers milvus.proto defines (encoder and decoder share them)', () => {
    const scalar = root.lookupType('milvus.proto.schema.ScalarField').fields;
    const vector = root.lookupType('milvus.proto.schema.VectorField').fields;
    const scalarName = {
      bool: 'bool_data',
      int8: 'int_data',
      int16: 'int_data',
      int32: 'int_data',
      int64: 'long_data',
      float: 'float_data',
      double: 'double_data',
      varchar: 'string_data',
      array: 'array_data',
      json: 'json_data',
    } as const;
    for (const [type, name] of Object.entries(scalarName))
      expect(SCALAR_MEMBER[type as keyof typeof scalarName], type).toBe(scalar[name]?.id);
    for (const [type, id] of Object.entries(VECTOR_MEMBER)) expect(id, type).toBe(vector[type]?.id);
    expect(Object.keys(VECTOR_MEMBER).sort()).toEqual(
      Object.keys(DATA_TYPE)
        .filter((t) => t.endsWith('_vector'))
        .sort(),
    );
  });

  it('uses the DataType numbers milvus.proto defines for every vector type', () => {
    expect(DATA_TYPE.int8_vector).toBe(DataType.values['Int8Vector']);
    expect(DATA_TYPE.float16_vector).toBe(DataType.values['Float16Vector']);
    expect(DATA_TYPE.bfloat16_vector).toBe(DataType.values['BFloat16Vector']);
    expect(DATA_TYPE.sparse_float_vector).toBe(DataType.values['SparseFloatVector']);
    expect(DATA_TYPE.binary_vector).toBe(DataType.values['BinaryVector']);
    expect(DATA_TYPE.float_vector).toBe(DataType.values['FloatVector']);
  });

  const dense: [Column, string, (c: Column) => number[]][] = [
    [
      { type: 'int8_vector', dim: 3, values: Int8Array.from([-128, -1, 0, 1, 127, 42]) },
      'int8_vector',
      (c) => Array.from(new Uint8Array((c.values as Int8Array).buffer)),
    ],
    [
      { type: 'float16_vector', dim: 2, values: Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]) },
      'float16_vector',
      (c) => Array.from(new Uint8Array((c.values as Uint16Array).buffer)),
    ],
    [
      { type: 'bfloat16_vector', dim: 2, values: Uint16Array.from([0x3f80, 0x4000, 0xff80, 0x0001]) },
      'bfloat16_vector',
      (c) => Array.from(new Uint8Array((c.values as Uint16Array).buffer)),
    ],
    [
      { type: 'binary_vector', dim: 16, values: Uint8Array.from([0, 255, 1, 128]) },
      'binary_vector',
      (c) => Array.from(c.values as Uint8Array),
    ],
  ];
  for (const [column, member, bytesOf] of dense) {
    it(`encodes ${column.type} as VectorField.${member} with its dim, as protobuf reads it`, () => {
      const msg = decodedByProto(ours(column)) as { type: string; field_name: string; vectors: Record<string, unknown> };
      expect(msg.type).toBe(DataType.valuesById[DATA_TYPE[column.type]]);
      expect(msg.field_name).toBe('v');
      expect(Number(msg.vectors['dim'])).toBe((column as { dim: number }).dim);
      expect(msg.vectors['data']).toBe(member);
      expect(msg.vectors[member]).toEqual(bytesOf(column));
    });

    it(`decodes ${column.type} written by protobuf from milvus.proto`, () => {
      const bytes = FieldData.encode(
        FieldData.fromObject({
          type: DATA_TYPE[column.type],
          field_name: 'v',
          vectors: { dim: (column as { dim: number }).dim, [member]: Uint8Array.from(bytesOf(column)) },
        }),
      ).finish();
      const decoded = decodeFieldData(bytes);
      expect(decoded.type).toBe(column.type);
      expect((decoded.column as { dim: number }).dim).toBe((column as { dim: number }).dim);
      expect(Array.from(decoded.column.values as ArrayLike<number>)).toEqual(Array.from(column.values as ArrayLike<number>));
    });
  }

  it('encodes sparse rows as SparseFloatArray contents of (uint32 index, float32 value) pairs', () => {
    const rows = [
      { indices: Uint32Array.from([3, 4_000_000_000]), values: Float32Array.from([0.25, -2]) },
      { indices: new Uint32Array(0), values: new Float32Array(0) },
    ];
    const msg = decodedByProto(ours({ type: 'sparse_float_vector', values: rows })) as {
      vectors: { sparse_float_vector: { contents: number[][]; dim: string } };
    };
    const sparse = msg.vectors.sparse_float_vector;
    expect(sparse.dim).toBe('4000000001');
    expect(sparse.contents).toHaveLength(2);
    const first = new DataView(Uint8Array.from(sparse.contents[0]!).buffer);
    expect([first.getUint32(0, true), first.getFloat32(4, true), first.getUint32(8, true), first.getFloat32(12, true)]).toEqual([
      3, 0.25, 4_000_000_000, -2,
    ]);
    expect(sparse.contents[1]).toEqual([]);
  });
});

describe('QueryRequest and AllocTimestampResponse against milvus.proto', () => {
  // A hybrid timestamp as Milvus makes them: physical ms << 18 | logical, far above 2^53.
  const ts = (1_764_495_000_000n << 18n) | 12_345n;

  it('a read as of a timestamp: Customized consistency and the exact guarantee_timestamp', () => {
    const QueryRequest = root.lookupType('milvus.proto.milvus.QueryRequest');
    const bytes = encodeQueryRequest({
      collection: 'c',
      expr: 'id > 5',
      outputFields: ['id'],
      consistency: 'Customized',
      guaranteeTimestamp: ts,
    });
    const o = QueryRequest.toObject(QueryRequest.decode(bytes), { enums: String, longs: String }) as Record<string, unknown>;
    expect(o).toMatchObject({ collection_name: 'c', expr: 'id > 5', consistency_level: 'Customized', guarantee_timestamp: ts.toString() });
    const strong = QueryRequest.toObject(QueryRequest.decode(encodeQueryRequest({ collection: 'c', expr: '', outputFields: ['id'] })), {
      enums: String,
      longs: String,
      defaults: true,
    }) as Record<string, unknown>;
    expect(strong).toMatchObject({ consistency_level: 'Strong', guarantee_timestamp: '0' });
  });

  it("decodes the server's timestamp exactly", () => {
    const Response = root.lookupType('milvus.proto.milvus.AllocTimestampResponse');
    const bytes = Response.encode(Response.fromObject({ status: { code: 0 }, timestamp: ts.toString() })).finish();
    expect(decodeAllocTimestamp(bytes).timestamp).toBe(ts);
  });
});
