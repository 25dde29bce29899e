import { MilvusdmError, definePlugin, errorMessage, primaryField, type ChannelContext, type FieldSchema } from '@milvusdm/core';
import { MilvusCollection, MilvusConnection, countRows, everyRowExpr } from '@milvusdm/milvus-client';
import { milvusReaderOptions, type MilvusReaderOptions } from './options.js';
import { filterExpression, shapeSchema, withFilter } from './shape.js';
import { MilvusDataset, MilvusSource } from './source.js';

export { milvusReaderOptions, type MilvusReaderOptions };
// The writer's partition overwrite reads its staging collection back with the same range scan.
export { MilvusDataset };

export default definePlugin({
  kind: 'reader',
  name: 'milvus',
  description: 'Reads every row of live Milvus 2.x+ collections (or chosen partitions), by primary-key ranges.',
  options: milvusReaderOptions,
  async open(options: MilvusReaderOptions, context) {
    const conn = await MilvusConnection.open(options, context, 'source');
    const conns = [conn];
    const loadedByUs: MilvusCollection[] = [];
    try {
      const datasets: MilvusDataset[] = [];
      if (options.databases !== undefined) {
        // One connection per database: Milvus scopes every call to the connection's database.
        for (const db of await databaseNames(conn, options.databases)) {
          const dbConn = await MilvusConnection.open({ ...options, database: db }, context, 'source');
          conns.push(dbConn);
          const names = await collectionNames(dbConn, { ...options, collections: options.collections ?? '*' });
          for (const name of names) datasets.push(...(await openCollection(dbConn, name, options, context, loadedByUs, db)));
          context.logger.info(`database "${db}": ${names.length} collection(s)`);
        }
      } else {
        const names = await collectionNames(conn, options);
        for (const name of names) datasets.push(...(await openCollection(conn, name, options, context, loadedByUs)));
        if (names.length > 1) context.logger.info(`${names.length} collections, ${datasets.length} dataset(s) in all`);
      }
      return new MilvusSource(conns, datasets, loadedByUs);
    } catch (e) {
      for (const c of loadedByUs) await c.release().catch(() => undefined);
      for (const c of conns) await c.close();
      throw e;
    }
  },
});

/** The databases `databases` names, each checked to exist; '*' is every database of the server, by name. */
async function databaseNames(conn: MilvusConnection, databases: readonly string[] | '*'): Promise<string[]> {
  const r = await conn.sdk<{ db_names?: string[] }>('ListDatabases', {}, 'list databases');
  const have = [...(r.db_names ?? [])].sort();
  if (databases === '*') return have;
  const missing = databases.filter((d) => !have.includes(d));
  if (missing.length > 0) {
    throw new MilvusdmError(
      'MDM_SOURCE',
      `source.databases: ${missing.map((d) => `"${d}"`).join(', ')} not on ${conn.display} (it has ${have.join(', ')})`,
    );
  }
  return [...new Set(databases)];
}

/** The collections the options name, each checked to exist; '*' is every collection of the database, by name. */
async function collectionNames(conn: MilvusConnection, options: MilvusReaderOptions): Promise<string[]> {
  if (options.collection !== undefined) return [options.collection];
  if (options.collections === '*') {
    // milvusdm's own helpers (staging copies, locks) are not data to read.
    return (await conn.listCollections()).filter((n) => !n.includes('__milvusdm_')).sort();
  }
  return [...new Set(options.collections ?? [])];
}

/** The datasets of one collection (one per partition), loading it for the read if its owner had not. */
async function openCollection(
  conn: MilvusConnection,
  name: string,
  options: MilvusReaderOptions,
  context: ChannelContext,
  loadedByUs: MilvusCollection[],
  /** Set when the job reads several databases: recorded in the schema, so the writer keeps it. */
  database?: string,
): Promise<MilvusDataset[]> {
  const collection = new MilvusCollection(conn, name);
  const where = options.collection !== undefined ? 'source.collection' : 'source.collections';
  if (!(await collection.exists())) {
    throw new MilvusdmError('MDM_SOURCE', `${where}: "${name}" does not exist on ${conn.display}`);
  }
  // The whole description (indexes, aliases, properties, load state…), taken before this
  // read loads anything, so `loaded` says how the source was left by its owner.
  const described = await collection.describeFully();
  const pk = primaryField(described);
  if (!pk || (pk.type !== 'int64' && pk.type !== 'varchar')) {
    throw new MilvusdmError('MDM_UNSUPPORTED', `${name}: primary key of type ${pk?.type ?? 'none'} is not supported`);
  }
  // The ids exist at the source, generated or not: the target must keep them.
  const kept = { ...described, fields: described.fields.map((f) => (f.isPrimaryKey ? keepKeys(f) : f)) };
  // Renamed and dropped fields (source.fields, source.drop); the filter stays in the source's names.
  const shaped = shapeSchema(name, kept, options.fields, options.drop);
  const { sourceName } = shaped;
  const schema = database ? { ...shaped.schema, database } : shaped.schema;
  const filter = filterExpression(options.filter, options.filter_values);
  if (options.fields || options.drop || filter) {
    context.logger.info(
      `${name}: ${[
        filter ? `rows where ${filter}` : '',
        options.fields
          ? `renamed ${Object.entries(options.fields)
              .map(([a, b]) => `${a}→${b}`)
              .join(', ')}`
          : '',
        options.drop ? `without ${options.drop.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`,
    );
  }
  if (!(await collection.isLoaded())) {
    context.logger.info(`loading "${name}" to read it (released again at the end)`);
    await collection.load();
    loadedByUs.push(collection);
  }
  let partitions: (string | undefined)[];
  const partitionKey = described.fields.find((f) => f.isPartitionKey);
  if (partitionKey && options.partitions) {
    throw new MilvusdmError(
      'MDM_SOURCE',
      `source.partitions: "${name}" places rows in partitions by its partition key "${partitionKey.name}"; it is read whole`,
    );
  }
  const available = partitionKey
    ? undefined
    : await collection.partitions().catch((e: unknown) => {
        if (options.partitions) throw e;
        // Milvus Lite 2.5 has no partitions: the collection is one dataset.
        context.logger.debug(`partitions of "${name}" cannot be listed (${errorMessage(e)}); reading the whole collection`);
        return undefined;
      });
  if (options.partitions) {
    const missing = options.partitions.filter((p) => !available!.includes(p));
    if (missing.length > 0) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `source.partitions: ${missing.map((p) => `"${p}"`).join(', ')} not in collection "${name}" (it has ${available!.join(', ')})`,
      );
    }
    partitions = options.partitions;
  } else partitions = available ?? [undefined];
  const datasets: MilvusDataset[] = [];
  for (const p of partitions) {
    const every = p ? everyRowExpr(pk.name, pk.type as 'int64' | 'varchar') : '';
    const rows = await countRows(conn, name, withFilter(filter, every), p ? [p] : undefined);
    datasets.push(
      new MilvusDataset(conn, name, p, schema, rows, options.page_rows, context.logger, context.run?.duplicates, options.count_duplicates, {
        sourceName,
        filter,
        database,
        allowChanges: options.changes === 'allow',
      }),
    );
  }
  context.logger.info(`${name}: ${datasets.length} dataset(s), ${datasets.reduce((n, d) => n + d.rows, 0)} rows`);
  return datasets;
}

/** The key field as read: its values are yielded (no autoID), and an autoID source is recorded. */
function keepKeys(field: FieldSchema): FieldSchema {
  const { autoId, ...rest } = field;
  return autoId ? { ...rest, autoIdAtSource: true } : rest;
}
