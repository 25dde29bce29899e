/**
 * Verifying a whole job: open its source, ask the writer where each dataset went (its
 * `readBack`), open that with the matching reader, and verify dataset by dataset. Source
 * datasets that went to the same place (two partitions written into one) are compared
 * together against it.
 */
import { MilvusdmError, errorMessage, isMilvusdmError } from '../errors.js';
import { parseOptions } from '../options.js';
import type { ChannelContext, ReadBackSpec, ReaderPlugin, ReaderSource, SourceDataset, WriterPlugin } from '../plugin.js';
import { verifyDataset } from './verify-dataset.js';
import type { DatasetVerdict, VerifyOptions } from './types.js';

export interface VerifyJobInput {
  readonly reader: ReaderPlugin;
  readonly readerOptions: unknown;
  readonly writer: WriterPlugin;
  readonly writerOptions: unknown;
  /** Finds the reader a read-back names (the CLI resolves installed plugins). */
  readonly resolveReader: (type: string) => Promise<ReaderPlugin>;
  readonly context: ChannelContext;
  readonly file?: string | undefined;
  readonly options: VerifyOptions;
  /** Called as each target is done, before the next is read. */
  readonly onVerdict?: (verdict: DatasetVerdict) => void;
}

export interface JobVerdict {
  readonly equal: boolean;
  readonly datasets: readonly DatasetVerdict[];
}

interface Group {
  readonly spec: ReadBackSpec;
  readonly datasets: SourceDataset[];
}

export async function verifyJob(input: VerifyJobInput): Promise<JobVerdict> {
  const { context, writer } = input;
  const readerOptions = parseOptions(input.reader.options, input.readerOptions, 'source', input.file);
  const writerOptions = parseOptions(writer.options, input.writerOptions, 'target', input.file);
  if (!writer.readBack) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `the "${writer.name}" writer does not say how to read back what it writes, so its output cannot be verified`,
      {
        hint: 'A writer plugin supports verification by implementing readBack() (see docs/writing-a-plugin.md).',
      },
    );
  }
  let source: ReaderSource | undefined;
  const verdicts: DatasetVerdict[] = [];
  try {
    source = await input.reader.open(readerOptions, context);
    const groups = new Map<string, Group>();
    for (const dataset of source.datasets) {
      const spec = writer.readBack(writerOptions, dataset, context);
      const id = JSON.stringify([spec.reader, spec.options]);
      const group = groups.get(id);
      if (group) group.datasets.push(dataset);
      else groups.set(id, { spec, datasets: [dataset] });
    }
    for (const group of groups.values()) {
      context.signal.throwIfAborted();
      const verdict = await verifyGroup(group, input);
      verdicts.push(verdict);
      input.onVerdict?.(verdict);
    }
  } catch (e) {
    // Ctrl-C: say so, rather than pass on whatever a reader made of the abort.
    if (context.signal.aborted && (e as { code?: string }).code !== 'MDM_ABORTED') {
      throw new MilvusdmError('MDM_ABORTED', 'the verification was interrupted before it finished', { cause: e });
    }
    throw e;
  } finally {
    await source?.close().catch((e: unknown) => context.logger.warn(`closing the source failed: ${errorMessage(e)}`));
  }
  return { equal: verdicts.every((v) => v.equal), datasets: verdicts };
}

async function verifyGroup(group: Group, input: VerifyJobInput): Promise<DatasetVerdict> {
  const { spec } = group;
  const { context } = input;
  const reader = await input.resolveReader(spec.reader);
  const options = parseOptions(reader.options, spec.options, `read-back of ${spec.describe}`);
  let target: ReaderSource;
  try {
    target = await reader.open(options, context);
  } catch (e) {
    // The reader speaks of its "source"; here that source is the job's target.
    throw new MilvusdmError(
      isMilvusdmError(e) && e.code === 'MDM_CONNECT' ? 'MDM_CONNECT' : 'MDM_VERIFY',
      `target ${spec.describe} cannot be read back: ${errorMessage(e)}`,
      { cause: e },
    );
  }
  try {
    context.logger.info(`verifying ${group.datasets.map((d) => d.origin).join(', ')} against ${spec.describe}`);
    return await verifyDataset(
      { datasets: group.datasets },
      { datasets: target.datasets, label: spec.describe },
      { ...input.options, signal: input.options.signal ?? context.signal },
    );
  } finally {
    await target.close().catch((e: unknown) => context.logger.warn(`closing the read-back of ${spec.describe} failed: ${errorMessage(e)}`));
  }
}
