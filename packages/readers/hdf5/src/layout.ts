/**
 * Where the vectors and ids are in a file and how to turn their bytes into columns. Knows the
 * MilvusDM layout (`embeddings` + `ids`; binary vectors as uint8 rows or fixed-length byte
 * strings) and the ann-benchmarks one (`train`, with the metric in the `distance` attribute).
 */
import { MilvusdmError, type Column, type MetricType } from '@milvusdm/core';
import { H5T, type DatasetInfo, type Hdf5File } from './h5.js';

export type VectorKind = 'float' | 'binary';

/** How one file's vectors are stored and what they become. */
export interface VectorLayout {
  readonly dataset: DatasetInfo;
  readonly kind: VectorKind;
  /** Vector dimension: elements for float, bits for binary. */
  readonly dim: number;
  /** Bytes of one stored row. */
  readonly rowBytes: number;
  readonly rows: number;
}

export interface IdLayout {
  readonly dataset: DatasetInfo;
  readonly rows: number;
}

export interface FileLayout {
  readonly vectors: VectorLayout;
  readonly ids: IdLayout | undefined;
  /** From ann-benchmarks' `distance` attribute, when present. */
  readonly metric: MetricType | undefined;
}

const MILVUS_METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE'];

const DISTANCE_METRICS: Readonly<Record<string, MetricType>> = {
  euclidean: 'L2',
  angular: 'COSINE',
  cosine: 'COSINE',
  ip: 'IP',
  dot: 'IP',
  hamming: 'HAMMING',
  jaccard: 'JACCARD',
};

function typeText(d: DatasetInfo): string {
  const names: Record<number, string> = { [H5T.INTEGER]: d.signed ? 'int' : 'uint', [H5T.FLOAT]: 'float', [H5T.STRING]: 'string' };
  return `${names[d.typeClass] ?? `type class ${d.typeClass}`}${d.typeClass === H5T.STRING ? `(${d.size} bytes)` : String(d.size * 8)}`;
}

function pickVectorDataset(file: Hdf5File, wanted: string | undefined): DatasetInfo {
  const names = file.datasetNames();
  const name = wanted ?? (names.includes('embeddings') ? 'embeddings' : names.includes('train') ? 'train' : undefined);
  const info = name === undefined ? undefined : file.info(name);
  if (!info) {
    const key = wanted ? `source.vectors: no dataset "${wanted}"` : 'no "embeddings" or "train" dataset';
    throw new MilvusdmError('MDM_SOURCE', `${file.path}: ${key} (datasets: ${names.join(', ') || 'none'})`, {
      hint: 'Name the dataset that holds the vectors with source.vectors.',
    });
  }
  return info;
}

