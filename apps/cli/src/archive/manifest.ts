/**
 * The manifest of a milvusdm archive (`milvusdm dump`): what the archive holds — databases,
 * collections, their full schemas, partitions, row counts, how consistent each collection's rows
 * are — and every data file with its size and sha256.
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
/**
 * 1: one database, `data/<collection>/<partition>/`. 2: several databases (`dump
 * --all-databases`), `data/<database>/<collection>/<partition>/`, each collection naming its
 * database. A one-database archive is still written as 1, so older milvusdm reads it; a
 * milvusdm that reads only 1 refuses a 2 rather than restore every database into one.
 */
export const ARCHIVE_VERSION = 2;
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
  /** The database it was read from; set in archives of several databases (version 2). */
  readonly database?: string;
  /** A live server's collection: its count before and after the read (see ArchiveConsistency). */
  readonly consistency?: ArchiveConsistency;
}

/**
 * Neither Milvus 2.3 nor Milvus Lite lets milvusdm read a collection at one pinned timestamp
 * (docs/dump-restore.md), so the dump counts each collection before its rows are read and again
 * after the last; `changed` says writes (or deletes) arrived meanwhile, and the rows in the
 * archive may then hold some of them and not others.
 */
export interface ArchiveConsistency {
  readonly pinned: false;
  readonly countBefore: number;
  readonly countAfter: number;
  readonly changed: boolean;
  /** Per partition, when any partition's count changed. */
  readonly partitions?: Readonly<Record<string, { readonly countBefore: number; readonly countAfter: number }>>;
}

export interface Manifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly version: number;
  /** The milvusdm version that wrote it. */
  readonly milvusdm: string;
  readonly createdAt: string;
  /** What was dumped, without credentials: a server address or a 1.x directory. */
  readonly source: { readonly type: string; readonly from: string };
  /** The databases the archive holds, in dump order; only in archives of several databases. */
  readonly databases?: readonly string[];
  /**
   * How consistent the rows are: milvusdm reads each collection by key ranges at the server's
   * consistency level; rows written during the dump may or may not be included.
   */
  readonly consistency: string;
  readonly collections: readonly ArchiveCollection[];
}

const SAFE = /[^A-Za-z0-9_.-]/g;

/** Where the parquet writer put a dataset's part files, relative to the archive (its layout.ts). */
export function partitionFolder(collection: string, partition: string | undefined, database?: string): string {
  return [DATA_DIR, ...(database !== undefined ? [database] : []), collection, partition ?? '_default']
    .map((part, i) => (i === 0 ? part : part.replace(SAFE, '_')))
    .join('/');
}

