/**
 * Can this server hold these fields? Asked before the writer creates a collection: Milvus 2.3
 * does not refuse a float16 vector field cleanly (its query nodes crash on it), so the writer
 * refuses first, in one line naming the field and the release that first stores it.
 */
import { isVectorType, vectorFields, type CollectionSchema, type FieldType } from '@milvusdm/core';
import type { ServerInfo } from '@milvusdm/milvus-client';

type Release = readonly [number, number];

/** The first Milvus release that stores each field type (those not listed: every 2.x). */
const FIRST_RELEASE: Partial<Record<FieldType, Release>> = {
  float16_vector: [2, 4],
  bfloat16_vector: [2, 4],
  sparse_float_vector: [2, 4],
  int8_vector: [2, 6],
};
/** Several vector fields in one collection: Milvus 2.4 on. */
const MULTI_VECTOR: Release = [2, 4];

/*
 * Milvus Lite 3 stores these vector types and refuses the others at create time ("field 'b' uses
 * Milvus type BinaryVector which MilvusLite does not support", measured on 3.2.2): said here with
 * the rest of what the collection asks, before anything is created.
 */
const LITE3_VECTORS: ReadonlySet<FieldType> = new Set(['float_vector', 'sparse_float_vector']);

const before = (have: Release, need: Release) => have[0] < need[0] || (have[0] === need[0] && have[1] < need[1]);

/**
 * What `schema` asks of `server` that its release does not have, as sentences. Milvus Lite is
 * versioned on its own (3.x, or no version at all): only Lite 3's vector types are judged here.
 */
export function serverProblems(schema: CollectionSchema, server: ServerInfo): string[] {
  if (/^milvus_lite-3\./i.test(server.version ?? '')) {
    return schema.fields
      .filter((f) => isVectorType(f.type) && !LITE3_VECTORS.has(f.type))
      .map((f) => `field "${f.name}" is ${f.type}, which Milvus Lite 3 does not store (it stores ${[...LITE3_VECTORS].join(' and ')})`);
  }
  const release = server.release;
  if (!release || server.localLiteEngine || /^milvus_lite-/i.test(server.version ?? '')) return [];
  const problems: string[] = [];
  for (const field of schema.fields) {
    const need = FIRST_RELEASE[field.type];
    if (need && before(release, need)) {
      problems.push(`field "${field.name}" is ${field.type}, which needs Milvus ${need.join('.')} or later`);
    }
  }
  const vectors = vectorFields(schema);
  if (vectors.length > 1 && before(release, MULTI_VECTOR)) {
    problems.push(
      `${vectors.length} vector fields (${vectors.map((f) => f.name).join(', ')}) need Milvus ${MULTI_VECTOR.join('.')} or later`,
    );
  }
  return problems;
}
