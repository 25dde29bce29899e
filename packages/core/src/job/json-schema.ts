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
  return { anyOf: [...branches, { ...open, not: { properties: { type: { enum: branches.map((b) => (b['properties'] as { type: { const: string } }).type.const) } } } }] };
}

export function buildJobJsonSchema(plugins: readonly ChannelPlugin[]): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'milvusdm job file',
    type: 'object',
    additionalProperties: false,
    required: ['source', 'target'],
    properties: {
      version: { const: 1 },
      source: channelSchema(plugins, 'reader'),
      target: channelSchema(plugins, 'writer'),
      run: {
        type: 'object',
        additionalProperties: false,
        properties: {
          batch_rows: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Rows per batch asked of the reader (default 10000).' },
          prefetch: { type: 'integer', minimum: 0, maximum: 64, description: 'Batches read ahead while the writer works (default 2).' },
          log_dir: { type: 'string', description: 'Folder for daily log files (default $MILVUSDM_PATH/logs or ~/milvusdm/logs).' },
          logs_kept: { type: 'integer', minimum: 0, description: 'Daily log files to keep; 0 keeps all.' },
          state_dir: { type: 'string', minLength: 1, description: 'Folder for the resume state of interrupted runs (default <log folder>/state).' },
        },
      },
    },
  };
}