/** A collection as restore's flags name it: `database.collection` in an archive of several databases (names hold no dots). */
export function qualifiedName(c: { readonly name: string; readonly database?: string | undefined }): string {
  return c.database !== undefined ? `${c.database}.${c.name}` : c.name;
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

/**
 * Each collection's consistency entry from the datasets as planned (counted before the rows were
 * read) and as counted again after the read; a dataset missing afterwards counts 0.
 */
export function consistencyOf(before: readonly DatasetInfo[], after: ReadonlyMap<string, number>): Map<string, ArchiveConsistency> {
  const byCollection = new Map<
    string,
    { before: number; after: number; partitions: Record<string, { countBefore: number; countAfter: number }> }
  >();
  for (const d of before) {
    const id = qualifiedName({ name: d.collection, database: d.schema.database });
    let c = byCollection.get(id);
    if (!c) byCollection.set(id, (c = { before: 0, after: 0, partitions: {} }));
    const countBefore = d.rows ?? 0;
    const countAfter = after.get(d.key) ?? 0;
    c.before += countBefore;
    c.after += countAfter;
    c.partitions[d.partition ?? '_default'] = { countBefore, countAfter };
  }
  const out = new Map<string, ArchiveConsistency>();
  for (const [id, c] of byCollection) {
    const partsChanged = Object.values(c.partitions).some((p) => p.countBefore !== p.countAfter);
    out.set(id, {
      pinned: false,
      countBefore: c.before,
      countAfter: c.after,
      changed: partsChanged,
      ...(partsChanged ? { partitions: c.partitions } : {}),
    });
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
  consistency?: ReadonlyMap<string, ArchiveConsistency>,
): Promise<Manifest> {
  const collections = new Map<string, { name: string; schema: CollectionSchema; partitions: ArchivePartition[] }>();
  for (const d of datasets) {
    const database = d.schema.database;
    const id = qualifiedName({ name: d.collection, database });
    let c = collections.get(id);
    if (!c) collections.set(id, (c = { name: d.collection, schema: d.schema, partitions: [] }));
    const files = await filesIn(root, partitionFolder(d.collection, d.partition, database));
    c.partitions.push({ name: d.partition ?? '_default', rows: rowsByKey.get(d.key) ?? 0, files });
  }
  const databases = [...new Set(datasets.flatMap((d) => (d.schema.database !== undefined ? [d.schema.database] : [])))];
  const several = databases.length > 0;
  return {
    format: ARCHIVE_FORMAT,
    version: several ? 2 : 1,
    milvusdm: version,
    createdAt: new Date().toISOString(),
    source,
    ...(several ? { databases } : {}),
    consistency:
      source.type === 'milvus'
        ? 'each collection read by primary-key ranges at the server default consistency, not at one pinned timestamp (the server offers none); its count before and after the read is in its consistency entry, and changed: true says rows written or deleted meanwhile may be partly included'
        : 'a Milvus 1.x directory read as its meta and segment files stood',
    collections: [...collections.entries()].map(([id, c]) => {
      const entry = consistency?.get(id);
      return {
        name: c.name,
        ...(c.schema.database !== undefined ? { database: c.schema.database } : {}),
        rows: c.partitions.reduce((n, p) => n + p.rows, 0),
        schema: schemaToDocument(c.schema),
        partitions: c.partitions,
        ...(entry ? { consistency: entry } : {}),
      };
    }),
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
  if (doc.version >= 2 && !(Array.isArray(doc.databases) && doc.collections.every((c) => typeof c.database === 'string'))) {
    throw new MilvusdmError('MDM_SOURCE', `${path}: archive format ${doc.version} lists databases, and a database for every collection`);
  }
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
  const rows = m.collections.map((c) => `| ${qualifiedName(c)} | ${c.partitions.map((p) => p.name).join(', ')} | ${c.rows} |`);
  return [
    '# A milvusdm archive',
    '',
    `Written by milvusdm ${m.milvusdm} on ${m.createdAt} from ${m.source.type} ${m.source.from}.`,
    ...(m.databases ? ['', `Databases: ${m.databases.join(', ')} (collections named database.collection below).`] : []),
    '',
    '| collection | partitions | rows |',
    '|---|---|---|',
    ...rows,
    '',
    `- \`${MANIFEST}\` lists every collection with its full schema (milvusdm schema document, version 1),`,
    '  its partitions and row counts, and every data file with its size and sha256. It is written',
    '  last: a folder without it is an unfinished dump.',
    `- \`${DATA_DIR}/${m.databases ? '<database>/' : ''}<collection>/<partition>/part-NNNNN.parquet\` hold the rows, in the Parquet layout`,
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
    ...(manifest.databases ? [`databases: ${manifest.databases.join(', ')}`] : []),
  ];
  for (const c of manifest.collections) {
    const files = c.partitions.reduce((n, p) => n + p.files.length, 0);
    const bytes = c.partitions.reduce((n, p) => n + p.files.reduce((m, f) => m + f.bytes, 0), 0);
    const schema = schemaFromDocument(c.schema, `${MANIFEST}: collection ${c.name}`);
    lines.push(`collection ${qualifiedName(c)}: ${c.rows} rows, ${files} file(s), ${bytes} bytes; ${describeSchema(schema)}`);
    if (c.consistency?.changed) {
      lines.push(`  changed while dumped: ${c.consistency.countBefore} rows before the read, ${c.consistency.countAfter} after`);
    }
    for (const p of c.partitions) lines.push(`  partition ${p.name}: ${p.rows} rows in ${p.files.length} file(s)`);
  }
  return { lines, data: { ...manifest, complete: true, path: root } };
}