function vectorLayout(file: Hdf5File, d: DatasetInfo, requested: 'auto' | VectorKind): VectorLayout {
  const where = `${file.path}: dataset "${d.name}"`;
  const rows = d.shape[0] ?? 0;
  if (d.vlen) throw new MilvusdmError('MDM_UNSUPPORTED', `${where} holds variable-length data; vectors need fixed-size rows`);
  if (d.typeClass === H5T.STRING) {
    // MilvusDM's binary layout: one fixed-length byte string per vector.
    if (d.shape.length !== 1)
      throw new MilvusdmError('MDM_SOURCE', `${where}: byte-string vectors must be a 1-D dataset, found shape [${d.shape.join(', ')}]`);
    if (requested === 'float')
      throw new MilvusdmError('MDM_SCHEMA_MISMATCH', `${where} holds byte strings (binary vectors) but float vectors were asked for`);
    return { dataset: d, kind: 'binary', dim: d.size * 8, rowBytes: d.size, rows };
  }
  if (d.shape.length !== 2) {
    throw new MilvusdmError('MDM_SOURCE', `${where} has shape [${d.shape.join(', ')}]; vectors must be a 2-D dataset (rows × dimension)`);
  }
  const cols = d.shape[1]!;
  if (d.typeClass === H5T.FLOAT) {
    if (requested === 'binary')
      throw new MilvusdmError('MDM_SCHEMA_MISMATCH', `${where} holds ${typeText(d)} values but binary vectors were asked for`);
    if (![2, 4, 8].includes(d.size)) throw new MilvusdmError('MDM_UNSUPPORTED', `${where}: ${typeText(d)} is not a supported float size`);
    return { dataset: d, kind: 'float', dim: cols, rowBytes: cols * d.size, rows };
  }
  if (d.typeClass === H5T.INTEGER) {
    const binary = requested === 'binary' || (requested === 'auto' && d.size === 1 && !d.signed);
    if (binary) {
      if (d.size !== 1)
        throw new MilvusdmError('MDM_SCHEMA_MISMATCH', `${where} holds ${typeText(d)} values; binary vectors need uint8 bytes`);
      return { dataset: d, kind: 'binary', dim: cols * 8, rowBytes: cols, rows };
    }
    if (d.size > 4) throw new MilvusdmError('MDM_UNSUPPORTED', `${where}: ${typeText(d)} vectors would lose precision as float32`);
    return { dataset: d, kind: 'float', dim: cols, rowBytes: cols * d.size, rows };
  }
  throw new MilvusdmError('MDM_UNSUPPORTED', `${where} holds ${typeText(d)} data, which cannot be vectors`);
}

function idLayout(file: Hdf5File, wanted: string | false | undefined, vectorRows: number): IdLayout | undefined {
  if (wanted === false) return undefined;
  const name = wanted ?? 'ids';
  const d = file.info(name);
  if (!d) {
    if (wanted) throw new MilvusdmError('MDM_SOURCE', `${file.path}: source.ids names dataset "${wanted}", which does not exist`);
    return undefined;
  }
  const where = `${file.path}: dataset "${name}"`;
  if (d.typeClass !== H5T.INTEGER) throw new MilvusdmError('MDM_SOURCE', `${where} holds ${typeText(d)} values; ids must be integers`);
  const flat = d.shape.length === 1 || (d.shape.length === 2 && d.shape[1] === 1);
  if (!flat) throw new MilvusdmError('MDM_SOURCE', `${where} has shape [${d.shape.join(', ')}]; ids must be one per row`);
  const rows = d.shape[0] ?? 0;
  if (rows !== vectorRows) {
    throw new MilvusdmError('MDM_SOURCE', `${where} has ${rows} ids but the vectors have ${vectorRows} rows`);
  }
  return { dataset: d, rows };
}

