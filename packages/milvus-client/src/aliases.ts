/**
 * Aliases on a server: who holds a name, and creating or moving one, each checked by reading
 * it back. DescribeAlias names the collection an alias points to (Milvus 2.3 and later); servers
 * without it (Milvus Lite) resolve an alias in DescribeCollection instead, where a name that
 * resolves to itself is a collection.
 */
import { MilvusdmError } from '@milvusdm/core';
import type { MilvusConnection } from './connection.js';

export type NameHolder = { readonly kind: 'free' } | { readonly kind: 'collection' } | { readonly kind: 'alias'; readonly of: string };

function db(conn: MilvusConnection): Record<string, string> {
  return conn.database ? { db_name: conn.database } : {};
}

/** What `name` is on the server: free, a collection, or an alias of a collection. */
export async function nameHolder(conn: MilvusConnection, name: string): Promise<NameHolder> {
  // Milvus 2.3 answers DescribeCollection on an alias with the alias's own name: ask DescribeAlias
  // first (an error there, "alias not found" or unimplemented, means it is no alias it knows).
  const alias = await conn
    .sdk<{ collection?: string }>('DescribeAlias', { ...db(conn), alias: name }, `describe alias "${name}"`, { retries: 0 })
    .catch(() => undefined);
  if (alias?.collection) return { kind: 'alias', of: alias.collection };
  const has = await conn.sdk<{ value: boolean }>('HasCollection', { ...db(conn), collection_name: name }, `check name "${name}"`);
  if (has.value !== true) return { kind: 'free' };
  const d = await conn.sdk<{ collection_name?: string }>(
    'DescribeCollection',
    { ...db(conn), collection_name: name },
    `describe "${name}"`,
  );
  return d.collection_name && d.collection_name !== name ? { kind: 'alias', of: d.collection_name } : { kind: 'collection' };
}

/** Points `alias` at `collection`: created when free, moved (AlterAlias) when it points elsewhere. */
export async function pointAlias(conn: MilvusConnection, alias: string, collection: string, move: boolean): Promise<void> {
  const what = `${move ? 'move' : 'create'} alias "${alias}" to "${collection}"`;
  await conn.sdk(move ? 'AlterAlias' : 'CreateAlias', { ...db(conn), alias, collection_name: collection }, what);
  const now = await nameHolder(conn, alias);
  if (now.kind !== 'alias' || now.of !== collection) {
    throw new MilvusdmError('MDM_TARGET', `${what}: the server reported success but the alias does not point to "${collection}"`);
  }
}
