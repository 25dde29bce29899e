/**
 * Reading a job file: safe YAML (no custom tags, bounded aliases), then the legacy MilvusDM
 * format or the milvusdm format, told apart by the top-level keys.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { MilvusdmError, errorMessage } from '../errors.js';
import { fromLegacyFormat, isLegacyDocument } from './legacy.js';
import { fromNewFormat } from './new-format.js';
import type { JobSpec } from './spec.js';

export interface LoadJobOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Names this run's output folder where a format asks for one (legacy M2H). */
  readonly runId?: string;
}

/** Parses YAML text into plain data, or throws an error naming the file, line and column. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, schema: 'core' });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new MilvusdmError('MDM_JOB_FILE', `${where}: ${first.message.split('\n')[0]}`);
  }
  try {
    // A small alias budget stops "billion laughs" documents.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new MilvusdmError('MDM_JOB_FILE', `${file}: ${errorMessage(e)}`);
  }
}

export function jobFromDocument(doc: unknown, file: string | undefined, baseDir: string, options: LoadJobOptions = {}): JobSpec {
  const where = file ?? 'job';
  if (doc === null || doc === undefined) throw new MilvusdmError('MDM_JOB_FILE', `${where}: the file is empty`);
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new MilvusdmError('MDM_JOB_FILE', `${where}: expected a mapping with source: and target: (or a MilvusDM H2M/F2M/M2M/M2H block)`);
  }
  if (isLegacyDocument(doc)) {
    return fromLegacyFormat(doc, file, baseDir, options.env ?? process.env, options.runId ?? defaultRunId());
  }
  const keys = Object.keys(doc);
  const legacyLike = keys.find((k) => /^[FHM]2[HM]$/i.test(k));
  if (legacyLike && keys.length > 1) {
    throw new MilvusdmError('MDM_JOB_FILE', `${where}: a MilvusDM job file holds one task; found ${keys.join(', ')}`);
  }
  return fromNewFormat(doc, file, baseDir);
}

export async function loadJobFile(path: string, options: LoadJobOptions = {}): Promise<JobSpec> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a job file' : errorMessage(e);
    throw new MilvusdmError('MDM_JOB_FILE', `${file}: ${why}`);
  }
  return jobFromDocument(parseYaml(text, file), file, dirname(file), options);
}

/** A sortable, unique-enough name for one run's output: 20261125-214200-1a2b. */
export function defaultRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
