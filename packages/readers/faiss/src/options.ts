/** Options of the `faiss` reader, as they appear under `source:` in a job file. */
import { z } from '@milvusdm/core';

export const faissReaderOptions = z.strictObject({
  /** The index file, as written by faiss.write_index / write_index_binary. */
  path: z.string().min(1),
  /**
   * Migrate Faiss's reconstruction of SQ / PQ codes. Off by default: those indexes keep
   * quantized codes, so what arrives in Milvus would not be the vectors that were indexed.
   */
  allow_lossy: z.boolean().default(false),
  /**
   * Metric to announce instead of the file's (IP for Faiss metric 0, L2 for 1; HAMMING for
   * binary indexes). Also lets a file with a metric Milvus lacks (L1, Linf…) be migrated.
   */
  metric: z.enum(['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE']).optional(),
  /** Name of the source collection; default: the file name without extension. */
  collection: z.string().min(1).optional(),
  /** Partition the rows belong to, carried to the target. */
  partition: z.string().min(1).optional(),
  /** Field names of the ids and vectors in the schema. */
  id_field: z.string().min(1).default('id'),
  vector_field: z.string().min(1).default('embedding'),
  /**
   * On-disk inverted lists (`ilod`): the data file. Default: the path stored in the index, then
   * a file of that name next to the index (as Faiss's IO_FLAG_ONDISK_SAME_DIR does).
   */
  data_file: z.string().min(1).optional(),
});

export type FaissReaderOptions = z.output<typeof faissReaderOptions>;
