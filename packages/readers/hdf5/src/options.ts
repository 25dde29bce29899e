/** Options of the `hdf5` reader, as they appear under `source:` in a job file. */
import { z } from '@milvusdm/core';

export const hdf5ReaderOptions = z.strictObject({
  /** A file, a folder (every .h5/.hdf5 file in it), a glob, or a list of these. */
  path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Dataset holding the vectors; default `embeddings`, else ann-benchmarks' `train`. */
  vectors: z.string().min(1).optional(),
  /** Dataset holding int64 ids; default `ids` when present. false ignores ids: Milvus assigns them. */
  ids: z.union([z.string().min(1), z.literal(false)]).optional(),
  /**
   * How to read the vectors: float (float16/32/64 and integer data as float32), binary (uint8
   * rows or fixed-length byte strings, dimension in bits), or auto (by the data type).
   */
  vector_type: z.enum(['auto', 'float', 'binary']).default('auto'),
  /** Name of the source collection; default: the first file's name without extension. */
  collection: z.string().min(1).optional(),
  /** Partition the rows belong to at the source, carried to the target. */
  partition: z.string().min(1).optional(),
  /** Field names of the ids and vectors in the schema. */
  id_field: z.string().min(1).default('id'),
  vector_field: z.string().min(1).default('embedding'),
  /** Metric of the vectors, when the file does not say (ann-benchmarks files do). */
  metric: z.enum(['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE']).optional(),
});

export type Hdf5ReaderOptions = z.output<typeof hdf5ReaderOptions>;
