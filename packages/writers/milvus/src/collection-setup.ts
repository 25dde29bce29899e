/**
 * Creating the target collection as the source described it: fields with their defaults,
 * keys and analyzers, functions, shards, partition count, consistency level and properties
 * (create-request.ts), then its indexes (indexes.ts); and what to do at the end (load it,
 * point its aliases at it). Everything the server's release lacks is found before anything
 * is created (server-fit.ts for field types, property-fit.ts for the rest).
 */
import { MilvusdmError, type CollectionSchema, type IndexSchema, type Logger, type MetricType } from '@milvusdm/core';
import { serverInfo, type MilvusCollection, type MilvusConnection } from '@milvusdm/milvus-client';
import type { MilvusWriterOptions } from './options.js';
import { propertyFit } from './property-fit.js';
import { schemaToCreate } from './schema-fit.js';
import { serverProblems } from './server-fit.js';

/** What the writer does with a collection beyond its rows, decided when it is prepared. */
export interface CollectionSetup {
  /** The source's indexes, fitted to the server (undefined: the source described none). */
  readonly indexes?: readonly IndexSchema[] | undefined;
  /** Load the collection at the end: the job's `load`, else as the source was. */
  readonly load: boolean;
  /**
   * Leave a collection this run created unloaded, even where the server loads on create (Milvus
   * Lite 3): the job says `load: false`, or says nothing and the source described it unloaded.
   */
  readonly unloaded: boolean;
  /** Aliases to point at the collection at the end (none under `aliases: false`). */
  readonly aliases: readonly string[];
}

/** The setup for a collection this run does not create (it exists, or an interrupted run made it). */
export function setupOf(source: CollectionSchema, options: MilvusWriterOptions): CollectionSetup {
  return {
    load: options.load ?? source.loaded === true,
    unloaded: options.load === false || (options.load === undefined && source.loaded === false),
    aliases: options.aliases ? [...(source.aliases ?? [])] : [],
  };
}

/**
 * Checks the source's schema, properties and indexes against the server, then creates the
 * collection. Stops before creating anything when the server lacks something, naming every
 * such field, property and index in one line (or, under `unsupported: drop`, leaves out what
 * can go and says so in one line).
 */
export async function createCollection(
  conn: MilvusConnection,
  target: MilvusCollection,
  name: string,
  source: CollectionSchema,
  metric: MetricType | undefined,
  options: MilvusWriterOptions,
  logger: Logger,
): Promise<CollectionSetup> {
  const wanted = schemaToCreate(source, metric);
  const server = await serverInfo(conn);
  const tooNew = serverProblems(wanted, server);
  const sourceIndexes = options.index === 'source' ? source.indexes : undefined;
  const fit = propertyFit(wanted, sourceIndexes ?? [], server);
  const refused = [...tooNew, ...(options.unsupported === 'drop' ? fit.fatal : fit.problems)];
  if (refused.length > 0) {
    throw new MilvusdmError('MDM_UNSUPPORTED', `collection "${name}": ${refused.join('; ')}; ${conn.display} runs ${server.version}`, {
      hint:
        fit.problems.length > fit.fatal.length
          ? 'Nothing was created. Choose a newer Milvus as the target, or set target.unsupported: drop to create the collection without what the server lacks.'
          : 'Nothing was created. Choose a newer Milvus as the target, or leave those fields out of the source.',
    });
  }
  if (fit.problems.length > 0) {
    logger.warn(`collection "${name}" is created without what ${conn.display} lacks (unsupported: drop): ${fit.problems.join('; ')}`);
  }
  if (fit.notes.length > 0) {
    logger.warn(`collection "${name}": ${conn.display} does not keep ${fit.notes.join(', ')}`);
  }
  // Under `fail` nothing the server lacks is left by now but descriptions, which it drops anyway.
  const schema = options.unsupported === 'drop' || fit.notes.length > 0 ? fit.schema : wanted;
  const key = schema.fields.find((f) => f.isPrimaryKey);
  if (key?.autoIdAtSource) {
    // Milvus takes no keys for an autoID field: the copy keeps the source's keys, so it cannot be autoID.
    logger.info(`"${name}.${key.name}" was autoID at the source; the copy keeps its keys, so it is created without autoID`);
  }
  logger.info(`creating collection "${name}"`);
  await target.create(schema);
  return {
    ...setupOf(source, options),
    ...(sourceIndexes ? { indexes: options.unsupported === 'drop' ? fit.indexes : sourceIndexes } : {}),
  };
}
