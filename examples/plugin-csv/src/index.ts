/**
 * A complete milvusdm reader for CSV files. The header names each column and its type: `name:int64`,
 * `name:double`, `name:varchar` or `name:float_vector:DIM` (numbers separated by spaces).
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parse } from 'csv-parse';
import { MilvusdmError, definePlugin, z, type Column, type ColumnBatch, type FieldSchema } from '@milvusdm/core';

const options = z.strictObject({
  path: z.string().min(1).describe('The CSV file, relative to the job file.'),
  collection: z.string().optional().describe('Collection name announced to the writer (default: the file name).'),
});

const fail = (message: string) => new MilvusdmError('MDM_SOURCE', message);

/** CSV records from record `from` (1 = the header; a quoted value may span lines), streamed. */
async function* records(file: string, from: number): AsyncGenerator<string[], void> {
  try {
    yield* createReadStream(file).pipe(parse({ from }));
  } catch (e) {
    throw fail(`${file}: ${(e as Error).message}`); // malformed CSV: quotes, column counts
  }
}

function fieldOf(header: string, file: string, index: number): FieldSchema {
  const [name = '', type = '', dim] = header.split(':');
  if (type === 'float_vector' && Number(dim) > 0) return { name, type, dim: Number(dim) };
  if (type === 'int64' || type === 'double' || type === 'varchar') return { name, type, isPrimaryKey: index === 0 && type === 'int64' };
  throw fail(`${file}: column ${index + 1} "${header}": expected name:int64, name:double, name:varchar or name:float_vector:DIM`);
}

function toColumn(field: FieldSchema, texts: string[], where: (row: number) => string): Column {
  const number = (text: string, row: number) => {
    if (text.trim() === '' || Number.isNaN(Number(text))) throw fail(`${where(row)}: "${text}" is not a number`);
    return Number(text);
  };
  switch (field.type) {
    case 'int64':
      return {
        type: 'int64',
        values: BigInt64Array.from(texts, (t, row) => {
          // BigInt, never Number: ids beyond 2^53 must stay exact.
          if (!/^-?\d+$/.test(t) || BigInt.asIntN(64, BigInt(t)) !== BigInt(t)) throw fail(`${where(row)}: "${t}" is not an int64`);
          return BigInt(t);
        }),
      };
    case 'double':
      return { type: 'double', values: Float64Array.from(texts, number) };
    case 'float_vector': {
      const dim = field.dim ?? 0;
      const values = new Float32Array(texts.length * dim);
      texts.forEach((t, row) => {
        const parts = t.trim().split(/\s+/);
        if (parts.length !== dim) throw fail(`${where(row)}: ${parts.length} numbers, the header says ${dim}`);
        parts.forEach((p, i) => (values[row * dim + i] = number(p, row)));
      });
      return { type: 'float_vector', dim, values };
    }
    default:
      return { type: 'varchar', values: texts };
  }
}

export default definePlugin({
  kind: 'reader',
  name: 'csv',
  description: 'Reads rows from a CSV file whose header names each column and its type.',
  options,
  async open(opts, context) {
    const file = resolve(context.baseDir, opts.path);
    await access(file).catch(() => Promise.reject(fail(`${file}: no such file`)));
    const lines = records(file, 1);
    const { value: header } = await lines.next();
    await lines.return(undefined); // closes the file
    if (!header) throw fail(`${file}: empty file (no header line)`);
    const fields = header.map((h, i) => fieldOf(h, file, i));
    const collection = opts.collection ?? basename(file).replace(/\.csv$/i, '');
    const batch = (rows: string[][], first: number): ColumnBatch => ({
      numRows: rows.length,
      columns: new Map(
        fields.map((f, i) => [
          f.name,
          toColumn(
            f,
            rows.map((r) => r[i] ?? ''),
            (row) => `${file}: row ${first + row + 1}: ${f.name}`,
          ),
        ]),
      ),
      cursor: first + rows.length, // rows read so far: where a later run resumes
    });
    const dataset = {
      key: collection,
      collection,
      schema: { fields },
      origin: `csv ${file}`,
      async *batches({ batchRows, resumeFrom }: { batchRows: number; resumeFrom?: unknown }) {
        let done = typeof resumeFrom === 'number' ? resumeFrom : 0;
        let rows: string[][] = [];
        for await (const record of records(file, 2 + done)) {
          if (rows.push(record) < batchRows) continue;
          yield batch(rows, done);
          [done, rows] = [done + rows.length, []];
        }
        if (rows.length > 0) yield batch(rows, done);
      },
    };
    return { datasets: [dataset], close: async () => {} };
  },
});
