/**
 * The original MilvusDM job files (top-level key H2M, F2M, M2M or M2H), read unchanged and mapped
 * onto today's channels. Milvus 1.x collections had an int64 id and one vector, so the target
 * schema is `id` (int64 primary key) plus `embedding`; binary metrics mean a binary vector field.
 */
import { ConfigError } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { BINARY_METRICS } from '../schema.js';
import { milvusNameProblem, milvusUriProblem } from './names.js';
import { DEFAULT_RUN, type ChannelSpec, type JobFormat, type JobSpec } from './spec.js';

export const LEGACY_TASKS = ['H2M', 'F2M', 'M2M', 'M2H'] as const;
export type LegacyTask = (typeof LEGACY_TASKS)[number];

const METRICS = ['L2', 'IP', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE'] as const;

const port = z.union([z.int().min(1).max(65535), z.string().regex(/^\d+$/).transform(Number)]);
const optionalText = z.string().nullish();

/** A refinement that reports `problem(value)` on the key, when there is one. */
function checked(problem: (value: string) => string | undefined) {
  return (value: string | null | undefined, ctx: z.RefinementCtx) => {
    const p = value ? problem(value) : undefined;
    if (p) ctx.addIssue({ code: 'custom', message: p });
  };
}
const uriText = optionalText.superRefine(checked(milvusUriProblem));
const collectionName = z
  .string()
  .min(1)
  .superRefine(checked((v) => milvusNameProblem(v, 'collection')));
const partitionName = optionalText.superRefine(checked((v) => milvusNameProblem(v, 'partition')));

const collectionParameter = z.looseObject({
  dimension: z.int().min(1),
  index_file_size: z.int().nullish(),
  metric_type: z.enum(METRICS),
});

/** Keys every legacy task may carry; our additions (dest_uri, dest_token, source_*) are documented. */
const common = {
  milvus_version: z.unknown().optional(),
  'milvus-version': z.unknown().optional(),
};

const destination = {
  dest_host: optionalText,
  dest_port: port.nullish(),
  dest_uri: uriText,
  dest_token: optionalText,
  dest_user: optionalText,
  dest_password: optionalText,
  dest_database: optionalText,
  mode: z.enum(['skip', 'append', 'overwrite']),
};

// MilvusDM's docs: "If MySQL is not used, set this parameter as ''". So '' (or an empty block,
// or a block of blank values, a blank port included) means the meta is SQLite.
const mysqlParameter = z
  .union([
    z.literal(''),
    z.looseObject({
      host: optionalText,
      user: optionalText,
      port: z.union([port, z.literal('').transform(() => null)]).nullish(),
      password: z.union([z.string(), z.number()]).nullish(),
      database: optionalText,
    }),
  ])
  .nullish();

const sourceCollection = z.record(z.string(), z.array(z.string()).nullish());

const legacySchemas = {
  H2M: z.looseObject({
    ...common,
    ...destination,
    data_path: z.union([z.string(), z.array(z.string())]).nullish(),
    data_dir: optionalText,
    dest_collection_name: collectionName,
    dest_partition_name: partitionName,
    collection_parameter: collectionParameter,
  }),
  F2M: z.looseObject({
    ...common,
    ...destination,
    data_path: z.string().min(1),
    dest_collection_name: collectionName,
    dest_partition_name: partitionName,
    collection_parameter: collectionParameter,
  }),
  M2M: z.looseObject({
    ...common,
    ...destination,
    source_milvus_path: z.string().min(1),
    mysql_parameter: mysqlParameter,
    source_collection: sourceCollection,
  }),
  M2H: z.looseObject({
    ...common,
    source_milvus_path: optionalText,
    mysql_parameter: mysqlParameter,
    source_collection: sourceCollection,
    data_dir: z.string().min(1),
    // Our addition: M2H from a live Milvus 2.x server instead of a 1.x data directory.
    source_host: optionalText,
    source_port: port.nullish(),
    source_uri: uriText,
    source_token: optionalText,
    source_user: optionalText,
    source_password: optionalText,
    source_database: optionalText,
  }),
} as const;

type Block<T extends LegacyTask> = z.output<(typeof legacySchemas)[T]>;

export function isLegacyDocument(doc: unknown): doc is Record<LegacyTask, unknown> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const keys = Object.keys(doc);
  return keys.length === 1 && (LEGACY_TASKS as readonly string[]).includes(keys[0]!);
}

