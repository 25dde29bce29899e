/**
 * Can this server hold the collection's properties and indexes as the source had them? Asked
 * before the writer creates anything, by the server's release (server-info.ts), never by
 * trying: a property the release lacks is either ignored silently by the server (Milvus 2.3
 * drops a default value it does not know) or refused half-way. Each problem is one sentence
 * naming the field or property, the index and the release that first has it.
 *
 * `unsupported: drop` removes what can go without changing a row (a default value, a
 * clustering key, a collection property, a function with its output field, an index type, which
 * is then chosen by the server); nullable fields cannot go: their nulls would not fit.
 */
import { isVectorType, type CollectionSchema, type FieldSchema, type IndexSchema } from '@milvusdm/core';
import type { ServerInfo } from '@milvusdm/milvus-client';

type Release = readonly [number, number];

const before = (have: Release, need: Release) => have[0] < need[0] || (have[0] === need[0] && have[1] < need[1]);

/*
 * First releases, from the Milvus documentation of each feature: nullable fields and default
 * values, BM25 functions and analyzers are documented from 2.5; clustering keys, sparse and
 * scalar INVERTED indexes from 2.4. mmap settings are measured instead: Milvus 2.3.5 keeps the
 * collection's `mmap.enabled` and the fields' (it describes them back and loads such a
 * collection), though its documentation first lists them for 2.4; 2.3 is the first release with mmap.
 */
const MMAP: Release = [2, 3];
const NULLABLE: Release = [2, 5];
const DEFAULT_VALUE: Release = [2, 5];
const CLUSTERING_KEY: Release = [2, 4];
const FUNCTIONS: Release = [2, 5];
/** Field type params beyond dim / max_length / max_capacity. */
const FIELD_PARAMS: Readonly<Record<string, Release>> = {
  enable_analyzer: [2, 5],
  enable_match: [2, 5],
  analyzer_params: [2, 5],
  multi_analyzer_params: [2, 5],
  'mmap.enabled': MMAP,
};
const COLLECTION_PROPERTIES: Readonly<Record<string, Release>> = {
  'mmap.enabled': MMAP,
  'collection.ttl.seconds': [2, 2],
};
const INDEX_TYPES: Readonly<Record<string, Release>> = {
  SPARSE_INVERTED_INDEX: [2, 4],
  SPARSE_WAND: [2, 4],
  INVERTED: [2, 4],
  BITMAP: [2, 5],
};
const METRICS: Readonly<Record<string, Release>> = { BM25: [2, 5] };
/**
 * Milvus Lite 2.x's local engine builds these and nothing else: FLAT, BIN_FLAT and
 * SPARSE_INVERTED_INDEX on vectors; INVERTED and Trie on scalars (measured on 2.5.1 with pymilvus).
 */
const LOCAL_LITE_INDEXES = new Set(['FLAT', 'BIN_FLAT', 'SPARSE_INVERTED_INDEX', 'INVERTED', 'Trie']);

export interface FitResult {
  /** What the server cannot hold, one sentence each; empty when everything fits. */
  readonly problems: string[];
  /**
   * Descriptions the server will not keep: said in one warning, never a reason to stop (file
   * readers write their own, e.g. the Faiss index chain, and no row or search depends on them).
   */
  readonly notes: string[];
  /** Subset of `problems` that `unsupported: drop` cannot remove. */
  readonly fatal: string[];
  /** The schema without what `unsupported: drop` removes. */
  readonly schema: CollectionSchema;
  /** The indexes to build, without those the server lacks (the writer picks its own for those fields). */
  readonly indexes: IndexSchema[];
}

const need = (r: Release) => `Milvus ${r.join('.')} or later`;

/*
 * Milvus Lite 3.x (version `milvus_lite-3.*`) takes every property at create time without a
 * word but keeps only some (measured on 3.2.2 with pymilvus and with milvusdm alike): it
 * describes no collection or field description, always consistency Strong, 16 partitions (+
 * `_default`) for a partition key whatever was asked, no clustering key, no max_length of
 * VarChar array elements, no field-level mmap setting, no index build parameters and no index
 * names (it names each index after its field); it keeps the collection's `mmap.enabled`. On
 * scalar fields it builds INVERTED only: STL_SORT and Trie (Milvus 2.3's) it refuses at build time.
 */
