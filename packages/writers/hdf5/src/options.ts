/** Options of the `hdf5` writer, as they appear under `target:` in a job file. */
import { z } from '@milvusdm/core';

export const hdf5WriterOptions = z.strictObject({
  dir: z
    .string()
    .min(1)
    .describe('Output folder: files go to <dir>/<collection>/<partition>.h5 and the H2M jobs to <dir>/yamls/ (required).'),
  h2m_yaml: z
    .boolean()
    .default(true)
    .describe("Write the MilvusDM H2M job that loads each file back, as the seed's M2H did (default true)."),
  yaml_host: z.string().min(1).default('127.0.0.1').describe('Milvus host the H2M jobs point at (default 127.0.0.1).'),
  yaml_port: z.int().min(1).max(65535).default(19530).describe('Milvus port the H2M jobs point at (default 19530).'),
  existing: z
    .enum(['fail', 'skip', 'overwrite'])
    .default('fail')
    .describe('When an output file already exists: fail, skip the dataset, or overwrite it (default fail).'),
  compression: z.int().min(0).max(9).default(0).describe('gzip level of the datasets, 0 to 9; 0 stores them uncompressed (default 0).'),
});

export type Hdf5WriterOptions = z.output<typeof hdf5WriterOptions>;
