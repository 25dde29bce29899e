/** `milvusdm inspect FILE` for HDF5 files: the datasets, and what the reader would take from them. */
import { open } from 'node:fs/promises';
import { describeSchema, type InspectReport } from '@milvusdm/core';
import { SCHEMA_ATTR, describeExtended } from './extended.js';
import { H5T, Hdf5File, shortReason, type DatasetInfo } from './h5.js';
import { describeFile } from './layout.js';

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5 files start with a signature (at offset 0 for every file h5py writes). */
async function looksLikeHdf5(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(8);
      await handle.read(head, 0, 8, 0);
      return head.equals(SIGNATURE);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

function typeName(d: DatasetInfo): string {
  if (d.typeClass === H5T.STRING) return d.vlen ? 'string (variable length)' : `bytes (${d.size} each)`;
  if (d.typeClass === H5T.ENUM) return `enum (${d.size} byte${d.size > 1 ? 's' : ''})`;
  if (d.typeClass === H5T.FLOAT) return `float${d.size * 8}`;
  if (d.typeClass === H5T.INTEGER) return `${d.signed ? 'int' : 'uint'}${d.size * 8}`;
  return `type class ${d.typeClass}`;
}

export async function inspectHdf5(path: string): Promise<InspectReport | undefined> {
  if (!(await looksLikeHdf5(path))) return undefined;
  const file = await Hdf5File.open(path);
  try {
    const datasets = file.datasetNames().map((name) => file.info(name)!);
    const lines = [`HDF5 file ${path}`, 'datasets:'];
    for (const d of datasets) lines.push(`  ${d.name}: [${d.shape.join(' × ')}] ${typeName(d)}`);
    let reading: Record<string, unknown>;
    const attrs = file.rootAttrs();
    if (attrs[SCHEMA_ATTR] !== undefined) {
      try {
        const extended = describeExtended(file, attrs[SCHEMA_ATTR], attrs);
        lines.push(
          `read as:    milvusdm's layout, ${extended.rows} rows of collection ${extended.collection ?? '(unnamed)'}, partition ${extended.partition ?? '_default'}`,
          `fields:     ${describeSchema(extended.schema)}${extended.schema.enableDynamicField ? ', dynamic fields in "$meta"' : ''}`,
        );
        reading = {
          layout: 'milvusdm',
          rows: extended.rows,
          collection: extended.collection ?? null,
          partition: extended.partition ?? null,
          schema: extended.schema,
        };
      } catch (e) {
        reading = { problem: shortReason(e) };
        lines.push(`problem:    ${shortReason(e)}`);
      }
      return {
        format: 'hdf5',
        lines,
        data: { path, datasets: datasets.map((d) => ({ name: d.name, shape: d.shape, type: typeName(d) })), ...reading },
      };
    }
    try {
      const layout = describeFile(file, { vector_type: 'auto' });
      reading = {
        vectors: layout.vectors.dataset.name,
        vector_type: layout.vectors.kind,
        dimension: layout.vectors.dim,
        rows: layout.vectors.rows,
        ids: layout.ids ? layout.ids.dataset.name : null,
        metric: layout.metric ?? null,
      };
      lines.push(
        `read as:    ${layout.vectors.rows} ${layout.vectors.kind} vectors of dimension ${layout.vectors.dim}${layout.vectors.kind === 'binary' ? ' bits' : ''} from "${layout.vectors.dataset.name}"`,
        `ids:        ${layout.ids ? `from "${layout.ids.dataset.name}"` : 'none: Milvus assigns them'}`,
        `metric:     ${layout.metric ?? 'not stated in the file'}`,
      );
    } catch (e) {
      reading = { problem: shortReason(e) };
      lines.push(`problem:    ${shortReason(e)}`);
    }
    return {
      format: 'hdf5',
      lines,
      data: { path, datasets: datasets.map((d) => ({ name: d.name, shape: d.shape, type: typeName(d) })), ...reading },
    };
  } finally {
    file.close();
  }
}
