/**
 * The channels milvusdm's own packages provide, so a "not installed" error can name the right
 * package (the `milvus1x` reader lives in `@milvusdm/reader-milvus-files`, not in a package
 * named after the channel) and suggest a near name for a typo even when nothing is installed.
 */
import type { ChannelKind } from '../plugin.js';

export const FIRST_PARTY_CHANNELS: Readonly<Record<ChannelKind, Readonly<Record<string, string>>>> = {
  reader: {
    hdf5: '@milvusdm/reader-hdf5',
    faiss: '@milvusdm/reader-faiss',
    milvus1x: '@milvusdm/reader-milvus-files',
    milvus: '@milvusdm/reader-milvus',
    parquet: '@milvusdm/reader-parquet',
  },
  writer: {
    milvus: '@milvusdm/writer-milvus',
    hdf5: '@milvusdm/writer-hdf5',
    parquet: '@milvusdm/writer-parquet',
  },
};
