/**
 * The milvusdm job format: `source:` and `target:` blocks, each naming its channel `type`, plus
 * optional `run:` settings.
 */
import { parseOptions, z } from '../options.js';
import { DEFAULT_RUN, DUPLICATE_POLICIES, EXISTING_KEY_POLICIES, INVALID_POLICIES, type JobSpec } from './spec.js';

const channelBlock = z.looseObject({ type: z.string().min(1) });

const runBlock = z.strictObject({
  batch_rows: z.int().min(1).max(1_000_000).optional(),
  prefetch: z.int().min(0).max(64).optional(),
  log_dir: z.string().optional(),
  logs_kept: z.int().min(0).optional(),
  on_invalid: z.enum(INVALID_POLICIES).optional(),
  duplicates: z.enum(DUPLICATE_POLICIES).optional(),
  existing_keys: z.enum(EXISTING_KEY_POLICIES).optional(),
  lock: z.boolean().optional(),
  lock_stale_seconds: z.int().min(10).optional(),
  state_dir: z.string().min(1).optional(),
  max_rows_per_second: z.number().positive().optional(),
});

export const jobFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  source: channelBlock,
  target: channelBlock,
  run: runBlock.optional(),
});

function splitChannel(block: { type: string } & Record<string, unknown>) {
  const { type, ...options } = block;
  return { type, options };
}

export function fromNewFormat(doc: unknown, file: string | undefined, baseDir: string): JobSpec {
  const parsed = parseOptions(jobFileSchema, doc, '', file);
  const run = parsed.run ?? {};
  return {
    source: splitChannel(parsed.source),
    target: splitChannel(parsed.target),
    run: {
      batchRows: run.batch_rows ?? DEFAULT_RUN.batchRows,
      prefetch: run.prefetch ?? DEFAULT_RUN.prefetch,
      ...(run.log_dir !== undefined ? { logDir: run.log_dir } : {}),
      ...(run.logs_kept !== undefined ? { logsKept: run.logs_kept } : {}),
      ...(run.on_invalid !== undefined ? { onInvalid: run.on_invalid } : {}),
      ...(run.duplicates !== undefined ? { duplicates: run.duplicates } : {}),
      ...(run.existing_keys !== undefined ? { existingKeys: run.existing_keys } : {}),
      ...(run.lock !== undefined ? { lock: run.lock } : {}),
      ...(run.lock_stale_seconds !== undefined ? { lockStaleSeconds: run.lock_stale_seconds } : {}),
      ...(run.state_dir !== undefined ? { stateDir: run.state_dir } : {}),
      ...(run.max_rows_per_second !== undefined ? { maxRowsPerSecond: run.max_rows_per_second } : {}),
    },
    format: 'milvusdm',
    ...(file !== undefined ? { file } : {}),
    baseDir,
    notes: [],
  };
}
