/**
 * The manifest of a milvusdm archive (`milvusdm dump`): what the archive holds — collections,
 * their full schemas, partitions, row counts — and every data file with its size and sha256.
 * It is written last, atomically, once every file is complete: an archive without
 * `manifest.json` is an interrupted dump, never mistaken for a complete one.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  MilvusdmError,
  describeSchema,
  errorMessage,
  schemaFromDocument,
  schemaToDocument,
  type CollectionSchema,
  type DatasetInfo,
} from '@milvusdm/core';

export const ARCHIVE_FORMAT = 'milvusdm-archive';
export const ARCHIVE_VERSION = 1;
export const MANIFEST = 'manifest.json';
/** The data files live under this folder of the archive, as the parquet writer lays them out. */
export const DATA_DIR = 'data';

export interface ArchiveFile {
  /** Relative to the archive's folder, with forward slashes. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ArchivePartition {
  /** `_default` for the default partition. */
  readonly name: string;
  readonly rows: number;
  readonly files: readonly ArchiveFile[];
}

export interface ArchiveCollection {
  readonly name: string;
  readonly rows: number;
  /** milvusdm's versioned schema document (every field property, indexes, properties). */
  readonly schema: unknown;
  readonly partitions: readonly ArchivePartition[];
}

export interface Manifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly version: number;
  /** The milvusdm version that wrote it. */
  readonly milvusdm: string;
  readonly createdAt: string;
  /** What was dumped, without credentials: a server address or a 1.x directory. */
  readonly source: { readonly type: string; readonly from: string };
  /**
   * How consistent the rows are: milvusdm reads each collection by key ranges at the server's
   * consistency level; rows written during the dump may or may not be included.
   */
  readonly consistency: string;
  readonly collections: readonly ArchiveCollection[];
}

const SAFE = /[^A-Za-z0-9_.-]/g;

/** Where the parquet writer put a dataset's part files, relative to the archive. */
export function partitionFolder(collection: string, partition: string | undefined): string {
  return [DATA_DIR, collection.replace(SAFE, '_'), (partition ?? '_default').replace(SAFE, '_')].join('/');
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function filesIn(root: string, folder: string): Promise<ArchiveFile[]> {
  let names: string[];
  try {
    names = (await readdir(join(root, folder))).filter((n) => n.endsWith('.parquet')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: ArchiveFile[] = [];
  for (const name of names) {
    const path = join(root, folder, name);
    out.push({ path: relative(root, path).split(sep).join('/'), bytes: (await stat(path)).size, sha256: await sha256Of(path) });
  }
  return out;
}

/** The manifest of a finished dump: datasets as the run planned them, rows as it wrote them. */
export async function buildManifest(
  root: string,
  datasets: readonly DatasetInfo[],
  rowsByKey: ReadonlyMap<string, number>,
  source: Manifest['source'],
  version: string,
): Promise<Manifest> {
  const collections = new Map<string, { schema: CollectionSchema; partitions: ArchivePartition[] }>();
  for (const d of datasets) {
    let c = collections.get(d.collection);
    if (!c) collections.set(d.collection, (c = { schema: d.schema, partitions: [] }));
    const files = await filesIn(root, partitionFolder(d.collection, d.partition));
    c.partitions.push({ name: d.partition ?? '_default', rows: rowsByKey.get(d.key) ?? 0, files });
  }
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    milvusdm: version,
    createdAt: new Date().toISOString(),
    source,
    consistency:
      source.type === 'milvus'
        ? 'each collection read by primary-key ranges at the server default consistency; rows written during the dump may or may not be included'
        : 'a Milvus 1.x directory read as its meta and segment files stood',
    collections: [...collections.entries()].map(([name, c]) => ({
      name,
      rows: c.partitions.reduce((n, p) => n + p.rows, 0),
      schema: schemaToDocument(c.schema),
      partitions: c.partitions,
    })),
  };
}

/** Writes the manifest and the archive's README, the manifest last and atomically. */
export async function sealArchive(root: string, manifest: Manifest): Promise<void> {
  await writeFile(join(root, 'README.md'), archiveReadme(manifest));
  const temp = join(root, `${MANIFEST}.tmp`);
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, join(root, MANIFEST));
}

/** The manifest of a complete archive; a folder without one is refused, saying why. */
export async function readManifest(root: string): Promise<Manifest> {
  const path = join(root, MANIFEST);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${root}: not a complete milvusdm archive (no ${MANIFEST}: the dump did not finish, or this is another folder)`,
        {
          hint: 'Run the same milvusdm dump command again to finish an interrupted dump.',
        },
      );
    }
    throw new MilvusdmError('MDM_IO', `${path}: ${errorMessage(e)}`);
  }
  let doc: Manifest;
  try {
    doc = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new MilvusdmError('MDM_SOURCE', `${path}: not valid JSON (${errorMessage(e)})`);
  }
  if (doc?.format !== ARCHIVE_FORMAT || typeof doc.version !== 'number') {
    throw new MilvusdmError('MDM_SOURCE', `${path}: not a milvusdm archive manifest`);
  }
  if (doc.version > ARCHIVE_VERSION) {
    throw new MilvusdmError('MDM_SOURCE', `${path}: archive format ${doc.version} is newer than this milvusdm reads (${ARCHIVE_VERSION})`, {
      hint: 'Upgrade milvusdm.',
    });
  }
  if (!Array.isArray(doc.collections)) throw new MilvusdmError('MDM_SOURCE', `${path}: collections: not a list`);
  for (const c of doc.collections) schemaFromDocument(c.schema, `${path}: collection ${c.name}`);
  return doc;
}

/** Checks every listed file's size and sha256; throws naming the first that differs. */
export async function checkFiles(root: string, files: readonly ArchiveFile[]): Promise<void> {
  for (const f of files) {
    const path = join(root, f.path);
    let bytes: number;
    try {
      bytes = (await stat(path)).size;
    } catch {
      throw new MilvusdmError('MDM_SOURCE', `${path}: listed in ${MANIFEST} but missing`);
    }
    if (bytes !== f.bytes) throw new MilvusdmError('MDM_SOURCE', `${path}: ${bytes} bytes, ${MANIFEST} says ${f.bytes}`);
    if ((await sha256Of(path)) !== f.sha256) throw new MilvusdmError('MDM_SOURCE', `${path}: its sha256 differs from ${MANIFEST}'s`);
  }
}

