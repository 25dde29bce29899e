/**
 * From the job's `collections` to the list of datasets to read, using the meta only: which
 * collections and partitions (never dropped ones), their vector shape, and their live segment
 * rows. Read inside one meta snapshot, before any file is touched.
 */
import { MilvusdmError, type MetricType } from '@milvusdm/core';
import {
  TableState,
  fileTypeName,
  type MetaCollection,
  type MetaPartition,
  type MetaSegment,
  type MetaStore,
} from '@milvusdm/reader-milvus-meta';
import type { Milvus1xReaderOptions } from './options.js';

/** The tag that names a collection's default partition (its own table_id). */
export const DEFAULT_TAG = '_default';

export interface PlannedDataset {
  readonly collection: MetaCollection;
  /** Undefined: the default partition, whose data is under the collection's own table_id. */
  readonly partition: MetaPartition | undefined;
  /** Where its TableFiles rows and folders are. */
  readonly tableId: string;
  readonly segments: readonly MetaSegment[];
  /** `books/_default`, `books/p1`: for messages. */
  readonly label: string;
}

export interface VectorShape {
  readonly type: 'float_vector' | 'binary_vector';
  /** Elements for float, bits for binary (as the meta stores it). */
  readonly dim: number;
  /** Bytes of one stored vector. */
  readonly bytes: number;
  readonly metric: MetricType;
}

/** The vector field a collection's rows have; refuses shapes the files could not hold. */
export function vectorShape(c: MetaCollection): VectorShape {
  if (!c.metric) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `collection "${c.tableId}" has metric_type ${c.metricType}, which Milvus 1.x did not define (1–7)`,
    );
  }
  if (!Number.isInteger(c.dimension) || c.dimension <= 0) {
    throw new MilvusdmError('MDM_SOURCE', `collection "${c.tableId}" has dimension ${c.dimension} in the meta`);
  }
  if (c.binary) {
    if (c.dimension % 8 !== 0)
      throw new MilvusdmError('MDM_SOURCE', `binary collection "${c.tableId}" has dimension ${c.dimension}, not a whole number of bytes`);
    return { type: 'binary_vector', dim: c.dimension, bytes: c.dimension / 8, metric: c.metric };
  }
  return { type: 'float_vector', dim: c.dimension, bytes: c.dimension * 4, metric: c.metric };
}

interface Wanted {
  readonly name: string;
  /** Null: every partition, the default one included. */
  readonly partitions: readonly string[] | null;
}

export function wantedCollections(selection: Milvus1xReaderOptions['collections']): Wanted[] | 'all' {
  if (selection === 'all') return 'all';
  if (Array.isArray(selection)) return [...new Set(selection)].map((name) => ({ name, partitions: null }));
  return Object.entries(selection).map(([name, parts]) => ({
    name,
    partitions: parts && parts.length > 0 ? [...new Set(parts.map((p) => (p === '' ? DEFAULT_TAG : p)))] : null,
  }));
}

function names(list: readonly string[]): string {
  return list.length > 0 ? list.map((n) => `"${n}"`).join(', ') : 'none';
}

async function findCollection(store: MetaStore, live: readonly MetaCollection[], name: string): Promise<MetaCollection> {
  const found = live.find((c) => c.tableId === name);
  if (found) return found;
  const row = await store.table(name);
  if (row && row.state === TableState.TO_DELETE && !row.ownerTable) {
    throw new MilvusdmError(
      'MDM_SOURCE',
      `source.collections: collection "${name}" was dropped in Milvus 1.x (its meta row is TO_DELETE, awaiting cleanup); there is nothing to migrate`,
    );
  }
  if (row && row.ownerTable) {
    throw new MilvusdmError(
      'MDM_SOURCE',
      `source.collections: "${name}" is a partition (tag "${row.partitionTag}") of collection "${row.ownerTable}", not a collection`,
      {
        hint: `Name it as ${row.ownerTable}: [${row.partitionTag}]`,
      },
    );
  }
  throw new MilvusdmError(
    'MDM_SOURCE',
    `source.collections: no collection "${name}" in ${store.description} (collections: ${names(live.map((c) => c.tableId))})`,
  );
}

async function pickPartitions(
  store: MetaStore,
  collection: MetaCollection,
  wanted: readonly string[] | null,
): Promise<(MetaPartition | undefined)[]> {
  const live = await store.partitions(collection.tableId);
  if (wanted === null) return [undefined, ...live];
  const out: (MetaPartition | undefined)[] = [];
  for (const tag of wanted) {
    if (tag === DEFAULT_TAG) {
      out.push(undefined);
      continue;
    }
    const found = live.find((p) => p.partitionTag === tag);
    if (found) {
      out.push(found);
      continue;
    }
    const dropped = (await store.droppedTables()).some((t) => t.ownerTable === collection.tableId && t.partitionTag === tag);
    const key = `source.collections.${collection.tableId}`;
    if (dropped) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${key}: partition "${tag}" of collection "${collection.tableId}" was dropped in Milvus 1.x (its meta row is TO_DELETE); there is nothing to migrate`,
      );
    }
    throw new MilvusdmError(
      'MDM_SOURCE',
      `${key}: collection "${collection.tableId}" has no partition "${tag}" (partitions: ${names([DEFAULT_TAG, ...live.map((p) => p.partitionTag)])})`,
    );
  }
  return out;
}

/** Each segment has one live raw row; two would mean reading its rows twice. */
function checkOneRowPerSegment(label: string, segments: readonly MetaSegment[]): void {
  const seen = new Map<string, MetaSegment>();
  for (const s of segments) {
    const other = seen.get(s.segmentId);
    if (other) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${label}: segment ${s.segmentId} has two live meta rows (TableFiles ${other.rowId} ${fileTypeName(other.fileType)} and ${s.rowId} ${fileTypeName(s.fileType)}); the meta is inconsistent`,
      );
    }
    seen.set(s.segmentId, s);
  }
}

/** Every dataset the selection names, with its live segments. Call inside `store.snapshot`. */
export async function planDatasets(store: MetaStore, selection: Milvus1xReaderOptions['collections']): Promise<PlannedDataset[]> {
  const live = await store.collections();
  const wanted = wantedCollections(selection);
  const list = wanted === 'all' ? live.map((c) => ({ name: c.tableId, partitions: null })) : wanted;
  const planned: PlannedDataset[] = [];
  for (const w of list) {
    const collection = await findCollection(store, live, w.name);
    vectorShape(collection);
    for (const partition of await pickPartitions(store, collection, w.partitions)) {
      const tableId = partition?.tableId ?? collection.tableId;
      const label = `${collection.tableId}/${partition?.partitionTag ?? DEFAULT_TAG}`;
      const segments = await store.liveSegments(tableId);
      checkOneRowPerSegment(label, segments);
      planned.push({ collection, partition, tableId, segments, label });
    }
  }
  return planned;
}
