/**
 * Points the source's aliases at the copy, at the end of a run. An alias that is free is
 * created; one that already points at the copy is left; one that points at another collection
 * is moved only under mode overwrite (otherwise it is left as it is, said in one line); a name
 * that is a collection is never touched.
 */
import type { Logger } from '@milvusdm/core';
import { nameHolder, pointAlias, type MilvusConnection } from '@milvusdm/milvus-client';

export async function recreateAliases(
  conn: MilvusConnection,
  collection: string,
  aliases: readonly string[],
  overwrite: boolean,
  logger: Logger,
): Promise<void> {
  for (const alias of aliases) {
    if (alias === collection) continue;
    let holder;
    try {
      holder = await nameHolder(conn, alias);
    } catch (e) {
      logger.warn(`alias "${alias}" was not recreated: ${conn.display} cannot be asked about it (${(e as Error).message})`);
      continue;
    }
    if (holder.kind === 'collection') {
      logger.warn(`alias "${alias}" was not recreated: a collection of that name exists on ${conn.display}`);
    } else if (holder.kind === 'alias' && holder.of === collection) {
      logger.info(`alias "${alias}" already points to "${collection}"`);
    } else if (holder.kind === 'alias' && !overwrite) {
      logger.warn(`alias "${alias}" was left pointing to "${holder.of}" (mode overwrite moves it to "${collection}")`);
    } else {
      logger.info(
        `${holder.kind === 'alias' ? `moving alias "${alias}" from "${holder.of}"` : `creating alias "${alias}"`} to "${collection}"`,
      );
      try {
        await pointAlias(conn, alias, collection, holder.kind === 'alias');
      } catch (e) {
        // A server without aliases (Milvus Lite 2.x's local engine) says so; anything else is a real failure.
        if (!/does not implement|empty answer/.test((e as Error).message)) throw e;
        logger.warn(`alias "${alias}" was not recreated: ${conn.display} has no aliases`);
      }
    }
  }
}