export function describeFile(
  file: Hdf5File,
  options: { vectors?: string | undefined; ids?: string | false | undefined; vector_type: 'auto' | VectorKind },
): FileLayout {
  const vectors = vectorLayout(file, pickVectorDataset(file, options.vectors), options.vector_type);
  const ids = idLayout(file, options.ids, vectors.rows);
  // ann-benchmarks files name their distance; files milvusdm writes keep the Milvus metric.
  const attrs = file.rootAttrs();
  const distance = attrs['distance'];
  const stored = attrs['metric'];
  const metric =
    typeof stored === 'string' && MILVUS_METRICS.includes(stored as MetricType)
      ? (stored as MetricType)
      : typeof distance === 'string'
        ? DISTANCE_METRICS[distance.toLowerCase()]
        : undefined;
  return { vectors, ids, metric };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Converts raw little-endian rows into a vector column. */
export function vectorColumn(layout: VectorLayout, bytes: Uint8Array, rows: number): Column {
  const d = layout.dataset;
  if (layout.kind === 'binary') return { type: 'binary_vector', dim: layout.dim, values: bytes };
  const n = rows * layout.dim;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let values: Float32Array;
  if (d.typeClass === H5T.FLOAT && d.size === 4) {
    values = new Float32Array(bytes.buffer, bytes.byteOffset, n);
  } else {
    values = new Float32Array(n);
    const read: (i: number) => number =
      d.typeClass === H5T.FLOAT
        ? d.size === 8
          ? (i) => view.getFloat64(i * 8, true)
          : (i) => halfToFloat(view.getUint16(i * 2, true))
        : d.size === 1
          ? d.signed
            ? (i) => view.getInt8(i)
            : (i) => view.getUint8(i)
          : d.size === 2
            ? d.signed
              ? (i) => view.getInt16(i * 2, true)
              : (i) => view.getUint16(i * 2, true)
            : d.signed
              ? (i) => view.getInt32(i * 4, true)
              : (i) => view.getUint32(i * 4, true);
    // float64 → float32 rounds to nearest, as numpy's astype(float32) does.
    for (let i = 0; i < n; i++) values[i] = read(i);
  }
  return { type: 'float_vector', dim: layout.dim, values };
}

/** Typed arrays share the machine's byte order; the fast paths below need it little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Converts raw little-endian integers into int64 ids, refusing unsigned values above 2^63 − 1.
 * No id becomes a BigInt on the way: reading one from a DataView allocates a heap object, and a
 * 1M-row H2M made 23 MiB of them, most of what it allocated on the JS heap after start-up (its
 * batches' bytes live outside that heap). 8-byte ids are taken as they are
 * (a view when aligned, else one copy); narrower ids are widened through 32-bit halves.
 */
export function idColumn(layout: IdLayout, bytes: Uint8Array, rows: number, path: string, firstRow: number): Column {
  const d = layout.dataset;
  if (!LITTLE_ENDIAN) return idColumnPortable(layout, bytes, rows, path, firstRow);
  if (d.size === 8) {
    if (!d.signed) {
      // The top bit of an unsigned id is in its last byte: set means above 2^63 − 1.
      for (let i = 0; i < rows; i++) if (bytes[i * 8 + 7]! & 0x80) return idColumnPortable(layout, bytes, rows, path, firstRow);
    }
    const values =
      bytes.byteOffset % 8 === 0
        ? new BigInt64Array(bytes.buffer, bytes.byteOffset, rows)
        : new BigInt64Array(bytes.slice(0, rows * 8).buffer, 0, rows);
    return { type: 'int64', values };
  }
  const values = new BigInt64Array(rows);
  const halves = new Int32Array(values.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read: (i: number) => number =
    d.size === 4
      ? d.signed
        ? (i) => view.getInt32(i * 4, true)
        : (i) => view.getUint32(i * 4, true)
      : d.size === 2
        ? d.signed
          ? (i) => view.getInt16(i * 2, true)
          : (i) => view.getUint16(i * 2, true)
        : d.signed
          ? (i) => view.getInt8(i)
          : (i) => view.getUint8(i);
  for (let i = 0; i < rows; i++) {
    const v = read(i);
    halves[2 * i] = v | 0;
    // The high half: the sign extended for signed ids, zero for unsigned ones (up to 2^32 − 1).
    halves[2 * i + 1] = d.signed ? v >> 31 : 0;
  }
  return { type: 'int64', values };
}

/** idColumn one BigInt at a time: for big-endian machines, and to name an id that does not fit. */
function idColumnPortable(layout: IdLayout, bytes: Uint8Array, rows: number, path: string, firstRow: number): Column {
  const d = layout.dataset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) {
    switch (d.size) {
      case 8:
        if (!d.signed && view.getBigUint64(i * 8, true) > 0x7fffffffffffffffn) {
          throw new MilvusdmError(
            'MDM_SOURCE',
            `${path}: id at row ${firstRow + i} (${view.getBigUint64(i * 8, true)}) does not fit a Milvus int64 key`,
          );
        }
        values[i] = view.getBigInt64(i * 8, true);
        break;
      case 4:
        values[i] = BigInt(d.signed ? view.getInt32(i * 4, true) : view.getUint32(i * 4, true));
        break;
      case 2:
        values[i] = BigInt(d.signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true));
        break;
      default:
        values[i] = BigInt(d.signed ? view.getInt8(i) : view.getUint8(i));
    }
  }
  return { type: 'int64', values };
}
