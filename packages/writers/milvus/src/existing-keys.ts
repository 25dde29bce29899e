/**
 * Which keys of a batch the target collection already holds. Asked per batch before it is sent,
 * only when the target held rows when its dataset began (an empty target costs nothing): an
 * `append` must never silently replace (Milvus Lite) or double (Milvus 2.x) an existing row.
 */
import { INT64_MIN, type Column } from '@milvusdm/core';
import { quoteString, queryColumns, type MilvusConnection } from '@milvusdm/milvus-client';
import { queryLoaded } from './reload.js';

/** Keys per `in [...]` query: keeps the expression well under the server's limits. */
const KEYS_PER_QUERY = 2_000;

function literal(v: bigint | string): string {
  return typeof v === 'bigint' ? v.toString() : quoteString(v);
}

export async function existingKeys(
  conn: MilvusConnection,
  collection: string,
  keyField: string,
  keys: Column,
  partitions?: readonly string[],
): Promise<Uint8Array> {
  if (keys.type !== 'int64' && keys.type !== 'varchar') throw new Error(`existing keys: unsupported key type ${keys.type}`);
  const values = keys.values as ArrayLike<bigint | string>;
  const present = new Uint8Array(values.length);
  const found = new Set<bigint | string>();
  const ask = async (expr: string) => {
    const fields = await queryLoaded(conn, collection, () =>
      queryColumns(conn, {
        collection,
        expr,
        outputFields: [keyField],
        consistency: 'Strong',
        ...(partitions ? { partitions } : {}),
      }),
    );
    const column = fields.find((f) => f.name === keyField)?.column;
    const got = (column?.values ?? []) as ArrayLike<bigint | string>;
    for (let i = 0; i < got.length; i++) found.add(got[i]!);
  };
  const batch: (bigint | string)[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // Milvus 2.3 cannot parse the literal -2^63: ask for it as "below -2^63 + 1".
    if (v === INT64_MIN) await ask(`${keyField} < ${INT64_MIN + 1n}`);
    else batch.push(v);
    if (batch.length === KEYS_PER_QUERY || (i === values.length - 1 && batch.length > 0)) {
      await ask(`${keyField} in [${batch.map(literal).join(',')}]`);
      batch.length = 0;
    }
  }
  for (let i = 0; i < values.length; i++) if (found.has(values[i]!)) present[i] = 1;
  return present;
}
