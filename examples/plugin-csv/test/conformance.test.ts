/** The whole contract, checked by @milvusdm/plugin-kit against CSV files written from generated rows. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { testReader } from '@milvusdm/plugin-kit';
import csv from '../src/index.js';

testReader(csv, {
  fieldTypes: ['int64', 'double', 'varchar', 'float_vector'],
  write({ dir, schema, rows }) {
    const header = schema.fields.map((f) => (f.dim ? `${f.name}:${f.type}:${f.dim}` : `${f.name}:${f.type}`));
    const columns = schema.fields.map((f) => rows.columns.get(f.name)!);
    const records = Array.from({ length: rows.numRows }, (_, row) =>
      columns.map((c) => ('dim' in c ? Array.from(c.values.subarray(row * c.dim, (row + 1) * c.dim)).join(' ') : String(c.values[row]))),
    );
    writeFileSync(join(dir, 'data.csv'), stringify([header, ...records]));
    return { path: join(dir, 'data.csv') };
  },
  badOptions: (dir) => ({ path: join(dir, 'missing.csv') }),
});
