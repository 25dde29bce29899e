/**
 * Building an index exactly as described (name, type, metric, parameters), for vector and
 * scalar fields alike, each checked by reading the description back: the SDK reports an
 * unimplemented call as an empty success.
 */
import { MilvusdmError, type IndexSchema } from '@milvusdm/core';
import type { MilvusCollection } from './collection.js';
import type { MilvusConnection } from './connection.js';
import { indexesFromDescription } from './schema-map.js';

/** The indexes a collection has, as IndexSchema (none when it has none). */
export async function describedIndexes(collection: MilvusCollection): Promise<IndexSchema[]> {
  return indexesFromDescription(await collection.indexDescriptions());
}

/**
 * Every parameter as its own key, as pymilvus sends them (and as servers then describe them):
 * packing them into one JSON `params` entry, as the SDK does, is described back differently.
 */
function paramsForCreate(params: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { ...params };
}

export async function buildIndex(conn: MilvusConnection, collection: MilvusCollection, index: IndexSchema): Promise<void> {
  const what = `create ${index.type} index "${index.name}" on "${collection.name}.${index.field}"`;
  const extra = paramsForCreate(index.params);
  await conn.call(
    what,
    () =>
      conn.client.createIndex({
        collection_name: collection.name,
        ...(conn.database ? { db_name: conn.database } : {}),
        field_name: index.field,
        ...(index.name && index.name !== index.field ? { index_name: index.name } : {}),
        index_type: index.type,
        ...(index.metric ? { metric_type: index.metric } : {}),
        ...(Object.keys(extra).length > 0 ? { extra_params: extra } : {}),
      }),
    { idempotent: false },
  );
  if (!(await describedIndexes(collection)).some((i) => i.field === index.field)) {
    throw new MilvusdmError('MDM_TARGET', `${what}: the server reported success but no index exists`);
  }
}
