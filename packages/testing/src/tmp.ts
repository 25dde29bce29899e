/** Temporary folders and files for tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder for a test. Under vitest they all live below one root per run, which the
 * global set-up removes at the end (workers do not reliably reach their exit handlers).
 */
export function tempDir(prefix = 'milvusdm-test-'): string {
  return mkdtempSync(join(process.env['MILVUSDM_TMP_ROOT'] ?? tmpdir(), prefix));
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
