/**
 * Broken 1.x directories and unreachable meta, through the real CLI: exit code 1, one line
 * naming the segment and file (or the MySQL host:port), and nothing left at the target — no
 * collection in Milvus, no HDF5 file (not even a .partial) — because every segment is checked,
 * and the meta read, before the target is opened.
 */
import { readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MYSQL, freePort, runCli } from '@milvusdm/testing';
import {
  buildFixture,
  describeCollection,
  errorLine,
  hostPort,
  mysqlForTests,
  mysqlParameter,
  newJob,
  seedJob,
  uniqueNames,
  type Fixture,
} from './jobs.js';
import { removeScratch, scratch } from './helpers.js';

const hasMysql = await mysqlForTests();
const fixtures: Fixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.drop();
  removeScratch();
});

async function fixture(meta: 'sqlite' | 'mysql', prefix: string): Promise<Fixture> {
  const f = await buildFixture(meta, uniqueNames(prefix));
  fixtures.push(f);
  return f;
}

function segment(f: Fixture, tag: string, type: string) {
  return f.built.segments.find((s) => s.collection === f.names.float && s.tag === tag && s.type === type)!;
}

/** Runs the CLI with its own log folder, so the logs can be searched too. */
async function run(args: string[]) {
  const logDir = scratch();
  const r = await runCli([...args, '--log-dir', logDir]);
  const logs = readdirSync(logDir)
    .map((n) => readFileSync(join(logDir, n), 'utf8'))
    .join('\n');
  return { ...r, logs };
}

function m2hJob(f: Fixture, dataDir: string, mysql: Record<string, unknown> | null = null): string {
  return seedJob('M2H.yaml', {
    source_milvus_path: f.built.root,
    mysql_parameter: mysql,
    source_collection: { [f.names.float]: null },
    data_dir: dataDir,
  });
}

function m2mJob(f: Fixture, uri: string, mysql: Record<string, unknown> | null = null): string {
  const { host, port } = hostPort(uri);
  return seedJob('M2M.yaml', {
    source_milvus_path: f.built.root,
    mysql_parameter: mysql,
    source_collection: { [f.names.float]: null },
    dest_host: host,
    dest_port: port,
  });
}

describe('broken Milvus 1.x input', () => {
  it('a missing .uid: exit 1, the segment and file named, no HDF5 file written', async () => {
    const f = await fixture('sqlite', 'brk_uid');
    const seg = segment(f, '_default', 'RAW');
    rmSync(seg.uid);
    const dataDir = scratch();
    const r = await run(['--yaml', m2hJob(f, dataDir)]);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(`error MDM_SOURCE: ${f.names.float}/_default: segment ${seg.segmentId} (RAW): ${seg.uid} is missing`);
    expect(r.stderr).toContain('hint: Nothing was written');
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('a short .rv: exit 1, the segment and file named, no collection created in Milvus', async () => {
    const uri = inject('milvusLiteUri');
    const f = await fixture('sqlite', 'brk_rv');
    const seg = segment(f, 'partition_1', 'BACKUP');
    truncateSync(seg.rv, 8 + 90 * 64 - 64 - 5);
    const r = await run(['--yaml', m2mJob(f, uri)]);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(
      `error MDM_SOURCE: ${f.names.float}/partition_1: segment ${seg.segmentId} (BACKUP): ${seg.rv} is short: its header announces 5760 bytes but only 5691 follow (truncated?)`,
    );
    expect(await describeCollection(uri, f.names.float)).toEqual({ exists: false });
  });

  it('meta naming a segment that is not there, with a second problem: both in the log, the first on screen', async () => {
    const f = await fixture('sqlite', 'brk_seg');
    const gone = segment(f, '_default', 'TO_INDEX');
    rmSync(gone.dir, { recursive: true });
    const short = segment(f, 'partition_2', 'TO_INDEX');
    truncateSync(short.uid, 4);
    const out = scratch();
    const r = await run(['run', newJob({ source: { type: 'milvus1x', path: f.built.root }, target: { type: 'hdf5', dir: out } })]);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(
      `error MDM_SOURCE: ${f.names.float}/_default: segment ${gone.segmentId} (TO_INDEX): ${gone.dir} is missing (the segment folder the meta names) (and 1 more problem(s), each in the log)`,
    );
    expect(r.logs).toContain(
      `${f.names.float}/partition_2: segment ${short.segmentId} (TO_INDEX): ${short.uid} is 4 bytes, too short to hold its 8-byte header`,
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it('an unreachable MySQL: exit 1, host:port and the job key named, no collection created', async () => {
    const uri = inject('milvusLiteUri');
    const f = await fixture('sqlite', 'brk_down');
    const port = await freePort();
    const r = await run(['--yaml', m2mJob(f, uri, { host: '127.0.0.1', port, user: 'root', password: 'pw-unused-1', database: 'milvus' })]);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(`error MDM_CONNECT: source.mysql: cannot reach MySQL at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(await describeCollection(uri, f.names.float)).toEqual({ exists: false });
  });

  it.skipIf(!hasMysql)('wrong MySQL credentials: exit 1, the server and user named, the password nowhere, nothing written', async () => {
    const f = await fixture('mysql', 'brk_pw');
    const password = 'Wr0ng-Pa55word-77';
    const dataDir = scratch();
    const r = await run(['--yaml', m2hJob(f, dataDir, mysqlParameter(f.database!, { password }))]);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(
      `error MDM_CONNECT: source.mysql: MySQL at ${MYSQL.host}:${MYSQL.port} refused user "${MYSQL.user}" for database "${f.database}" (wrong user or password)`,
    );
    expect(r.stdout + r.stderr + r.logs).not.toContain(password);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
