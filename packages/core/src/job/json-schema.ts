/**
 * JSON Schema of the milvusdm job format, with one branch per installed channel so editors can
 * complete and check each plugin's own options.
 */
import { toJsonSchema } from '../options.js';
import type { ChannelKind, ChannelPlugin } from '../plugin.js';

function channelBranch(plugin: ChannelPlugin): Record<string, unknown> {
  const { $schema: _nested, ...options } = toJsonSchema(plugin.options);
  const properties = (options['properties'] as Record<string, unknown> | undefined) ?? {};
  const required = (options['required'] as string[] | undefined) ?? [];
  return {
    ...options,
    ...(plugin.description ? { description: plugin.description } : {}),
    properties: { type: { const: plugin.name }, ...properties },
    required: ['type', ...required],
  };
}

function channelSchema(plugins: readonly ChannelPlugin[], kind: ChannelKind): Record<string, unknown> {
  const branches = plugins.filter((p) => p.kind === kind).map(channelBranch);
  const open = { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] };
  // A third-party channel not installed where the schema was generated must still validate.
  return {
    anyOf: [
      ...branches,
      {
        ...open,
        not: { properties: { type: { enum: branches.map((b) => (b['properties'] as { type: { const: string } }).type.const) } } },
      },
    ],
  };
}

/** Where the schema of the first-party channels is published (the repository's schema/job.schema.json). */
export const JOB_SCHEMA_URL = 'https://raw.githubusercontent.com/milvusdm/milvusdm/main/schema/job.schema.json';

export function buildJobJsonSchema(plugins: readonly ChannelPlugin[]): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: JOB_SCHEMA_URL,
    title: 'milvusdm job file',
    type: 'object',
    additionalProperties: false,
    required: ['source', 'target'],
    properties: {
      version: { const: 1, description: 'Version of the job format (1).' },
      source: {
        description: 'Where rows come from: `type` names the reader plugin, the other keys are its options.',
        ...channelSchema(plugins, 'reader'),
      },
      target: {
        description: 'Where rows go: `type` names the writer plugin, the other keys are its options.',
        ...channelSchema(plugins, 'writer'),
      },
      run: {
        description: 'How the run goes (all optional).',
        type: 'object',
        additionalProperties: false,
        properties: {
          batch_rows: {
            type: 'integer',
            minimum: 1,
            maximum: 1_000_000,
            description: 'Rows per batch asked of the reader (default 10000).',
          },
          prefetch: {
            type: 'integer',
            minimum: 0,
            maximum: 64,
            description:
              'Batches read ahead while the writer works (default 2; fewer when batches are large: at most 32 MiB of them per stage).',
          },
          log_dir: { type: 'string', description: 'Folder for daily log files (default $MILVUSDM_PATH/logs or ~/milvusdm/logs).' },
          logs_kept: { type: 'integer', minimum: 0, description: 'Daily log files to keep; 0 keeps all.' },
          on_invalid: {
            enum: ['fail', 'skip'],
            description: 'A row holding NaN, ±Inf or an over-long string: stop the run (default) or skip the row and report its id.',
          },
          duplicates: {
            enum: ['fail', 'first', 'last'],
            description: 'A key occurring twice in one source dataset: stop (default), keep the first or keep the last occurrence.',
          },
          existing_keys: {
            enum: ['fail', 'skip', 'upsert'],
            description:
              'Under append into a target that already held rows: a key it holds stops the run (default), is skipped, or its row is replaced.',
          },
          lock: {
            type: 'boolean',
            description:
              'Refuse a second run of the same job, and a run writing a target (collection, file) another run is writing (default true).',
          },
          lock_stale_seconds: {
            type: 'integer',
            minimum: 10,
            description: 'A lock not renewed for this long is stale and taken over (default 600).',
          },
          state_dir: {
            type: 'string',
            minLength: 1,
            description: 'Folder for the resume state of interrupted runs (default <log folder>/state).',
          },
          max_rows_per_second: {
            type: 'number',
            exclusiveMinimum: 0,
            description:
              'Cap on the rows per second handed to the target, averaged from the start of the run, for servers that also serve users (default: no cap).',
          },
        },
      },
    },
  };
}
