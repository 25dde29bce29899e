/**
 * A collection schema as a plain JSON document with a format version, so a description read
 * from one server can be stored (the dump archive, M2H attributes) and read back unchanged.
 * Reading validates with zod: a hand-edited or foreign document fails with the path of the bad
 * key instead of producing a half-valid schema.
 */
import { z } from 'zod';
import { MilvusdmError } from './errors.js';
import type { CollectionSchema } from './schema.js';

/** Bumped when a member changes meaning; new optional members do not bump it. */
export const SCHEMA_DOCUMENT_VERSION = 1;
export const SCHEMA_DOCUMENT_FORMAT = 'milvusdm-schema';

const FIELD_TYPES = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'float',
  'double',
  'varchar',
  'json',
  'array',
  'float_vector',
  'binary_vector',
  'float16_vector',
  'bfloat16_vector',
  'int8_vector',
  'sparse_float_vector',
] as const;
const ELEMENT_TYPES = ['bool', 'int8', 'int16', 'int32', 'int64', 'float', 'double', 'varchar'] as const;
const METRICS = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE', 'BM25', 'MHJACCARD'] as const;
const CONSISTENCY = ['Strong', 'Session', 'Bounded', 'Eventually', 'Customized'] as const;

const textMap = z.record(z.string(), z.string());

const field = z.strictObject({
  name: z.string().min(1),
  type: z.enum(FIELD_TYPES),
  dim: z.int().min(1).optional(),
  maxLength: z.int().min(1).optional(),
  elementType: z.enum(ELEMENT_TYPES).optional(),
  maxCapacity: z.int().min(1).optional(),
  isPrimaryKey: z.boolean().optional(),
  autoId: z.boolean().optional(),
  autoIdAtSource: z.boolean().optional(),
  nullable: z.boolean().optional(),
  metric: z.enum(METRICS).optional(),
  description: z.string().optional(),
  isPartitionKey: z.boolean().optional(),
  isClusteringKey: z.boolean().optional(),
  defaultValue: z.union([z.boolean(), z.number(), z.string()]).optional(),
  properties: textMap.optional(),
});

const documentShape = z.strictObject({
  format: z.literal(SCHEMA_DOCUMENT_FORMAT),
  version: z.literal(SCHEMA_DOCUMENT_VERSION),
  fields: z.array(field).min(1),
  description: z.string().optional(),
  enableDynamicField: z.boolean().optional(),
  functionOutputFields: z.array(field).optional(),
  functions: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        type: z.string().min(1),
        inputFields: z.array(z.string()),
        outputFields: z.array(z.string()),
        params: textMap.optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  numShards: z.int().min(1).optional(),
  numPartitions: z.int().min(1).optional(),
  consistencyLevel: z.enum(CONSISTENCY).optional(),
  properties: textMap.optional(),
  indexes: z
    .array(
      z.strictObject({
        field: z.string().min(1),
        name: z.string(),
        type: z.string().min(1),
        metric: z.enum(METRICS).optional(),
        params: textMap.optional(),
      }),
    )
    .optional(),
  aliases: z.array(z.string()).optional(),
  partitions: z.array(z.string()).optional(),
  loaded: z.boolean().optional(),
  database: z.string().min(1).optional(),
});

export type SchemaDocument = z.output<typeof documentShape>;

/** The schema as a JSON-ready document (`JSON.stringify` it as it is). */
export function schemaToDocument(schema: CollectionSchema): SchemaDocument {
  // A JSON round trip drops undefined members and copies every array, so the document shares
  // nothing with the schema it came from.
  const plain = JSON.parse(JSON.stringify(schema)) as Omit<SchemaDocument, 'format' | 'version'>;
  return { format: SCHEMA_DOCUMENT_FORMAT, version: SCHEMA_DOCUMENT_VERSION, ...plain };
}

/** Reads a document written by schemaToDocument; `origin` names it in errors (a file, a dataset). */
export function schemaFromDocument(doc: unknown, origin: string): CollectionSchema {
  const version = (doc as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > SCHEMA_DOCUMENT_VERSION) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `${origin}: schema document version ${version} is newer than this milvusdm reads (${SCHEMA_DOCUMENT_VERSION}); upgrade milvusdm`,
    );
  }
  const parsed = documentShape.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.') || '(document)';
    throw new MilvusdmError('MDM_SOURCE', `${origin}: schema document: ${path}: ${issue.message}`);
  }
  const { format: _format, version: _version, ...schema } = parsed.data;
  return schema as CollectionSchema;
}

export function schemaToJson(schema: CollectionSchema): string {
  return JSON.stringify(schemaToDocument(schema));
}

export function schemaFromJson(text: string, origin: string): CollectionSchema {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MilvusdmError('MDM_SOURCE', `${origin}: schema document is not JSON: ${(e as Error).message}`);
  }
  return schemaFromDocument(doc, origin);
}
