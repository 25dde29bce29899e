/**
 * The index `index: auto` builds on a vector field, chosen from what the server is (asked once,
 * see serverInfo), never by trying one and falling back: a refused index would leave a created,
 * half-prepared collection behind.
 */
import type { FieldSchema } from '@milvusdm/core';
import { serverInfo, type MilvusConnection } from '@milvusdm/milvus-client';

export async function autoIndexType(conn: MilvusConnection, field: FieldSchema): Promise<string> {
  if (field.type === 'binary_vector') return 'BIN_FLAT';
  if (field.type === 'sparse_float_vector') return 'SPARSE_INVERTED_INDEX';
  // Milvus Lite 2.x's local engine (the one server without GetVersion) refuses AUTOINDEX and
  // builds only FLAT for dense vectors; every Milvus server and Milvus Lite 3 takes AUTOINDEX.
  return (await serverInfo(conn)).localLiteEngine ? 'FLAT' : 'AUTOINDEX';
}