function archiveReadme(m: Manifest): string {
  const rows = m.collections.map((c) => `| ${c.name} | ${c.partitions.map((p) => p.name).join(', ')} | ${c.rows} |`);
  return [
    '# A milvusdm archive',
    '',
    `Written by milvusdm ${m.milvusdm} on ${m.createdAt} from ${m.source.type} ${m.source.from}.`,
    '',
    '| collection | partitions | rows |',
    '|---|---|---|',
    ...rows,
    '',
    `- \`${MANIFEST}\` lists every collection with its full schema (milvusdm schema document, version 1),`,
    '  its partitions and row counts, and every data file with its size and sha256. It is written',
    '  last: a folder without it is an unfinished dump.',
    `- \`${DATA_DIR}/<collection>/<partition>/part-NNNNN.parquet\` hold the rows, in the Parquet layout`,
    "  Milvus's bulk import reads (one column per field; float vectors as lists of float32, binary and",
    '  float16/bfloat16 vectors as lists of bytes, JSON as strings, dynamic fields in `$meta`). Any',
    '  Parquet reader (pyarrow, DuckDB, Spark) reads them; each file also carries the schema document',
    '  in its key-value metadata (`milvusdm.schema`).',
    '- Restore with `milvusdm restore --from <this folder> --to <Milvus URI>`.',
    '',
  ].join('\n');
}

/** `milvusdm inspect` of an archive folder: what it holds, or that it is an unfinished dump. */
export async function describeArchive(root: string): Promise<{ lines: string[]; data: Record<string, unknown> }> {
  let manifest: Manifest;
  try {
    manifest = await readManifest(root);
  } catch (e) {
    if (e instanceof MilvusdmError && /no manifest\.json/.test(e.message)) {
      return {
        lines: [`${root}: an unfinished milvusdm dump (no ${MANIFEST} yet); run the same dump command again to finish it`],
        data: { format: ARCHIVE_FORMAT, complete: false, path: root },
      };
    }
    throw e;
  }
  const lines = [
    `${root}: milvusdm archive (format ${manifest.version}) written by milvusdm ${manifest.milvusdm} on ${manifest.createdAt}`,
    `from ${manifest.source.type} ${manifest.source.from}`,
  ];
  for (const c of manifest.collections) {
    const files = c.partitions.reduce((n, p) => n + p.files.length, 0);
    const bytes = c.partitions.reduce((n, p) => n + p.files.reduce((m, f) => m + f.bytes, 0), 0);
    const schema = schemaFromDocument(c.schema, `${MANIFEST}: collection ${c.name}`);
    lines.push(`collection ${c.name}: ${c.rows} rows, ${files} file(s), ${bytes} bytes; ${describeSchema(schema)}`);
    for (const p of c.partitions) lines.push(`  partition ${p.name}: ${p.rows} rows in ${p.files.length} file(s)`);
  }
  return { lines, data: { ...manifest, complete: true, path: root } };
}