/** Field type params Milvus Lite 3 takes at create time and then describes no more. */
const LITE3_DROPPED_FIELD_PARAMS = new Set(['mmap.enabled']);
const LITE3_SCALAR_INDEX = 'INVERTED';
const LITE3_PARTITIONS = 17;

export function propertyFit(schema: CollectionSchema, indexes: readonly IndexSchema[], server: ServerInfo): FitResult {
  const problems: string[] = [];
  const fatal: string[] = [];
  const notes: string[] = [];
  const lite3 = /^milvus_lite-3\./i.test(server.version ?? '');
  const judged = !server.localLiteEngine && !/^milvus_lite-/i.test(server.version ?? '') ? server.release : undefined;
  const lacks = (r: Release) => judged !== undefined && before(judged, r);
  const lite = 'which Milvus Lite 3 does not keep';
  let description = schema.description;
  if (lite3 && description) {
    notes.push(`the collection's description`);
    description = undefined;
  }
  let consistencyLevel = schema.consistencyLevel;
  if (lite3 && consistencyLevel && consistencyLevel !== 'Strong') {
    problems.push(`consistency level ${consistencyLevel}, ${lite} (it is always Strong)`);
    consistencyLevel = undefined;
  }
  let numPartitions = schema.numPartitions;
  if (lite3 && numPartitions !== undefined && numPartitions !== LITE3_PARTITIONS) {
    problems.push(`a partition key with ${numPartitions} partitions, ${lite} (it makes ${LITE3_PARTITIONS})`);
    numPartitions = undefined;
  }

  const fitField = (f: FieldSchema): FieldSchema => {
    let out: FieldSchema = f;
    if (f.nullable && lacks(NULLABLE)) {
      const p = `field "${f.name}" is nullable, which needs ${need(NULLABLE)}`;
      problems.push(p);
      fatal.push(p);
    }
    if (f.defaultValue !== undefined && lacks(DEFAULT_VALUE)) {
      problems.push(`field "${f.name}" has a default value, which needs ${need(DEFAULT_VALUE)}`);
      const { defaultValue: _d, ...rest } = out;
      out = rest;
    }
    if (lite3 && f.description) {
      notes.push(`the description of field "${f.name}"`);
      const { description: _d, ...rest } = out;
      out = rest;
    }
    if (lite3 && f.type === 'array' && f.elementType === 'varchar' && f.maxLength !== undefined) {
      problems.push(`array field "${f.name}" bounds its strings (max_length ${f.maxLength}), ${lite}`);
      const { maxLength: _m, ...rest } = out;
      out = rest;
    }
    if (f.isClusteringKey && (lacks(CLUSTERING_KEY) || lite3)) {
      problems.push(`field "${f.name}" is the clustering key, ${lite3 ? lite : `which needs ${need(CLUSTERING_KEY)}`}`);
      const { isClusteringKey: _c, ...rest } = out;
      out = rest;
    }
    if (f.properties) {
      const kept: Record<string, string> = {};
      for (const [k, v] of Object.entries(f.properties)) {
        const r = FIELD_PARAMS[k];
        if (r && lacks(r)) problems.push(`field "${f.name}" sets ${k}, which needs ${need(r)}`);
        else if (lite3 && LITE3_DROPPED_FIELD_PARAMS.has(k)) problems.push(`field "${f.name}" sets ${k}, ${lite}`);
        else kept[k] = v;
      }
      const { properties: _p, ...rest } = out;
      out = Object.keys(kept).length > 0 ? { ...rest, properties: kept } : rest;
    }
    return out;
  };

  let functions = schema.functions;
  let outputs = schema.functionOutputFields;
  if (functions && functions.length > 0 && lacks(FUNCTIONS)) {
    for (const fn of functions) {
      problems.push(`function "${fn.name}" (${fn.type}, filling ${fn.outputFields.join(', ')}) needs ${need(FUNCTIONS)}`);
    }
    functions = undefined;
    outputs = undefined;
  }
  const dropped = new Set((schema.functionOutputFields ?? []).map((f) => f.name).filter((n) => !outputs?.some((o) => o.name === n)));

  let properties = schema.properties;
  if (properties) {
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(properties)) {
      const r = COLLECTION_PROPERTIES[k];
      if (r && lacks(r)) problems.push(`collection property ${k} needs ${need(r)}`);
      else kept[k] = v;
    }
    properties = Object.keys(kept).length > 0 ? kept : undefined;
  }

  const allFields = [...schema.fields, ...(schema.functionOutputFields ?? [])];
  const keptIndexes: IndexSchema[] = [];
  for (const index of indexes) {
    if (dropped.has(index.field)) continue;
    const where = `index "${index.name}" on "${index.field}"`;
    const onType = allFields.find((f) => f.name === index.field)?.type;
    if (lite3 && onType === 'array') {
      // Measured on 3.2.2: "field type ARRAY does not support scalar index", at build time, after the create.
      problems.push(`${where} is on an array field; Milvus Lite 3 builds no index on array fields`);
      continue;
    }
    if (lite3 && onType !== undefined && !isVectorType(onType) && index.type !== LITE3_SCALAR_INDEX) {
      // Dropped, the field goes without an index: the server picks none for scalars.
      problems.push(`${where} is ${index.type}; Milvus Lite 3 builds only ${LITE3_SCALAR_INDEX} on scalar fields`);
      continue;
    }
    // AUTOINDEX is "the server's choice": indexes.ts asks the local engine for its own (FLAT…).
    if (server.localLiteEngine && index.type !== 'AUTOINDEX' && !LOCAL_LITE_INDEXES.has(index.type)) {
      problems.push(`${where} is ${index.type}; Milvus Lite's local engine builds only ${[...LOCAL_LITE_INDEXES].join(', ')}`);
      continue;
    }
    const r = INDEX_TYPES[index.type];
    if (r && lacks(r)) {
      problems.push(`${where} is ${index.type}, which needs ${need(r)}`);
      continue;
    }
    const m = index.metric ? METRICS[index.metric] : undefined;
    if (m && lacks(m)) {
      problems.push(`${where} uses metric ${index.metric}, which needs ${need(m)}`);
      continue;
    }
    let fitted = index;
    if (lite3 && index.name !== index.field) {
      problems.push(`${where} is named other than its field, ${lite} (it names an index after its field)`);
      fitted = { ...fitted, name: index.field };
    }
    if (lite3 && index.params) {
      const params = Object.entries(index.params).map(([k, v]) => `${k}=${v}`);
      problems.push(`${where} is built with ${params.join(', ')}, ${lite}`);
      const { params: _p, ...bare } = fitted;
      fitted = bare;
    }
    keptIndexes.push(fitted);
  }

  const {
    functions: _f,
    functionOutputFields: _o,
    properties: _p,
    description: _d,
    consistencyLevel: _c,
    numPartitions: _n,
    ...rest
  } = schema;
  return {
    problems,
    notes,
    fatal,
    schema: {
      ...rest,
      fields: schema.fields.map(fitField),
      ...(functions && functions.length > 0 ? { functions } : {}),
      ...(outputs && outputs.length > 0 ? { functionOutputFields: outputs.map(fitField) } : {}),
      ...(properties ? { properties } : {}),
      ...(description ? { description } : {}),
      ...(consistencyLevel ? { consistencyLevel } : {}),
      ...(numPartitions !== undefined ? { numPartitions } : {}),
    },
    indexes: keptIndexes,
  };
}

/** Vector fields (stored or function outputs) the plan leaves without an index. */
export function unindexedVectors(schema: CollectionSchema, indexes: readonly IndexSchema[]): FieldSchema[] {
  const have = new Set(indexes.map((i) => i.field));
  return [...schema.fields, ...(schema.functionOutputFields ?? [])].filter((f) => isVectorType(f.type) && !have.has(f.name));
}
