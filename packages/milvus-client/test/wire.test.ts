/**
 * The hand-written protobuf codec: every column type survives encoding to FieldData and
 * decoding back, int64 extremes included, and varints match protobuf's rules.
 */
import pb from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import type { Column } from '@milvusdm/core';
import { decodeFieldData } from '../src/wire/field-data-decode.js';
import { newWriter, writeFieldData } from '../src/wire/field-data.js';
import { decodePackedInt32, decodePackedInt64, encodePackedInt32, encodePackedInt64 } from '../src/wire/varint.js';
import { decodeMutationResult, encodeInsertRequest } from '../src/wire/requests.js';
import { RequestBuffers } from '../src/wire/request-buffers.js';

const EXTREMES = [0n, 1n, -1n, 127n, 128n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 1611731769000715000n];

function roundTrip(column: Column, options: { elementType?: string } = {}) {
  const w = newWriter();
  writeFieldData(w, 1, 'f', column, options);
  const bytes = w.finish();
  // Strip the outer tag and length: decodeFieldData takes the message itself.
  const r = pb.Reader.create(bytes);
  r.uint32();
  return decodeFieldData(r.bytes());
}

describe('varints', () => {
  it('encode int64 exactly as protobuf does, and back', () => {
    const values = BigInt64Array.from(EXTREMES);
    const ours = encodePackedInt64(values);
    const w = pb.Writer.create();
    for (const v of EXTREMES) w.int64(v.toString() as unknown as number);
    expect(Buffer.from(ours)).toEqual(Buffer.from(w.finish()));
    expect(Array.from(decodePackedInt64(ours))).toEqual(EXTREMES);
  });

  it('sign-extend negative int32 to ten bytes', () => {
    const values = Int32Array.from([0, -1, 2147483647, -2147483648, 300]);
    const bytes = encodePackedInt32(values);
    const w = pb.Writer.create();
    for (const v of values) w.int32(v);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(w.finish()));
    expect(Array.from(decodePackedInt32(bytes))).toEqual(Array.from(values));
  });
});

describe('FieldData round trip', () => {
  const cases: [string, Column][] = [
    ['int64', { type: 'int64', values: BigInt64Array.from(EXTREMES) }],
    ['int32', { type: 'int32', values: Int32Array.from([-5, 0, 7]) }],
    ['int16', { type: 'int16', values: Int16Array.from([-32768, 32767]) }],
    ['int8', { type: 'int8', values: Int8Array.from([-128, 127, 0]) }],
    ['bool', { type: 'bool', values: Uint8Array.from([1, 0, 1]) }],
    ['float', { type: 'float', values: Float32Array.from([1.5, -0, NaN, Infinity]) }],
    ['double', { type: 'double', values: Float64Array.from([1e300, -1e-300, 0.1]) }],
    ['varchar', { type: 'varchar', values: ['', 'a"b\\c', 'ünïcødé 𝄞'] }],
    ['json', { type: 'json', values: ['{"a":1}', '[1,2,{"b":"c"}]', 'null'] }],
    ['float_vector', { type: 'float_vector', dim: 3, values: Float32Array.from([0.1, 0.2, 0.3, -1, 2, 3e38]) }],
    ['binary_vector', { type: 'binary_vector', dim: 16, values: Uint8Array.from([0, 255, 0, 0, 1, 128]) }],
    ['float16_vector', { type: 'float16_vector', dim: 2, values: Uint16Array.from([0x3c00, 0xc000, 0x7bff, 1]) }],
    ['bfloat16_vector', { type: 'bfloat16_vector', dim: 2, values: Uint16Array.from([0x3f80, 0x4000]) }],
    ['int8_vector', { type: 'int8_vector', dim: 2, values: Int8Array.from([-128, 127, 0, 5]) }],
  ];
  for (const [name, column] of cases) {
    it(`keeps a ${name} column bit for bit`, () => {
      const decoded = roundTrip(column);
      expect(decoded.name).toBe('f');
      expect(decoded.type).toBe(column.type);
      if (column.type === 'float' || column.type === 'float_vector' || column.type === 'double') {
        const a = new Uint8Array((column.values as Float32Array).buffer);
        const b = new Uint8Array((decoded.column.values as Float32Array).buffer);
        expect(Buffer.from(b)).toEqual(Buffer.from(a));
      } else {
        expect(Array.from(decoded.column.values as ArrayLike<unknown>)).toEqual(Array.from(column.values as ArrayLike<unknown>));
      }
      if ('dim' in column) expect((decoded.column as { dim: number }).dim).toBe(column.dim);
    });
  }

  it('keeps sparse vectors', () => {
    const rows = [
      { indices: Uint32Array.from([1, 5, 1000000]), values: Float32Array.from([0.5, -1, 2]) },
      { indices: Uint32Array.from([]), values: Float32Array.from([]) },
    ];
    const decoded = roundTrip({ type: 'sparse_float_vector', values: rows });
    expect(decoded.column.values).toEqual(rows);
  });

  it('keeps array fields with their element type', () => {
    const decoded = roundTrip({ type: 'array', values: [[1n, -2n], [], [2n ** 62n]] }, { elementType: 'int64' });
    expect(decoded.column.values).toEqual([[1n, -2n], [], [2n ** 62n]]);
  });

  it('sends nullable scalars compacted, with the validity of every row', () => {
    const decoded = roundTrip({ type: 'int32', values: Int32Array.from([10, 0, 30]), valid: Uint8Array.from([1, 0, 1]) });
    expect(Array.from(decoded.column.values as Int32Array)).toEqual([10, 30]);
    expect(Array.from(decoded.valid!)).toEqual([1, 0, 1]);
  });
});

