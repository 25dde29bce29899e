/**
 * For the CLI tests: 1.x directories with SQLite or MySQL meta, the seed's job files edited
 * only for paths and hosts, and the independent checks (numpy/h5py/pymilvus) run through
 * Python.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml } from '@milvusdm/core';
import { MYSQL, mysqlForTests as mysqlForTestsOf, runCli, runPython, seedDir, uniqueName } from '@milvusdm/testing';
import { dropMysqlDatabase, writeMysqlMeta } from '@milvusdm/milvus1x-testing';
import {
  buildMilvus1xDir,
  expectedFileStem,
  writeExpectedNpy,
  type BuiltDir,
  type DirSpec,
  type ExpectedDataset,
} from '@milvusdm/milvus1x-testing';
/** Every folder these tests make comes from scratch(); each test file removes them in afterAll. */
import { scenario, scratch, type Names } from './helpers.js';

export const pythonDir = fileURLToPath(new URL('./python', import.meta.url));

/** The MySQL-meta tests run where MySQL answers, and must where MILVUSDM_REQUIRE_MYSQL=1. */
export function mysqlForTests(): Promise<boolean> {
  return mysqlForTestsOf('the Milvus 1.x MySQL-meta tests');
}

export function uniqueNames(prefix: string): Names {
  return { float: uniqueName(`${prefix}_f`), binary: uniqueName(`${prefix}_b`), dropped: uniqueName(`${prefix}_d`) };
}

export interface Fixture {
  readonly built: BuiltDir;
  readonly names: Names;
  /** The MySQL database holding the meta, when the meta is in MySQL. */
  readonly database: string | undefined;
  drop(): Promise<void>;
}

/** The standard scenario with its meta in SQLite or in a fresh MySQL database. */
export async function buildFixture(meta: 'sqlite' | 'mysql', names: Names, extra: Partial<DirSpec> = {}): Promise<Fixture> {
  const built = await buildMilvus1xDir(
    scratch(),
    scenario(names, { ...extra, meta: meta === 'mysql' ? 'none' : (extra.meta ?? 'sqlite') }),
  );
  if (meta === 'sqlite') return { built, names, database: undefined, drop: async () => {} };
  const database = uniqueName('mdm_1x');
  await writeMysqlMeta(MYSQL, database, built.meta);
  return { built, names, database, drop: () => dropMysqlDatabase(MYSQL, database) };
}

export function mysqlParameter(database: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: MYSQL.host, user: MYSQL.user, port: MYSQL.port, password: MYSQL.password, database, ...overrides };
}

/**
 * The seed's job file, as text, with the values of some settings replaced (each written as a
 * JSON flow value, which YAML reads as it is): comments, order and every other line unchanged.
 */
export function seedJob(name: 'M2M.yaml' | 'M2H.yaml', edit: Record<string, unknown>): string {
  const lines = readFileSync(join(seedDir, 'yamls', name), 'utf8').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^( {2})([A-Za-z_-]+):/.exec(lines[i]!);
    if (!m || !(m[2]! in edit)) {
      out.push(lines[i]!);
      continue;
    }
    out.push(`${m[1]}${m[2]}: ${JSON.stringify(edit[m[2]!])}`);
    // Drop the old value's nested lines (deeper indentation).
    while (i + 1 < lines.length && /^ {3,}\S/.test(lines[i + 1]!)) i++;
  }
  // Keys the seed does not have (milvusdm's additions such as dest_user) go at the end of the block.
  const present = new Set(lines.map((l) => /^ {2}([A-Za-z_-]+):/.exec(l)?.[1]));
  const extra = Object.entries(edit).filter(([k]) => !present.has(k));
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  for (const [k, v] of extra) out.push(`  ${k}: ${JSON.stringify(v)}`);
  const file = join(scratch(), name);
  writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}

/** A job in the milvusdm format (JSON is YAML). */
export function newJob(job: Record<string, unknown>): string {
  const file = join(scratch(), 'job.yaml');
  writeFileSync(file, JSON.stringify(job, null, 2));
  return file;
}

export function readYaml(path: string): unknown {
  return parseYaml(readFileSync(path, 'utf8'), path);
}

/** `root:Milvus` → the seed format's keys for a server with authentication (milvusdm's additions). */
export function credentials(token: string, prefix: 'dest' | 'source'): Record<string, string> {
  if (!token) return {};
  const [user, password] = token.split(':') as [string, string];
  return { [`${prefix}_user`]: user, [`${prefix}_password`]: password };
}

export function hostPort(uri: string): { host: string; port: number } {
  const u = new URL(uri);
  return { host: u.hostname, port: Number(u.port) };
}

export function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  // Only commands that run a job write logs (and take --log-dir); inspect takes no such flag.
  const runs = args[0] === 'run' || args.includes('--yaml');
  return runCli(runs ? [...args, '--log-dir', scratch()] : [...args], { env });
}

/** The `error CODE: message` line the CLI printed, or undefined. */
export function errorLine(stderr: string): string | undefined {
  return stderr.split('\n').find((l) => l.startsWith('error MDM_'));
}

/** Expected rows as HDF5 files (numpy + h5py), keyed by dataset key. */
export async function expectedH5(datasets: readonly ExpectedDataset[]): Promise<Map<string, string>> {
  const dir = scratch();
  const live = datasets.filter((d) => d.rows > 0);
  await writeExpectedNpy(dir, live);
  const made = await runPython<{ files: Record<string, { path: string; rows: number }> }>(join(pythonDir, 'expected_h5.py'), [dir]);
  const out = new Map<string, string>();
  for (const d of live) {
    const f = made.files[expectedFileStem(d).split('/').pop()!]!;
    if (f.rows !== d.rows) throw new Error(`${d.key}: expected_h5.py wrote ${f.rows} rows, ${d.rows} expected`);
    out.set(d.key, f.path);
  }
  return out;
}

export interface Verdict {
  ok: boolean;
  expected: number;
  counted?: number;
  actual?: number;
  mismatches: unknown[];
}

export interface Described {
  exists: boolean;
  fields?: { name: string; type: string; dim: number | null; primary: boolean; auto_id: boolean }[];
  partitions?: Record<string, number>;
  metric?: string | null;
}

export function describeCollection(uri: string, collection: string, token = ''): Promise<Described> {
  return runPython<Described>(join(pythonDir, 'milvus_describe.py'), ['--uri', uri, '--token', token, '--collection', collection]);
}

/** pymilvus: the collection (or partition) holds exactly the expected rows, vectors bit for bit. */
export function verifyMilvus(uri: string, d: ExpectedDataset, h5: string, token = ''): Promise<Verdict> {
  return runPython<Verdict>('verify_milvus.py', [
    '--uri',
    uri,
    '--token',
    token,
    '--collection',
    d.collection,
    '--partition',
    d.partition ?? '_default',
    '--h5',
    h5,
    ...(d.binary ? ['--binary'] : []),
  ]);
}

/** h5py: the file holds exactly the expected rows, in any order, vectors bit for bit and of the stated dtype. */
export function verifyH5(actual: string, expected: string, dtype: 'float32' | 'uint8'): Promise<Verdict> {
  return runPython<Verdict>('verify_h5.py', ['--actual', actual, '--expected', expected, '--dtype', dtype]);
}
