/**
 * Names of the collections milvusdm makes beside a target, recognisable by `__milvusdm_`:
 * staging collections (an overwrite writes here first), set-aside ones (the old collection
 * between the two renames of a swap), fill ones (a partition overwrite's new rows while the
 * partition is refilled) and lock markers. `milvusdm cleanup` finds them by these
 * names; readers that dump or copy a whole server should leave them out (isMilvusdmName).
 */
export const MARK = '__milvusdm_';

export function stagingName(target: string, runId: string): string {
  return `${target}${MARK}staging_${runId}`;
}

export function setAsideName(target: string, runId: string): string {
  return `${target}${MARK}old_${runId}`;
}

/**
 * A partition overwrite's staging collection once the replace has begun (partition-swap.ts):
 * renamed so, it holds the complete new rows while the partition is refilled from it, and
 * `milvusdm cleanup` keeps it (the next run of the job completes the replace from it).
 */
export function fillName(target: string, runId: string): string {
  return `${target}${MARK}fill_${runId}`;
}

export function lockName(target: string): string {
  return `${target}${MARK}lock`;
}

export type HelperKind = 'staging' | 'old' | 'fill' | 'lock';

/** What a helper collection is and which target it belongs to, or undefined for a user collection. */
export function parseHelperName(name: string): { kind: HelperKind; target: string; runId?: string } | undefined {
  const m = /^(.+)__milvusdm_(?:(staging|old|fill)_([A-Za-z0-9_]+)|(lock))$/.exec(name);
  if (!m) return undefined;
  if (m[4]) return { kind: 'lock', target: m[1]! };
  return { kind: m[2] as 'staging' | 'old' | 'fill', target: m[1]!, runId: m[3]! };
}

export function isMilvusdmName(name: string): boolean {
  return parseHelperName(name) !== undefined;
}

/** A short id for one run's helper names: letters, digits and _ only (Milvus names). */
export function helperRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}_${Math.random().toString(36).slice(2, 6)}`;
}