describe('requests', () => {
  it('encodes an InsertRequest that protobuf reads back field by field', () => {
    const bytes = encodeInsertRequest({
      database: 'db',
      collection: 'c',
      partition: 'p',
      numRows: 2,
      columns: [{ name: 'id', column: { type: 'int64', values: BigInt64Array.from([1n, -1n]) } }],
    });
    const r = pb.Reader.create(bytes);
    const seen: Record<number, unknown> = {};
    while (r.pos < r.len) {
      const t = r.uint32();
      const f = t >>> 3;
      seen[f] = f === 7 ? r.uint32() : f === 5 ? r.bytes().length : r.string();
    }
    expect(seen).toMatchObject({ 2: 'db', 3: 'c', 4: 'p', 7: 2 });
  });

  it('writes a request into a reused buffer with exactly the bytes of a fresh one, and reuses it once given back', () => {
    const request = (seed: number) => ({
      collection: `c${seed}`,
      partition: 'a partition with a name longer than forty characters, written by Buffer',
      numRows: 3,
      columns: [
        { name: 'id', column: { type: 'int64' as const, values: BigInt64Array.from([BigInt(seed), -1n, 2n ** 63n - 1n]) } },
        { name: 'v', column: { type: 'float_vector' as const, dim: 2, values: Float32Array.from([seed, -0, NaN, 1e-45, 3.5, -seed]) } },
        { name: 's', column: { type: 'varchar' as const, values: ['é', '', 'x'.repeat(100)] } },
      ],
    });
    const buffers = new RequestBuffers(2);
    const first = encodeInsertRequest(request(1), (n) => buffers.take(n));
    expect(Buffer.from(first)).toEqual(Buffer.from(encodeInsertRequest(request(1))));
    buffers.give(first);
    expect(buffers.heldBytes).toBe(1 << 20);
    // The next request lands in the same memory, overwriting the first: the first must not be read after give().
    const second = encodeInsertRequest(request(2), (n) => buffers.take(n));
    expect(second.buffer).toBe(first.buffer);
    expect(buffers.heldBytes).toBe(0);
    expect(Buffer.from(second)).toEqual(Buffer.from(encodeInsertRequest(request(2))));
    // Two taken at once never share memory.
    const third = encodeInsertRequest(request(3), (n) => buffers.take(n));
    expect(third.buffer).not.toBe(second.buffer);
    expect(Buffer.from(second)).toEqual(Buffer.from(encodeInsertRequest(request(2))));
    // Given back twice counts once; a buffer it did not hand out is not kept; beyond `keep`, buffers are left to the GC.
    buffers.give(second);
    buffers.give(second);
    buffers.give(Buffer.alloc(10));
    expect(buffers.heldBytes).toBe(1 << 20);
    buffers.give(third);
    buffers.give(encodeInsertRequest(request(4), (n) => buffers.take(n)));
    expect(buffers.heldBytes).toBe(2 << 20);
  });

  it('reads the status and counts of a MutationResult', () => {
    const w = pb.Writer.create();
    w.uint32((1 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 0)
      .int32(0)
      .uint32((2 << 3) | 2)
      .string('')
      .ldelim();
    w.uint32((6 << 3) | 0).int64(12345);
    const m = decodeMutationResult(w.finish());
    expect(m.insertCount).toBe(12345n);
    expect(m.status?.error_code).toBe(0);
  });
});