function present(v: string | null | undefined): v is string {
  return v !== undefined && v !== null && v !== '';
}

function milvusTarget(task: LegacyTask, b: z.output<z.ZodObject<typeof destination>>): Record<string, unknown> {
  let uri: string;
  if (present(b.dest_uri)) uri = b.dest_uri;
  else if (present(b.dest_host)) {
    if (b.dest_port === undefined || b.dest_port === null) throw new ConfigError(`${task}.dest_port: is required with dest_host`);
    uri = `http://${b.dest_host}:${b.dest_port}`;
  } else throw new ConfigError(`${task}.dest_host: is required (or dest_uri)`);
  return {
    uri,
    ...(present(b.dest_token) ? { token: b.dest_token } : {}),
    ...(present(b.dest_user) ? { user: b.dest_user } : {}),
    ...(present(b.dest_password) ? { password: b.dest_password } : {}),
    ...(present(b.dest_database) ? { database: b.dest_database } : {}),
    mode: b.mode,
  };
}

function vectorTypeOf(metric: (typeof METRICS)[number]): 'binary' | 'float' {
  return (BINARY_METRICS as readonly string[]).includes(metric) ? 'binary' : 'float';
}

function collectionNotes(task: LegacyTask, b: { collection_parameter: z.output<typeof collectionParameter> }, notes: string[]) {
  if (b.collection_parameter.index_file_size !== undefined && b.collection_parameter.index_file_size !== null) {
    notes.push(`${task}.collection_parameter.index_file_size is accepted and ignored: Milvus 2.x sizes segments itself`);
  }
}

function h2m(b: Block<'H2M'>, notes: string[]): [ChannelSpec, ChannelSpec] {
  const hasPath = b.data_path !== undefined && b.data_path !== null && b.data_path.length > 0;
  const hasDir = present(b.data_dir);
  if (hasPath && hasDir) throw new ConfigError('H2M: give data_path or data_dir, not both (the other must be empty)');
  if (!hasPath && !hasDir) throw new ConfigError('H2M.data_path: is required (or data_dir)');
  collectionNotes('H2M', b, notes);
  const metric = b.collection_parameter.metric_type;
  const source: ChannelSpec = {
    type: 'hdf5',
    options: {
      // data_dir took every *.h5 file of the folder.
      path: hasPath ? b.data_path : `${b.data_dir!.replace(/\/+$/, '')}/*.h5`,
      vector_type: vectorTypeOf(metric),
      collection: b.dest_collection_name,
    },
  };
  const target: ChannelSpec = {
    type: 'milvus',
    options: {
      ...milvusTarget('H2M', b),
      collection: b.dest_collection_name,
      ...(present(b.dest_partition_name) ? { partition: b.dest_partition_name } : {}),
      dim: b.collection_parameter.dimension,
      metric,
    },
  };
  return [source, target];
}

function f2m(b: Block<'F2M'>, notes: string[]): [ChannelSpec, ChannelSpec] {
  collectionNotes('F2M', b, notes);
  // The YAML's metric is the job's choice (the original tool always used it): the reader
  // announces it instead of the file's, so an index built with a metric Milvus lacks (L1,
  // Linf…) migrates under the metric the job names.
  const source: ChannelSpec = { type: 'faiss', options: { path: b.data_path, metric: b.collection_parameter.metric_type } };
  const target: ChannelSpec = {
    type: 'milvus',
    options: {
      ...milvusTarget('F2M', b),
      collection: b.dest_collection_name,
      ...(present(b.dest_partition_name) ? { partition: b.dest_partition_name } : {}),
      dim: b.collection_parameter.dimension,
      metric: b.collection_parameter.metric_type,
    },
  };
  return [source, target];
}

function milvus1xSource(task: LegacyTask, b: Block<'M2M'> | Block<'M2H'>): ChannelSpec {
  const mysql = typeof b.mysql_parameter === 'object' ? b.mysql_parameter : undefined;
  const useMysql = mysql !== undefined && mysql !== null && Object.values(mysql).some((v) => v !== null && v !== undefined && v !== '');
  return {
    type: 'milvus1x',
    options: {
      path: b.source_milvus_path,
      ...(useMysql
        ? {
            mysql: {
              ...(present(mysql.host) ? { host: mysql.host } : {}),
              ...(mysql.port !== undefined && mysql.port !== null ? { port: mysql.port } : {}),
              ...(present(mysql.user) ? { user: mysql.user } : {}),
              ...(mysql.password !== undefined && mysql.password !== null ? { password: String(mysql.password) } : {}),
              ...(present(mysql.database) ? { database: mysql.database } : {}),
            },
          }
        : {}),
      collections: legacyCollections(task, b.source_collection),
    },
  };
}

