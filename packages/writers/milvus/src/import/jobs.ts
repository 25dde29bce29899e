/**
 * The servers' import APIs behind one interface: start a job on a list of files, ask its state.
 *
 * - Milvus 2.3: the bulk-insert RPCs (Import, GetImportState, ListImportTasks), one task per
 *   file, through the SDK's gRPC channel (MilvusConnection.sdk: retries, deadlines, masked errors).
 * - Milvus 2.4 and later: the REST import jobs, `/v2/vectordb/jobs/import/create` and
 *   `.../describe` on the server's own port. Built against the documentation; untested here
 *   (the tests run Milvus 2.3.5).
 * - Zilliz Cloud: the control plane's import jobs (`{api_url}/v2/vectordb/jobs/import/create`,
 *   `.../describe`), given the cluster id and an API key. Untested here.
 *
 * The request builders are exported so that unit tests can check exactly what is sent.
 */
import { MilvusdmError } from '@milvusdm/core';
import type { MilvusConnection } from '@milvusdm/milvus-client';

export type JobPhase = 'pending' | 'running' | 'completed' | 'failed';

export interface JobState {
  readonly phase: JobPhase;
  /** Percent done, 0 to 100, when the server says. */
  readonly progress?: number;
  /** Rows imported, once known (at completion on Milvus 2.3). */
  readonly rows?: number;
  /** The server's reason for a failure. */
  readonly reason?: string;
}

export interface ImportTarget {
  readonly collection: string;
  readonly partition?: string | undefined;
  readonly database?: string | undefined;
}

/** A job the server knows of, with the files it was given. */
export interface KnownJob {
  readonly id: string;
  readonly files: readonly string[];
  readonly state: JobState;
}

export interface ImportApi {
  /** For messages: `Milvus 2.3 bulk insert`, … */
  readonly name: string;
  start(target: ImportTarget, files: readonly string[]): Promise<string>;
  state(id: string): Promise<JobState>;
  /** The jobs the server remembers for the collection (a resumed run looks for its own). */
  list(target: ImportTarget): Promise<readonly KnownJob[]>;
}

// ---------------------------------------------------------------------------------------------
// Milvus 2.3: bulk insert over gRPC.

interface KeyValue {
  key: string;
  value: string;
}
interface TaskAnswer {
  state?: string;
  row_count?: string | number;
  infos?: KeyValue[];
  id?: string | number;
}

function info(infos: KeyValue[] | undefined, key: string): string | undefined {
  return infos?.find((kv) => kv.key === key)?.value;
}

/** Milvus 2.3's ImportState names, as the SDK decodes them. */
export function bulkInsertState(answer: TaskAnswer): JobState {
  const state = answer.state ?? '';
  const progress = Number(info(answer.infos, 'progress_percent'));
  const reason = info(answer.infos, 'failed_reason') || undefined;
  const rows = answer.row_count === undefined ? undefined : Number(answer.row_count);
  const phase: JobPhase = /Failed/.test(state)
    ? 'failed'
    : state === 'ImportCompleted'
      ? 'completed'
      : state === 'ImportPending'
        ? 'pending'
        : 'running';
  return {
    phase,
    ...(Number.isFinite(progress) ? { progress } : {}),
    ...(rows !== undefined && Number.isFinite(rows) ? { rows } : {}),
    ...(reason ? { reason } : {}),
  };
}

export function bulkInsertRequest(target: ImportTarget, file: string): Record<string, unknown> {
  return {
    collection_name: target.collection,
    ...(target.partition ? { partition_name: target.partition } : {}),
    ...(target.database ? { db_name: target.database } : {}),
    files: [file],
  };
}

/** How long an import-state poll may take: it is awaited even after Ctrl-C (see state()). */
const STATE_TIMEOUT_MS = 10_000;

export class BulkInsert23 implements ImportApi {
  readonly name = 'Milvus 2.3 bulk insert';
  constructor(private readonly conn: MilvusConnection) {}

  async start(target: ImportTarget, files: readonly string[]): Promise<string> {
    if (files.length !== 1) throw new MilvusdmError('MDM_INTERNAL', 'Milvus 2.3 bulk insert takes one Parquet file per task');
    // Not idempotent: a repeated Import would start a second task on the same file.
    const answer = await this.conn.sdk<{ tasks?: (string | number)[] }>(
      'Import',
      bulkInsertRequest(target, files[0]!),
      `start the import of ${files[0]} into "${target.collection}"`,
      { idempotent: false },
    );
    const id = answer.tasks?.[0];
    if (id === undefined) throw new MilvusdmError('MDM_TARGET', `the server started no import task for ${files[0]}`);
    return String(id);
  }

