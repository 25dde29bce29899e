import { MilvusdmError, definePlugin, errorMessage, primaryField, type FieldSchema } from '@milvusdm/core';
import { MilvusCollection, MilvusConnection, countRows, everyRowExpr } from '@milvusdm/milvus-client';
import { milvusReaderOptions, type MilvusReaderOptions } from './options.js';
import { MilvusDataset, MilvusSource } from './source.js';

export { milvusReaderOptions, type MilvusReaderOptions };

export default definePlugin({
  kind: 'reader',
  name: 'milvus',
  description: 'Reads every row of a live Milvus 2.x+ collection (or chosen partitions), by primary-key ranges.',
  options: milvusReaderOptions,
  async open(options: MilvusReaderOptions, context) {
    const conn = await MilvusConnection.open(options, context, 'source');
    let loadedByUs: MilvusCollection | undefined;
    try {
      const collection = new MilvusCollection(conn, options.collection);
      if (!(await collection.exists())) {
        throw new MilvusdmError('MDM_SOURCE', `source.collection: "${options.collection}" does not exist on ${conn.display}`);
      }
      // The whole description (indexes, aliases, properties, load state…), taken before this
      // read loads anything, so `loaded` says how the source was left by its owner.
      const described = await collection.describeFully();
      const pk = primaryField(described);
      if (!pk || (pk.type !== 'int64' && pk.type !== 'varchar')) {
        throw new MilvusdmError('MDM_UNSUPPORTED', `${options.collection}: primary key of type ${pk?.type ?? 'none'} is not supported`);
      }
      // The ids exist at the source, generated or not: the target must keep them.
      const schema = { ...described, fields: described.fields.map((f) => (f.isPrimaryKey ? keepKeys(f) : f)) };
      if (!(await collection.isLoaded())) {
        context.logger.info(`loading "${options.collection}" to read it (released again at the end)`);
        await collection.load();
        loadedByUs = collection;
      }
      let partitions: (string | undefined)[];
      const partitionKey = described.fields.find((f) => f.isPartitionKey);
      if (partitionKey && options.partitions) {
        throw new MilvusdmError(
          'MDM_SOURCE',
          `source.partitions: "${options.collection}" places rows in partitions by its partition key "${partitionKey.name}"; it is read whole`,
        );
      }
      const available = partitionKey
        ? undefined
        : await collection.partitions().catch((e: unknown) => {
            if (options.partitions) throw e;
            // Milvus Lite 2.5 has no partitions: the collection is one dataset.
            context.logger.debug(
              `partitions of "${options.collection}" cannot be listed (${errorMessage(e)}); reading the whole collection`,
            );
            return undefined;
          });
      if (options.partitions) {
        const missing = options.partitions.filter((p) => !available!.includes(p));
        if (missing.length > 0) {
          throw new MilvusdmError(
            'MDM_SOURCE',
            `source.partitions: ${missing.map((p) => `"${p}"`).join(', ')} not in collection "${options.collection}" (it has ${available!.join(', ')})`,
          );
        }
        partitions = options.partitions;
      } else partitions = available ?? [undefined];
      const datasets = [];
      for (const p of partitions) {
        const rows = await countRows(
          conn,
          options.collection,
          p ? everyRowExpr(pk.name, pk.type as 'int64' | 'varchar') : '',
          p ? [p] : undefined,
        );
        datasets.push(
          new MilvusDataset(
            conn,
            options.collection,
            p,
            schema,
            rows,
            options.page_rows,
            context.logger,
            context.run?.duplicates,
            options.count_duplicates,
          ),
        );
      }
      context.logger.info(`${options.collection}: ${datasets.length} dataset(s), ${datasets.reduce((n, d) => n + d.rows, 0)} rows`);
      return new MilvusSource(conn, datasets, loadedByUs);
    } catch (e) {
      await loadedByUs?.release().catch(() => undefined);
      await conn.close();
      throw e;
    }
  },
});

/** The key field as read: its values are yielded (no autoID), and an autoID source is recorded. */
function keepKeys(field: FieldSchema): FieldSchema {
  const { autoId, ...rest } = field;
  return autoId ? { ...rest, autoIdAtSource: true } : rest;
}
