/** Renames, drops and filter values, decided before anything is read. */
import { describe, expect, it } from 'vitest';
import type { CollectionSchema } from '@milvusdm/core';
import { filterExpression, shapeSchema, withFilter } from '../src/shape.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true },
    { name: 'vec', type: 'float_vector', dim: 4 },
    { name: 'title', type: 'varchar', maxLength: 100 },
    { name: 'year', type: 'int32', isPartitionKey: true },
  ],
  functionOutputFields: [{ name: 'sparse', type: 'sparse_float_vector' }],
  functions: [{ name: 'bm25', type: 'BM25', inputFields: ['title'], outputFields: ['sparse'] }],
  indexes: [
    { field: 'vec', name: 'vec', type: 'HNSW', metric: 'L2' },
    { field: 'sparse', name: 'sparse_idx', type: 'SPARSE_INVERTED_INDEX', metric: 'BM25' },
  ],
};

describe('filterExpression', () => {
  it('writes every value as a literal that cannot end early', () => {
    expect(filterExpression('t == {t} && y in {ys} && ok == {b}', { t: 'a" || true || "', ys: [2020, 2021], b: false })).toBe(
      't == "a\\" || true || \\"" && y in [2020, 2021] && ok == false',
    );
  });
  it('refuses a placeholder without a value and a value without a placeholder', () => {
    expect(() => filterExpression('y > {lo}', {})).toThrow(/source\.filter: \{lo\} has no value in source\.filter_values/);
    expect(() => filterExpression('y > 1', { lo: 1 })).toThrow(/source\.filter_values: "lo" not used/);
  });
  it('AND-s the filter with an expression', () => {
    expect(withFilter('y > 1', 'id < 5')).toBe('(y > 1) && (id < 5)');
    expect(withFilter('y > 1', '')).toBe('y > 1');
    expect(withFilter(undefined, 'id < 5')).toBe('id < 5');
  });
});

describe('shapeSchema', () => {
  it('renames fields with their indexes, functions and keys', () => {
    const { schema: s, sourceName } = shapeSchema('c', schema, { id: 'key', title: 'name', year: 'y' });
    expect(s.fields.map((f) => f.name)).toEqual(['key', 'vec', 'name', 'y']);
    expect(s.fields[3]).toMatchObject({ isPartitionKey: true });
    expect(s.functions).toEqual([{ name: 'bm25', type: 'BM25', inputFields: ['name'], outputFields: ['sparse'] }]);
    expect(sourceName.get('key')).toBe('id');
  });
  it("drops a function whose input is dropped, with its output field and that field's index", () => {
    const { schema: s } = shapeSchema('c', schema, {}, ['title']);
    expect(s.functions).toBeUndefined();
    expect(s.functionOutputFields).toBeUndefined();
    expect(s.indexes).toEqual([{ field: 'vec', name: 'vec', type: 'HNSW', metric: 'L2' }]);
  });
  it('refuses dropping the key, unknown names and two fields under one name', () => {
    expect(() => shapeSchema('c', schema, {}, ['id'])).toThrow(/source\.drop: "id" is the primary key of "c"/);
    expect(() => shapeSchema('c', schema, { nope: 'x' })).toThrow(/source\.fields: "nope" is not a field of "c"/);
    expect(() => shapeSchema('c', schema, { title: 'vec' })).toThrow(/would both be called "vec"/);
  });
});
