/** Options of the `hdf5` writer, as they appear under `target:` in a job file. */
import { z } from '@milvusdm/core';

export const hdf5WriterOptions = z.strictObject({
  /** Output folder: `<dir>/<collection>/<partition>.h5`, and `<dir>/yamls/…` for the H2M jobs. */
  dir: z.string().min(1),
  /** Write, beside each file, the MilvusDM H2M job that loads it back (as the seed's M2H did). */
  h2m_yaml: z.boolean().default(true),
  /** Milvus address the H2M jobs point at. */
  yaml_host: z.string().min(1).default('127.0.0.1'),
  yaml_port: z.int().min(1).max(65535).default(19530),
  /** What to do when an output file already exists: fail (default), skip the dataset, or overwrite it. */
  existing: z.enum(['fail', 'skip', 'overwrite']).default('fail'),
  /** gzip level for the datasets; 0 stores them uncompressed. */
  compression: z.int().min(0).max(9).default(0),
});

export type Hdf5WriterOptions = z.output<typeof hdf5WriterOptions>;
