/**
 * A server killed and restarted mid-run comes back with its collections released (Milvus Lite
 * 3.2 does not remember what was loaded), so a query the run asks on a collection it had loaded
 * is refused: "Collection '…' is in state 'released'". The collection is loaded again and the
 * query asked once more — a query only reads, so asking twice changes nothing.
 */
import { errorMessage } from '@milvusdm/core';
import { MilvusCollection, type MilvusConnection } from '@milvusdm/milvus-client';

const RELEASED = /in state 'released'|collection not loaded|not loaded into memory/i;

export async function queryLoaded<T>(conn: MilvusConnection, collection: string, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (e) {
    if (!RELEASED.test(errorMessage(e))) throw e;
    await new MilvusCollection(conn, collection).load();
    return query();
  }
}
