/**
 * Which index each field gets, and building them. By default (`index: source`) every index the
 * source described is rebuilt as it was (name, type, metric, parameters; scalar indexes too),
 * not an AUTOINDEX guess; a vector field the source left without one gets the `auto` choice.
 * `index: auto` chooses per vector type, `{type, params}` sets the vector fields' index, and
 * `false` builds none. `target.metric` overrides the metric of every vector index.
 */
import { isVectorType, vectorFields, type CollectionSchema, type IndexSchema, type Logger, type MetricType } from '@milvusdm/core';
import { buildIndex, describedIndexes, serverInfo, type MilvusCollection, type MilvusConnection } from '@milvusdm/milvus-client';
import { autoIndexType } from './auto-index.js';
import type { MilvusWriterOptions } from './options.js';

export async function planIndexes(
  conn: MilvusConnection,
  schema: CollectionSchema,
  metrics: ReadonlyMap<string, MetricType>,
  index: MilvusWriterOptions['index'],
  /** The source's indexes (already fitted to the server), when it described any. */
  source: readonly IndexSchema[] | undefined,
): Promise<IndexSchema[]> {
  if (index === false) return [];
  const vectors = vectorFields(schema);
  const stored = new Set(schema.fields.map((f) => f.name));
  const plan: IndexSchema[] = [];
  if (index === 'source' && source) {
    for (const i of source) {
      // A source index on a field the target does not have (dropped on the way) is not built.
      const field = [...schema.fields, ...(schema.functionOutputFields ?? [])].find((f) => f.name === i.field);
      if (!field) continue;
      const metric = stored.has(i.field) && isVectorType(field.type) ? (metrics.get(i.field) ?? i.metric) : i.metric;
      if (i.type === 'AUTOINDEX' && (await serverInfo(conn)).localLiteEngine) {
        // The source let its server choose; Milvus Lite 2.x's engine refuses AUTOINDEX, so it gets the choice auto makes there.
        plan.push({ field: i.field, name: i.name, type: await autoIndexType(conn, field), ...(metric ? { metric } : {}) });
        continue;
      }
      plan.push({ ...i, ...(metric ? { metric } : {}) });
    }
  }
  const covered = new Set(plan.map((i) => i.field));
  for (const f of vectors) {
    if (covered.has(f.name)) continue;
    const metric = metrics.get(f.name);
    const custom = typeof index === 'object' ? index : undefined;
    plan.push({
      field: f.name,
      name: f.name,
      type: custom ? custom.type : await autoIndexType(conn, f),
      ...(metric ? { metric } : {}),
      ...(custom?.params
        ? {
            params: Object.fromEntries(
              Object.entries(custom.params).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
            ),
          }
        : {}),
    });
  }
  return plan;
}

/** Builds every planned index the collection does not have yet (by field). */
export async function buildIndexes(
  conn: MilvusConnection,
  target: MilvusCollection,
  plan: readonly IndexSchema[],
  logger: Logger,
): Promise<void> {
  if (plan.length === 0) return;
  const have = new Set((await describedIndexes(target)).map((i) => i.field));
  for (const index of plan) {
    if (have.has(index.field)) continue;
    logger.info(
      `creating ${index.type} index on "${target.name}.${index.field}"${index.metric ? ` with metric ${index.metric}` : ''}${
        index.params
          ? ` (${Object.entries(index.params)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`
          : ''
      }`,
    );
    await buildIndex(conn, target, index);
  }
}