  async state(id: string): Promise<JobState> {
    // A caller going away mid-GetImportState crashes Milvus 2.3.5's proxy (a nil dereference):
    // after Ctrl-C the poll in flight is answered before the run stops (within 10 s).
    return bulkInsertState(
      await this.conn.sdk<TaskAnswer>('GetImportState', { task: id }, `ask for import task ${id}`, {
        finishOnAbort: true,
        timeoutMs: STATE_TIMEOUT_MS,
      }),
    );
  }

  async list(target: ImportTarget): Promise<readonly KnownJob[]> {
    const answer = await this.conn.sdk<{ tasks?: TaskAnswer[] }>(
      'ListImportTasks',
      { collection_name: target.collection, limit: 0, ...(target.database ? { db_name: target.database } : {}) },
      `list the import tasks of "${target.collection}"`,
    );
    return (answer.tasks ?? []).map((t) => ({
      id: String(t.id),
      files: (info(t.infos, 'files') ?? '').split(',').filter(Boolean),
      state: bulkInsertState(t),
    }));
  }
}

// ---------------------------------------------------------------------------------------------
// Milvus 2.4+ and Zilliz Cloud: REST import jobs.

export interface HttpRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

/** Milvus 2.4+ (REST v2 on the server's port): files are paths in the server's bucket, one group per job entry. */
export function restCreateRequest(baseUrl: string, token: string | undefined, target: ImportTarget, files: readonly string[]): HttpRequest {
  return {
    url: `${baseUrl.replace(/\/+$/, '')}/v2/vectordb/jobs/import/create`,
    headers: restHeaders(token),
    body: {
      ...(target.database ? { dbName: target.database } : {}),
      collectionName: target.collection,
      ...(target.partition ? { partitionName: target.partition } : {}),
      // One inner list per file: each Parquet file is a unit of its own.
      files: files.map((f) => [f]),
    },
  };
}

export function restDescribeRequest(baseUrl: string, token: string | undefined, id: string, database?: string): HttpRequest {
  return {
    url: `${baseUrl.replace(/\/+$/, '')}/v2/vectordb/jobs/import/describe`,
    headers: restHeaders(token),
    body: { ...(database ? { dbName: database } : {}), jobId: id },
  };
}

export function restListRequest(baseUrl: string, token: string | undefined, target: ImportTarget): HttpRequest {
  return {
    url: `${baseUrl.replace(/\/+$/, '')}/v2/vectordb/jobs/import/list`,
    headers: restHeaders(token),
    body: { ...(target.database ? { dbName: target.database } : {}), collectionName: target.collection },
  };
}

/** Zilliz Cloud: the cluster id, and the files as an object URL the cloud reads with the given keys. */
export function cloudCreateRequest(
  apiUrl: string,
  apiKey: string,
  clusterId: string,
  target: ImportTarget,
  objectUrl: string,
  keys: { accessKey?: string | undefined; secretKey?: string | undefined },
): HttpRequest {
  return {
    url: `${apiUrl.replace(/\/+$/, '')}/v2/vectordb/jobs/import/create`,
    headers: restHeaders(apiKey),
    body: {
      clusterId,
      ...(target.database ? { dbName: target.database } : {}),
      collectionName: target.collection,
      ...(target.partition ? { partitionName: target.partition } : {}),
      objectUrl,
      ...(keys.accessKey ? { accessKey: keys.accessKey } : {}),
      ...(keys.secretKey ? { secretKey: keys.secretKey } : {}),
    },
  };
}

export function cloudDescribeRequest(apiUrl: string, apiKey: string, clusterId: string, id: string): HttpRequest {
  return {
    url: `${apiUrl.replace(/\/+$/, '')}/v2/vectordb/jobs/import/describe`,
    headers: restHeaders(apiKey),
    body: { clusterId, jobId: id },
  };
}