/** `{name: [partitions]}`; an empty or missing list means every partition, as in the seed. */
function legacyCollections(task: LegacyTask, sc: Record<string, string[] | null | undefined>) {
  const names = Object.keys(sc);
  if (names.length === 0) throw new ConfigError(`${task}.source_collection: name at least one collection`);
  return Object.fromEntries(names.map((n) => [n, sc[n] && sc[n].length > 0 ? sc[n] : null]));
}

function m2m(b: Block<'M2M'>): [ChannelSpec, ChannelSpec] {
  return [milvus1xSource('M2M', b), { type: 'milvus', options: milvusTarget('M2M', b) }];
}

function m2h(b: Block<'M2H'>, runId: string): [ChannelSpec, ChannelSpec] {
  let source: ChannelSpec;
  if (present(b.source_milvus_path)) {
    source = milvus1xSource('M2H', b);
  } else {
    let uri: string;
    if (present(b.source_uri)) uri = b.source_uri;
    else if (present(b.source_host)) uri = `http://${b.source_host}:${b.source_port ?? 19530}`;
    else throw new ConfigError('M2H.source_milvus_path: is required (or source_host / source_uri for a live Milvus 2.x server)');
    const names = Object.keys(b.source_collection);
    if (names.length !== 1) {
      throw new ConfigError('M2H.source_collection: a live Milvus source takes exactly one collection per job');
    }
    const name = names[0]!;
    const partitions = b.source_collection[name];
    source = {
      type: 'milvus',
      options: {
        uri,
        ...(present(b.source_token) ? { token: b.source_token } : {}),
        ...(present(b.source_user) ? { user: b.source_user } : {}),
        ...(present(b.source_password) ? { password: b.source_password } : {}),
        ...(present(b.source_database) ? { database: b.source_database } : {}),
        collection: name,
        ...(partitions && partitions.length > 0 ? { partitions } : {}),
      },
    };
  }
  // The seed wrote each run into its own folder under data_dir, never over an earlier dump.
  const target: ChannelSpec = {
    type: 'hdf5',
    options: { dir: `${b.data_dir.replace(/\/+$/, '')}/${runId}`, h2m_yaml: true },
  };
  return [source, target];
}

export function fromLegacyFormat(
  doc: Record<string, unknown>,
  file: string | undefined,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  runId: string,
): JobSpec {
  const task = Object.keys(doc)[0] as LegacyTask;
  const notes: string[] = [];
  const raw = doc[task];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file ? `${file}: ` : ''}${task}: expected a mapping of settings`);
  }
  const schema = legacySchemas[task];
  const block = parseOptions(schema, raw, task, file);
  // The original tool ignored keys it did not know; so do we, but say so (a typo is likely).
  const unknown = Object.keys(raw).filter((k) => !(k in schema.shape));
  for (const key of unknown) notes.push(`${task}.${key} is not a MilvusDM setting and is ignored`);
  const version = block.milvus_version ?? block['milvus-version'];
  if (version !== undefined && version !== null) {
    notes.push(`${task}.milvus_version (${String(version)}) is accepted and ignored: milvusdm talks to Milvus 2.x and newer`);
  }
  let channels: [ChannelSpec, ChannelSpec];
  switch (task) {
    case 'H2M':
      channels = h2m(block as Block<'H2M'>, notes);
      break;
    case 'F2M':
      channels = f2m(block as Block<'F2M'>, notes);
      break;
    case 'M2M':
      channels = m2m(block as Block<'M2M'>);
      break;
    case 'M2H':
      channels = m2h(block as Block<'M2H'>, runId);
      break;
  }
  const logsKept = Number(env['logs_num'] ?? env['LOGS_NUM'] ?? 0);
  const home = env['MILVUSDM_PATH'];
  return {
    source: channels[0],
    target: channels[1],
    run: {
      ...DEFAULT_RUN,
      ...(home ? { logDir: `${home}/logs` } : {}),
      ...(Number.isInteger(logsKept) && logsKept > 0 ? { logsKept } : {}),
    },
    format: `legacy-${task}` as JobFormat,
    ...(file !== undefined ? { file } : {}),
    baseDir,
    notes,
  };
}
