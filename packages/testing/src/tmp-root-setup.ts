/**
 * Vitest global set-up shared by every project: one temporary root per run for all test
 * folders, removed at the end unless MILVUSDM_KEEP_TMP=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'milvusdm-tests-'));
  process.env['MILVUSDM_TMP_ROOT'] = root;
  return () => {
    if (process.env['MILVUSDM_KEEP_TMP'] !== '1') rmSync(root, { recursive: true, force: true });
  };
}
