import { definePlugin } from '@milvusdm/core';
import { MilvusConnection } from '@milvusdm/milvus-client';
import { milvusWriterOptions, type MilvusWriterOptions } from './options.js';
import { MilvusSink } from './sink.js';
import { DatabaseRouter } from './databases.js';
import { milvusReadBack } from './read-back.js';
import { findLeftovers } from './cleanup.js';

export { milvusWriterOptions, type MilvusWriterOptions, MilvusSink };
export { isMilvusdmName, parseHelperName } from './names.js';
export { swapChecks, type SwapCheck } from './staging.js';

export default definePlugin({
  kind: 'writer',
  name: 'milvus',
  description: 'Writes into a Milvus 2.x+ collection or partition (Milvus, Zilliz Cloud, Milvus Lite).',
  options: milvusWriterOptions,
  async open(options: MilvusWriterOptions, context) {
    const connection = await MilvusConnection.open(options, context, 'target');
    // Datasets from several source databases go to their own databases (databases.ts).
    return new DatabaseRouter(new MilvusSink(connection, options, context), connection, options, context);
  },
  readBack: (options: MilvusWriterOptions, dataset) => milvusReadBack(options, dataset),
  async leftovers(options: MilvusWriterOptions, context, apply: boolean) {
    const connection = await MilvusConnection.open(options, context, 'target');
    try {
      return await findLeftovers(connection, context, context.run?.lockStaleSeconds ?? 600, apply);
    } finally {
      await connection.close();
    }
  },
});