function restHeaders(token: string | undefined): Record<string, string> {
  return { 'Content-Type': 'application/json', Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

/** The `data` of a describe answer (Milvus 2.4+ and Zilliz Cloud share its shape). */
export function restJobState(data: Record<string, unknown>): JobState {
  const state = String(data['state'] ?? '');
  const progress = Number(data['progress']);
  const rows = Number(data['importedRows']);
  const reason = typeof data['reason'] === 'string' && data['reason'] ? data['reason'] : undefined;
  const phase: JobPhase = /fail/i.test(state)
    ? 'failed'
    : /complete/i.test(state)
      ? 'completed'
      : /pending/i.test(state)
        ? 'pending'
        : 'running';
  return {
    phase,
    ...(Number.isFinite(progress) ? { progress } : {}),
    ...(Number.isFinite(rows) ? { rows } : {}),
    ...(reason ? { reason } : {}),
  };
}

async function post(request: HttpRequest, what: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(request.url, { method: 'POST', headers: request.headers, body: JSON.stringify(request.body), signal });
  } catch (e) {
    throw new MilvusdmError('MDM_CONNECT', `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await response.text();
  let answer: { code?: number; message?: string; data?: Record<string, unknown> };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new MilvusdmError('MDM_TARGET', `${what}: HTTP ${response.status}, not a JSON answer`);
  }
  if (!response.ok || (answer.code !== undefined && answer.code !== 0 && answer.code !== 200)) {
    throw new MilvusdmError('MDM_TARGET', `${what}: ${answer.message ?? `HTTP ${response.status}`}`);
  }
  return answer.data ?? {};
}

export class RestImportJobs implements ImportApi {
  readonly name = 'Milvus import jobs (REST, 2.4+)';
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly signal: AbortSignal,
    private readonly database: string | undefined,
  ) {}

  async start(target: ImportTarget, files: readonly string[]): Promise<string> {
    const data = await post(
      restCreateRequest(this.baseUrl, this.token, target, files),
      `start the import into "${target.collection}"`,
      this.signal,
    );
    return String(data['jobId']);
  }

  async state(id: string): Promise<JobState> {
    return restJobState(
      await post(restDescribeRequest(this.baseUrl, this.token, id, this.database), `ask for import job ${id}`, this.signal),
    );
  }

  async list(target: ImportTarget): Promise<readonly KnownJob[]> {
    const data = await post(
      restListRequest(this.baseUrl, this.token, target),
      `list the import jobs of "${target.collection}"`,
      this.signal,
    );
    const records = Array.isArray(data['records']) ? (data['records'] as Record<string, unknown>[]) : [];
    // The list does not name the files: a resumed run describes each job for them.
    const jobs: KnownJob[] = [];
    for (const r of records) {
      const id = String(r['jobId']);
      const d = await post(restDescribeRequest(this.baseUrl, this.token, id, this.database), `ask for import job ${id}`, this.signal);
      const details = Array.isArray(d['details']) ? (d['details'] as Record<string, unknown>[]) : [];
      jobs.push({ id, files: details.map((x) => String(x['fileName'] ?? '')).filter(Boolean), state: restJobState(d) });
    }
    return jobs;
  }
}

export class CloudImportJobs implements ImportApi {
  readonly name = 'Zilliz Cloud import jobs';
  constructor(
    private readonly apiUrl: string,
    private readonly apiKey: string,
    private readonly clusterId: string,
    private readonly objectUrlOf: (file: string) => string,
    private readonly keys: { accessKey?: string | undefined; secretKey?: string | undefined },
    private readonly signal: AbortSignal,
  ) {}

  async start(target: ImportTarget, files: readonly string[]): Promise<string> {
    if (files.length !== 1) throw new MilvusdmError('MDM_INTERNAL', 'Zilliz Cloud import takes one object URL per job here');
    const request = cloudCreateRequest(this.apiUrl, this.apiKey, this.clusterId, target, this.objectUrlOf(files[0]!), this.keys);
    const data = await post(request, `start the Zilliz Cloud import into "${target.collection}"`, this.signal);
    return String(data['jobId']);
  }

  async state(id: string): Promise<JobState> {
    return restJobState(
      await post(cloudDescribeRequest(this.apiUrl, this.apiKey, this.clusterId, id), `ask for import job ${id}`, this.signal),
    );
  }

  /** Zilliz Cloud's list does not name the files: a resumed run cannot find a job it lost, and says so. */
  async list(): Promise<readonly KnownJob[]> {
    return [];
  }
}
