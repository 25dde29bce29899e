/** A part file's footer: its row count and key-value metadata, read without its rows. */
import { openAsBlob } from 'node:fs';
import { MilvusdmError, errorMessage } from '@milvusdm/core';
import * as pw from 'parquet-wasm/node';

export async function readPartFooter(path: string): Promise<{ rows: number; metadata: Map<string, string> }> {
  try {
    const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
    try {
      const meta = file.metadata().fileMetadata();
      return { rows: meta.numRows(), metadata: new Map(meta.keyValueMetadata()) as Map<string, string> };
    } finally {
      file.free();
    }
  } catch (e) {
    throw new MilvusdmError('MDM_RESUME', `${path} is not a readable Parquet file: ${errorMessage(e)}`, {
      hint: 'Run again with --restart to start over.',
    });
  }
}
