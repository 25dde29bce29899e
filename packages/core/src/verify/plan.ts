/**
 * Which fields a comparison covers, from the schemas both sides announce. Fields are matched
 * by name; a field only one side can show is listed as not compared rather than silently
 * passed, and a target whose keys were assigned by the server is compared without its key.
 */
import { DYNAMIC_FIELD, primaryField, type CollectionSchema } from '../schema.js';
import type { ComparePlan, ComparedField } from './row-hasher.js';

export interface PlanResult {
  readonly plan: ComparePlan;
  readonly notCompared: string[];
  readonly notes: string[];
}

export function comparePlan(source: CollectionSchema, target: CollectionSchema): PlanResult {
  const notes: string[] = [];
  const notCompared: string[] = [];
  const targetByName = new Map(target.fields.map((f) => [f.name, f]));
  const sourcePk = primaryField(source);
  const targetPk = sourcePk ? targetByName.get(sourcePk.name) : undefined;
  let keyField: string | undefined;
  if (sourcePk && !sourcePk.autoId && targetPk && !targetPk.autoId) keyField = sourcePk.name;
  else {
    notes.push(
      sourcePk?.autoId || targetPk?.autoId
        ? 'the target ids were assigned by the server, so rows are compared without their key: counts and a multiset hash of the other fields'
        : 'the two sides share no key field, so rows are compared without their key: counts and a multiset hash of the other fields',
    );
  }
  const fields: ComparedField[] = [];
  for (const f of source.fields) {
    if (f === sourcePk) continue;
    if (targetByName.has(f.name)) fields.push({ name: f.name, elementType: f.elementType });
    else notCompared.push(f.name);
  }
  if (source.enableDynamicField) {
    if (target.enableDynamicField) fields.push({ name: DYNAMIC_FIELD });
    else notCompared.push(DYNAMIC_FIELD);
  }
  for (const f of target.fields) {
    if (f.autoId || f.name === sourcePk?.name) continue;
    if (!source.fields.some((s) => s.name === f.name)) notes.push(`target field "${f.name}" is not in the source and is not compared`);
  }
  if (notCompared.length > 0) notes.push(`not compared (the target read-back does not show them): ${notCompared.join(', ')}`);
  fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { plan: { keyField, fields }, notCompared, notes };
}
