/** Temporary folders for a test, removed when the process ends unless MILVUSDM_KEEP_TMP=1. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  if (process.env['MILVUSDM_KEEP_TMP'] === '1') return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'milvusdm-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A collection name unique to this test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}

/** Writes a job document as YAML into a fresh folder and returns the file's path. */
export function writeJob(doc: unknown, name = 'job.yaml'): string {
  const file = join(tempDir('milvusdm-job-'), name);
  writeFileSync(file, stringify(doc));
  return file;
}
