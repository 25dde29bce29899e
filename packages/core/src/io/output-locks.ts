/**
 * Locks on a file writer's outputs, one per output file or folder (`<output>.lock`), held from a
 * dataset's `begin` to the end of its write. Another run writing the same output — the same job
 * started twice, or two jobs with one target — is refused before either touches it: it would
 * take this run's `.partial` output for an interrupted run's and write into it.
 */
import { isSkipped, type ChannelContext, type DatasetWriter, type SkippedDataset } from '../plugin.js';
import { FileLock } from './file-lock.js';

export class OutputLocks {
  private readonly held = new Map<string, FileLock>();

  constructor(private readonly context: ChannelContext) {}

  /**
   * Locks `output`, then opens its writer with `open`; the lock is released once that writer's
   * write ends (or at once when the dataset is skipped or `open` fails). `run: {lock: false}` in
   * the job turns the lock off.
   */
  async guard(output: string, open: () => Promise<DatasetWriter | SkippedDataset>): Promise<DatasetWriter | SkippedDataset> {
    const run = this.context.run;
    if (run?.lock === false) return open();
    this.release(output);
    this.held.set(
      output,
      FileLock.acquire(`${output}.lock`, {
        what: `writing ${output}`,
        ...(run?.lockStaleSeconds !== undefined ? { staleSeconds: run.lockStaleSeconds } : {}),
        logger: this.context.logger,
      }),
    );
    let writer: DatasetWriter | SkippedDataset;
    try {
      writer = await open();
    } catch (e) {
      this.release(output);
      throw e;
    }
    if (isSkipped(writer)) {
      this.release(output);
      return writer;
    }
    const write = writer.write.bind(writer);
    return {
      ...writer,
      write: async (batches, hooks) => {
        try {
          return await write(batches, hooks);
        } finally {
          this.release(output);
        }
      },
    };
  }

  /** Releases every lock still held (a run that stopped mid-dataset). */
  releaseAll(): void {
    for (const output of [...this.held.keys()]) this.release(output);
  }

  private release(output: string): void {
    this.held.get(output)?.release();
    this.held.delete(output);
  }
}
