/**
 * The HDF5 writer: one file per collection partition in the MilvusDM layout (`embeddings`,
 * `ids`), written to `<file>.partial` and renamed only once complete, so a failed run never
 * leaves a file that looks whole.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  MilvusdmError,
  errorMessage,
  primaryField,
  vectorFields,
  type ChannelContext,
  type Column,
  type DatasetInfo,
  type DatasetWriter,
  type SkippedDataset,
  type WriterSink,
} from '@milvusdm/core';
import { GrowingFile } from './h5-out.js';
import { h2mJobYaml } from './h2m-yaml.js';
import type { Hdf5WriterOptions } from './options.js';

const SAFE = /[^A-Za-z0-9_.-]/g;

/** Dataset name in the file for each field: the seed's names for the key and the vector. */
function datasetNames(dataset: DatasetInfo): Map<string, string> {
  if (dataset.schema.enableDynamicField) {
    throw new MilvusdmError('MDM_UNSUPPORTED', `${dataset.origin} has dynamic fields, which the MilvusDM HDF5 layout cannot store yet`);
  }
  const names = new Map<string, string>();
  const pk = primaryField(dataset.schema);
  const vectors = vectorFields(dataset.schema);
  for (const field of dataset.schema.fields) {
    if (field === pk) {
      if (field.type !== 'int64') {
        throw new MilvusdmError('MDM_UNSUPPORTED', `${dataset.origin}: ${field.type} keys cannot be stored in the MilvusDM HDF5 layout yet (ids are int64)`);
      }
      names.set(field.name, 'ids');
    } else if (field === vectors[0]) names.set(field.name, 'embeddings');
    else names.set(field.name, field.name);
  }
  return names;
}

export class Hdf5Sink implements WriterSink {
  private readonly dir: string;
  private open: { file: GrowingFile; partial: string } | undefined;
  private readonly written: string[] = [];

  constructor(
    private readonly options: Hdf5WriterOptions,
    private readonly context: ChannelContext,
  ) {
    this.dir = resolve(context.baseDir, options.dir);
  }

  async begin(dataset: DatasetInfo): Promise<DatasetWriter | SkippedDataset> {
    const partition = dataset.partition ?? '_default';
    const path = join(this.dir, dataset.collection.replace(SAFE, '_'), `${partition.replace(SAFE, '_')}.h5`);
    if (existsSync(path)) {
      if (this.options.existing === 'skip') return { skipped: `${path} exists (existing: skip)` };
      if (this.options.existing === 'fail') {
        throw new MilvusdmError('MDM_TARGET', `${path} already exists`, { hint: 'Choose another target.dir, or set target.existing to overwrite or skip.' });
      }
    }
    const names = datasetNames(dataset);
    await mkdir(dirname(path), { recursive: true }).catch((e: unknown) => {
      throw new MilvusdmError('MDM_TARGET', `${dirname(path)}: cannot create the output folder: ${errorMessage(e)}`, { cause: e });
    });
    const partial = `${path}.partial`;
    const file = await GrowingFile.create(partial, this.options.compression);
    this.open = { file, partial };
    try {
      for (const field of dataset.schema.fields) {
        if (field.autoId) continue;
        file.addDataset(names.get(field.name)!, field);
      }
      const vector = vectorFields(dataset.schema)[0];
      if (vector?.metric) file.setAttribute('metric', vector.metric);
      file.setAttribute('collection', dataset.collection);
      file.setAttribute('partition', partition);
    } catch (e) {
      await this.discard();
      throw e;
    }
    return {
      write: async (batches, hooks) => {
        try {
          for await (const batch of batches) {
            const columns = new Map<string, Column>();
            for (const [field, column] of batch.columns) columns.set(names.get(field) ?? field, column);
            file.append(batch.numRows, columns);
            hooks.committed(batch);
          }
          file.close();
          this.open = undefined;
          await rename(partial, path);
        } catch (e) {
          await this.discard();
          throw e instanceof MilvusdmError ? e : new MilvusdmError('MDM_TARGET', `${path}: ${errorMessage(e)}`, { cause: e });
        }
        this.written.push(path);
        this.context.logger.info(`wrote ${file.rowCount} rows to ${path}`);
        await this.writeH2mJob(dataset, path);
        return { rows: file.rowCount };
      },
    };
  }

  private async writeH2mJob(dataset: DatasetInfo, h5Path: string): Promise<void> {
    if (!this.options.h2m_yaml) return;
    const partition = dataset.partition && dataset.partition !== '_default' ? dataset.partition : undefined;
    const text = h2mJobYaml({
      h5Path,
      collection: dataset.collection,
      partition,
      schema: dataset.schema,
      host: this.options.yaml_host,
      port: this.options.yaml_port,
    });
    if (!text) {
      this.context.logger.info(`no H2M job for ${h5Path}: its fields do not fit the MilvusDM H2M format (one int64 id, one vector)`);
      return;
    }
    const yamlPath = join(this.dir, 'yamls', dataset.collection.replace(SAFE, '_'), `${(dataset.partition ?? '_default').replace(SAFE, '_')}.yaml`);
    await mkdir(dirname(yamlPath), { recursive: true });
    await writeFile(yamlPath, text);
  }

  private async discard(): Promise<void> {
    if (!this.open) return;
    const { file, partial } = this.open;
    this.open = undefined;
    try {
      file.close();
    } catch {
      // The file is removed next; a failed close changes nothing.
    }
    await rm(partial, { force: true });
  }

  async finish(): Promise<void> {
    this.context.logger.info(`${this.written.length} HDF5 file(s) in ${this.dir}`);
  }

  async close(): Promise<void> {
    await this.discard();
  }
}
