/**
 * The MilvusDM H2M job written beside each HDF5 file, so a dump loads back with
 * `milvusdm --yaml` (or the original tool), as the seed's M2H did.
 */
import { stringify } from 'yaml';
import { primaryField, vectorFields, type CollectionSchema } from '@milvusdm/core';

export interface H2mJobInput {
  readonly h5Path: string;
  readonly collection: string;
  /** Undefined for the default partition. */
  readonly partition: string | undefined;
  readonly schema: CollectionSchema;
  readonly host: string;
  readonly port: number;
}

/** The job text, or undefined when the schema does not fit the H2M format (one int64 id, one vector). */
export function h2mJobYaml(input: H2mJobInput): string | undefined {
  const vectors = vectorFields(input.schema);
  const pk = primaryField(input.schema);
  if (vectors.length !== 1 || input.schema.fields.length !== 2 || (pk && pk.type !== 'int64')) return undefined;
  const vector = vectors[0]!;
  if (vector.type !== 'float_vector' && vector.type !== 'binary_vector') return undefined;
  const metric = vector.metric ?? (vector.type === 'binary_vector' ? 'HAMMING' : 'L2');
  const job = {
    H2M: {
      milvus_version: '2.x',
      data_path: [input.h5Path],
      data_dir: null,
      dest_host: input.host,
      dest_port: input.port,
      mode: 'skip',
      dest_collection_name: input.collection,
      dest_partition_name: input.partition ?? '',
      collection_parameter: { dimension: vector.dim, index_file_size: 1024, metric_type: metric },
    },
  };
  return stringify(job);
}
