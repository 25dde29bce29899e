/**
 * `milvusdm init --source TYPE --target TYPE [--out FILE]`: a job file to start from, written
 * from the installed plugins' own option schemas — every option with its description as a
 * comment, required ones set to a placeholder, optional ones commented out with their default.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, JOB_SCHEMA_URL, resolveChannel, toJsonSchema, type ChannelPlugin } from '@milvusdm/core';
import { pluginBases } from '../plugin-bases.js';
import type { Output } from '../output.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  exclusiveMinimum?: number;
}

/** A value that shows the expected shape; a required option's placeholder must be edited. */
function placeholder(s: JsonSchema): unknown {
  if (s.default !== undefined) return s.default;
  // A default applied by the plugin rather than the schema is stated in the description.
  const stated = documentedDefault(s);
  if (stated !== undefined) return stated;
  if (s.examples?.[0] !== undefined) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.enum?.[0] !== undefined) return s.enum[0];
  const branch = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (branch) return placeholder(branch);
  switch (Array.isArray(s.type) ? s.type[0] : s.type) {
    case 'integer':
    case 'number':
      // The smallest value accepted, so an uncommented line is at least valid.
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      // An object with required keys has no valid empty form: an empty placeholder, like a
      // string without a default, and the description says its shape.
      return (s.required?.length ?? 0) > 0 ? '' : {};
    default:
      return '';
  }
}

/** The value of "(default X)" in the description, when X has the option's type. */
function documentedDefault(s: JsonSchema): unknown {
  const text = /\(default ([^),;]+)[),;]/.exec(s.description ?? '')?.[1]?.trim();
  if (text === undefined) return undefined;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('integer') || types.includes('number')) {
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  if (types.includes('boolean')) return text === 'true' ? true : text === 'false' ? false : undefined;
  if (types.includes('string')) return text.replace(/^["'`]|["'`]$/g, '');
  return undefined;
}

function choices(s: JsonSchema): string {
  const values = s.enum ?? s.anyOf?.flatMap((b) => (b.const !== undefined ? [b.const] : (b.enum ?? [])));
  return values && values.length > 1 ? ` One of: ${values.map((v) => String(v)).join(', ')}.` : '';
}

/** `key: value` as YAML (one line for scalars and short values). */
function yamlLine(key: string, value: unknown): string {
  return `${key}: ${stringify(value, { lineWidth: 0, collectionStyle: 'flow' }).trimEnd()}`;
}

function block(section: 'source' | 'target', plugin: ChannelPlugin): string[] {
  const schema = toJsonSchema(plugin.options) as JsonSchema;
  const required = new Set(schema.required ?? []);
  const lines = [`${section}:`, `  type: ${plugin.name}${plugin.description ? `  # ${plugin.description}` : ''}`];
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) lines.push(`  # ${plugin.name} describes no options here: see its documentation.`);
  for (const [key, s] of properties) {
    const about = `${s.description ?? ''}${choices(s)}`.trim();
    if (about) lines.push(`  # ${about}`);
    const line = yamlLine(key, placeholder(s));
    lines.push(required.has(key) ? `  ${line}   # required` : `  # ${line}`);
  }
  return lines;
}

export function jobFileText(reader: ChannelPlugin, writer: ChannelPlugin): string {
  return [
    `# yaml-language-server: $schema=${JOB_SCHEMA_URL}`,
    `# milvusdm job: ${reader.name} → ${writer.name}. Fill in the required values, then: milvusdm run THIS_FILE`,
    '# Commented-out keys are optional and show their defaults. Relative paths resolve from this file.',
    '# (Third-party channels are not in the published schema: `milvusdm schema > job.schema.json` and point $schema there.)',
    'version: 1',
    ...block('source', reader),
    ...block('target', writer),
    'run:',
    '  # Rows per batch asked of the reader.',
    '  # batch_rows: 10000',
    '  # Batches read ahead while the writer works.',
    '  # prefetch: 2',
    '  # Folder for daily log files (default $MILVUSDM_PATH/logs or ~/milvusdm/logs).',
    '  # log_dir: ./logs',
    '  # Daily log files kept (0 = all).',
    '  # logs_kept: 7',
    '',
  ].join('\n');
}

export async function initCommand(
  args: { source: string; target: string; out: string | undefined; force: boolean },
  out: Output,
): Promise<number> {
  const bases = pluginBases(undefined);
  const reader = (await resolveChannel('reader', args.source, { bases, baseDir: process.cwd() })).plugin;
  const writer = (await resolveChannel('writer', args.target, { bases, baseDir: process.cwd() })).plugin;
  const text = jobFileText(reader, writer);
  if (!args.out) {
    out.print(text);
    return 0;
  }
  const file = resolve(args.out);
  try {
    // `wx` refuses to replace a file someone may have edited.
    await writeFile(file, text, { flag: args.force ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`${file} exists; pass --force to overwrite it`);
    throw e;
  }
  out.message(`wrote ${file}: fill in the required values, then run: milvusdm run ${args.out}`);
  return 0;
}
