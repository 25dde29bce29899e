/**
 * What a source looked like when a run started: each dataset's key, announced rows and schema
 * (known to the core for every reader), plus whatever the reader adds (file sizes and times).
 * A resumed run compares it with the source as it is now, because a cursor into a changed
 * input points at other rows.
 */
import type { ReaderSource } from '../plugin.js';
import { describeSchema } from '../schema.js';

export interface SourceFingerprint {
  readonly datasets: readonly { readonly key: string; readonly rows: number | null; readonly schema: string }[];
  readonly source: Readonly<Record<string, unknown>> | null;
}

export async function fingerprintOf(source: ReaderSource): Promise<SourceFingerprint> {
  return {
    datasets: source.datasets.map((d) => ({ key: d.key, rows: d.rows ?? null, schema: describeSchema(d.schema) })),
    source: source.fingerprint ? await source.fingerprint() : null,
  };
}

/** Human descriptions of what differs between two fingerprints (at most a few). */
export function fingerprintChanges(before: unknown, now: SourceFingerprint): string[] {
  const changes: string[] = [];
  const old = (before ?? {}) as Partial<SourceFingerprint>;
  const oldSets = new Map((old.datasets ?? []).map((d) => [d.key, d]));
  const newSets = new Map(now.datasets.map((d) => [d.key, d]));
  for (const [key, d] of newSets) {
    const o = oldSets.get(key);
    if (!o) changes.push(`dataset ${key} is new`);
    else {
      if (o.rows !== d.rows) changes.push(`dataset ${key} had ${o.rows ?? 'unknown'} rows, now ${d.rows ?? 'unknown'}`);
      if (o.schema !== d.schema) changes.push(`dataset ${key} had fields ${o.schema}, now ${d.schema}`);
    }
  }
  for (const key of oldSets.keys()) if (!newSets.has(key)) changes.push(`dataset ${key} is gone`);
  const files = fileChanges(old.source ?? null, now.source);
  if (files) {
    // Files in words; whatever else the reader put beside them, compared as values.
    changes.push(...files);
    const { files: _a, ...restBefore } = old.source ?? {};
    const { files: _b, ...restNow } = now.source ?? {};
    diffValues('', restBefore, restNow, changes);
  } else diffValues('', old.source ?? null, now.source, changes);
  return changes.slice(0, 5);
}

type FileStamp = { readonly size?: unknown; readonly mtime?: unknown };

/**
 * `PATH was modified at TIME (N → M bytes)`, `PATH is gone`, `PATH is new`, when both
 * fingerprints list files as the file readers do (`files: {path: {size, mtime}}`); else undefined.
 */
function fileChanges(
  before: Readonly<Record<string, unknown>> | null,
  now: Readonly<Record<string, unknown>> | null,
): string[] | undefined {
  const was = before?.['files'];
  const is = now?.['files'];
  if (!isRecord(was) || !isRecord(is)) return undefined;
  const out: string[] = [];
  for (const [path, value] of Object.entries(is)) {
    const stamp = value as FileStamp;
    const old = was[path] as FileStamp | undefined;
    if (!old) {
      out.push(`${path} is new`);
      continue;
    }
    if (old.size === stamp.size && old.mtime === stamp.mtime) continue;
    const when = typeof stamp.mtime === 'number' ? ` at ${new Date(stamp.mtime).toISOString()}` : '';
    const size = old.size !== stamp.size ? ` (${String(old.size)} → ${String(stamp.size)} bytes)` : '';
    out.push(`${path} was modified${when}${size}`);
  }
  for (const path of Object.keys(was)) if (!(path in is)) out.push(`${path} is gone`);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function diffValues(path: string, a: unknown, b: unknown, out: string[]): void {
  if (out.length >= 5) return;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys)
      diffValues(path ? `${path} ${k}` : k, (a as Record<string, unknown>)[k] ?? null, (b as Record<string, unknown>)[k] ?? null, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path || 'source'}: was ${JSON.stringify(a)}, now ${JSON.stringify(b)}`);
}
