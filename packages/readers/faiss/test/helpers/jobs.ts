/** Job files, the real CLI and the Python checks, for the integration tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runPython, seedDir, tempDir, type CliResult } from '@milvusdm/testing';
import { packageDir, type Fixture } from './fixtures.js';

export const pythonDir = join(packageDir, 'test', 'python');

export interface Verdict {
  readonly ok: boolean;
  readonly expected: number;
  readonly counted?: number;
  readonly actual?: number;
  readonly mismatches: unknown[];
}

/** A milvusdm job file (JSON is YAML), run with the real CLI. */
export async function runJob(source: Record<string, unknown>, target: Record<string, unknown>, extra: string[] = []): Promise<CliResult> {
  const file = join(tempDir(), 'job.yaml');
  writeFileSync(file, JSON.stringify({ source: { type: 'faiss', ...source }, target }, null, 1));
  return runCli(['run', file, '--log-dir', tempDir(), ...extra]);
}

/**
 * The seed's F2M.yaml with only data_path, dest_host, dest_port and the dimension replaced,
 * textually: every other line stays exactly as the original MilvusDM shipped it.
 */
export async function runSeedF2M(indexPath: string, uri: string, dimension: number): Promise<CliResult> {
  const { hostname, port } = new URL(uri);
  const original = readFileSync(join(seedDir, 'yamls', 'F2M.yaml'), 'utf8');
  const edited = original
    .replace("data_path: '/home/data/faiss1.index'", `data_path: '${indexPath}'`)
    .replace("dest_host: '127.0.0.1'", `dest_host: '${hostname}'`)
    .replace('dest_port: 19530', `dest_port: ${port}`)
    .replace('dimension: 256', `dimension: ${dimension}`);
  const edits = /^\s*(data_path|dest_host|dest_port|dimension):/;
  const before = original.split('\n');
  const after = edited.split('\n');
  if (after.length !== before.length || after.some((l, i) => l !== before[i] && !edits.test(l)) || !edited.includes(indexPath)) {
    throw new Error('the seed F2M.yaml changed: update runSeedF2M');
  }
  const file = join(tempDir(), 'F2M.yaml');
  writeFileSync(file, edited);
  return runCli(['--yaml', file, '--log-dir', tempDir()]);
}

/**
 * What Faiss itself reads from an index (ids, vectors), as an HDF5 file for verify_h5 /
 * verify_milvus: for a committed fixture, the expectation its own Faiss wrote beside it; for a
 * generated file, read now with the venv's Faiss.
 */
export async function faissExpected(index: string | Fixture): Promise<string> {
  const out = join(tempDir(), 'expected.h5');
  if (typeof index === 'string') await runPython(join(pythonDir, 'faiss_expected.py'), [index, out]);
  else
    await runPython(join(pythonDir, 'npy_to_h5.py'), [join(index.dir, index.expected!.ids), join(index.dir, index.expected!.vectors), out]);
  return out;
}

export function milvusState(uri: string, collection: string): Promise<{ exists: boolean; rows: number | null }> {
  return runPython(join(pythonDir, 'milvus_state.py'), ['--uri', uri, '--collection', collection]);
}

/** The `error CODE: message` lines the CLI printed. */
export function errorLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.startsWith('error '));
}
