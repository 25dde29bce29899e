/** The committed fixtures (fixtures/faiss-<version>/manifest.json) and reading them through the plugin. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type ChannelContext, type Column, type ReaderSource } from '@milvusdm/core';
import plugin from '../../dist/index.js';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = join(packageDir, 'fixtures');

export interface Fixture {
  readonly name: string;
  readonly file: string;
  readonly faiss: string;
  readonly family: 'float' | 'binary';
  readonly d: number;
  readonly ntotal: number;
  readonly metric: number;
  readonly lossy: boolean;
  readonly note: string;
  readonly dataFile?: string;
  readonly reader?: { readonly error: string; readonly match: string; readonly fourcc?: string };
  readonly expected?: { readonly ids: string; readonly vectors: string; readonly rows: number };
  /** Folder of the fixture. */
  readonly dir: string;
}

export function writers(): string[] {
  return readdirSync(fixturesDir)
    .filter((n) => n.startsWith('faiss-'))
    .sort();
}

export function fixtures(writer: string): Fixture[] {
  const dir = join(fixturesDir, writer);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { fixtures: Omit<Fixture, 'dir'>[] };
  return manifest.fixtures.map((f) => ({ ...f, dir }));
}

export function fixture(writer: string, name: string): Fixture {
  const f = fixtures(writer).find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name} for ${writer}`);
  return f;
}

export function context(baseDir = process.cwd(), warnings: string[] = []): ChannelContext {
  return {
    signal: new AbortController().signal,
    logger: { ...silentLogger, warn: (m: string) => warnings.push(m) },
    baseDir,
    redact() {},
  };
}

export interface ReadResult {
  readonly ids: BigInt64Array;
  readonly vectors: Uint8Array;
  readonly dim: number;
  readonly type: string;
  readonly batches: number;
  readonly cursors: unknown[];
  readonly source: ReaderSource;
}

/** Opens `path` with the plugin (options as a job would give them) and concatenates every batch. */
export async function readAll(options: Record<string, unknown>, batchRows = 1000, resumeFrom?: unknown): Promise<ReadResult> {
  const parsed = plugin.options.parse(options);
  const source = await plugin.open(parsed, context());
  const dataset = source.datasets[0]!;
  const field = dataset.schema.fields[1]!;
  const ids: bigint[] = [];
  const chunks: Uint8Array[] = [];
  const cursors: unknown[] = [];
  const dim = field.dim ?? 0;
  const type = field.type;
  let batches = 0;
  for await (const batch of dataset.batches({ batchRows, ...(resumeFrom !== undefined ? { resumeFrom } : {}) })) {
    batches++;
    cursors.push(batch.cursor);
    const idColumn = batch.columns.get('id') as Extract<Column, { type: 'int64' }>;
    const vec = batch.columns.get('embedding') as Extract<Column, { type: 'float_vector' | 'binary_vector' }>;
    ids.push(...idColumn.values);
    if (vec.dim !== dim || vec.type !== type)
      throw new Error(`batch column ${vec.type}(${vec.dim}) differs from the schema's ${type}(${dim})`);
    chunks.push(new Uint8Array(vec.values.buffer, vec.values.byteOffset, vec.values.byteLength).slice());
  }
  await source.close();
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const vectors = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    vectors.set(c, at);
    at += c.byteLength;
  }
  return { ids: BigInt64Array.from(ids), vectors, dim, type, batches, cursors, source };
}
