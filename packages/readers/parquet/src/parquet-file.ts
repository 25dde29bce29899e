/**
 * One Parquet file opened through parquet-wasm, read lazily from disk (a Blob backed by the
 * file): the footer at open, then one row group at a time, handed over as Arrow JS tables.
 */
import { openAsBlob } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import { MilvusdmError, errorMessage } from '@milvusdm/core';

export interface ParquetFooter {
  readonly rows: number;
  readonly rowGroups: readonly number[];
  readonly metadata: ReadonlyMap<string, string>;
  readonly schema: arrow.Schema;
  readonly createdBy?: string;
}

function unreadable(path: string, e: unknown): MilvusdmError {
  return new MilvusdmError('MDM_SOURCE', `${path}: not a readable Parquet file (${errorMessage(e).split('\n')[0]})`, { cause: e });
}

export class ParquetInput {
  private constructor(
    readonly path: string,
    private readonly file: pw.ParquetFile,
    readonly footer: ParquetFooter,
  ) {}

  static async open(path: string): Promise<ParquetInput> {
    let file: pw.ParquetFile;
    try {
      file = await pw.ParquetFile.fromFile(await openAsBlob(path));
    } catch (e) {
      throw unreadable(path, e);
    }
    try {
      const meta = file.metadata();
      const fileMeta = meta.fileMetadata();
      const createdBy = fileMeta.createdBy();
      const footer: ParquetFooter = {
        rows: fileMeta.numRows(),
        rowGroups: meta.rowGroups().map((g) => g.numRows()),
        metadata: new Map(fileMeta.keyValueMetadata()) as Map<string, string>,
        schema: arrow.tableFromIPC(file.schema().intoIPCStream()).schema,
        ...(createdBy ? { createdBy } : {}),
      };
      return new ParquetInput(path, file, footer);
    } catch (e) {
      file.free();
      throw unreadable(path, e);
    }
  }

  /** One row group as an Arrow table; `limit` reads only its first rows. */
  async readRowGroup(index: number, limit?: number): Promise<arrow.Table> {
    try {
      const rows = this.footer.rowGroups[index] ?? 0;
      const table = await this.file.read({ rowGroups: [index], batchSize: Math.max(1, rows), ...(limit !== undefined ? { limit } : {}) });
      return arrow.tableFromIPC(table.intoIPCStream());
    } catch (e) {
      throw new MilvusdmError('MDM_SOURCE', `${this.path}: row group ${index} cannot be read (${errorMessage(e).split('\n')[0]})`, {
        cause: e,
      });
    }
  }

  /**
   * One row group as Arrow record batches of at most `batchRows` rows, decoded as they are
   * asked for: memory holds one batch, whatever size the file's writer gave its row groups.
   */
  async *streamRowGroup(index: number, batchRows: number): AsyncGenerator<arrow.RecordBatch> {
    const failed = (e: unknown) =>
      new MilvusdmError('MDM_SOURCE', `${this.path}: row group ${index} cannot be read (${errorMessage(e).split('\n')[0]})`, { cause: e });
    let reader: ReadableStreamDefaultReader<pw.RecordBatch>;
    try {
      reader = (
        (await this.file.stream({ rowGroups: [index], batchSize: Math.max(1, batchRows) })) as ReadableStream<pw.RecordBatch>
      ).getReader();
    } catch (e) {
      throw failed(e);
    }
    try {
      for (;;) {
        const next = await reader.read().catch((e: unknown) => {
          throw failed(e);
        });
        if (next.done) return;
        yield* arrow.tableFromIPC(next.value.intoIPCStream()).batches;
      }
    } finally {
      await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  }

  close(): void {
    this.file.free();
  }
}
