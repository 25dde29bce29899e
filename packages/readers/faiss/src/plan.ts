/**
 * From the parsed tree to a read plan: where the vectors are (rows of codes, or inverted
 * lists), where the ids come from (implied 0…n-1, an id map, the lists), how codes decode, and
 * what the migration would lose. No policy here: the source decides what to refuse.
 */
import { sourceError } from './byte-reader.js';
import { DIRECT_MAP_NAMES } from './ivf.js';
import { isLossy, type Codec, type Family, type IndexNode, type ListTable } from './model.js';
import { describeProduct, describeScalar } from './quantizers.js';

/** `count` codes back to back from `codes` in the index file; row i has inner id i. */
export interface RowsData {
  readonly kind: 'rows';
  readonly codes: number;
  readonly count: number;
  readonly codec: Codec;
}

export interface ListsData {
  readonly kind: 'lists';
  readonly table: ListTable;
  readonly codec: Codec;
  /** For residual codecs: the list centroids (row list_no of the quantizer). */
  readonly centroids?: RowsData;
}

/** The vectors are not in this file. */
export interface AbsentData {
  readonly kind: 'absent';
  readonly reason: string;
}

export interface ReadPlan {
  readonly root: IndexNode;
  readonly family: Family;
  /** Elements (float) or bits (binary). */
  readonly d: number;
  readonly rows: number;
  readonly metric: number;
  readonly metricArg?: number;
  /** Classes on the way from the file's index to the vectors, outermost first. */
  readonly chain: readonly string[];
  /** Where ids come from; `implied` means 0…n-1 by position. */
  readonly ids: 'implied' | 'id map' | 'inverted lists' | 'inverted lists, through the id map';
  /** IDMap: ntotal int64 ids; translate inner ids through it. */
  readonly idMap?: number;
  readonly data: RowsData | ListsData | AbsentData;
  /** Why the vectors would not be the originals, for lossy codecs. */
  readonly lossy?: string;
}

export function codecText(codec: Codec): string {
  switch (codec.kind) {
    case 'float32':
      return 'float32 vectors';
    case 'binary':
      return `${codec.d}-bit binary vectors`;
    case 'sq':
      return describeScalar(codec.sq);
    case 'pq':
      return describeProduct(codec.pq);
  }
}

function centroidsOf(node: IndexNode | undefined, nlist: number, owner: IndexNode, path: string): RowsData {
  const fail = (why: string) => sourceError(path, `${owner.name}: cannot take the list centroids from its quantizer: ${why}`);
  if (!node) throw fail('the file holds no quantizer');
  let rows: RowsData;
  if (node.kind === 'codes') rows = { kind: 'rows', codes: node.codes, count: node.header.ntotal, codec: node.codec };
  else if (node.kind === 'hnsw' && node.storage?.kind === 'codes') {
    const s = node.storage;
    rows = { kind: 'rows', codes: s.codes, count: s.header.ntotal, codec: s.codec };
  } else throw fail(`${node.name} quantizers are not read by milvusdm (flat and HNSW-flat are)`);
  if (rows.count !== nlist) throw fail(`it holds ${rows.count} centroids for ${nlist} lists (corrupt file?)`);
  return rows;
}

function resolve(node: IndexNode, path: string): Omit<ReadPlan, 'root' | 'family' | 'd' | 'rows' | 'metric' | 'metricArg' | 'lossy'> {
  switch (node.kind) {
    case 'codes':
      return {
        chain: [node.name],
        ids: 'implied',
        data: { kind: 'rows', codes: node.codes, count: node.header.ntotal, codec: node.codec },
      };
    case 'idmap': {
      const inner = resolve(node.inner, path);
      return {
        ...inner,
        chain: [node.name, ...inner.chain],
        ids: inner.ids === 'implied' ? 'id map' : 'inverted lists, through the id map',
        idMap: node.idMap,
      };
    }
    case 'hnsw': {
      if (!node.storage) {
        const data =
          node.header.ntotal === 0
            ? ({ kind: 'rows', codes: 0, count: 0, codec: { kind: 'float32', d: node.header.d, codeSize: node.header.d * 4 } } as const)
            : ({
                kind: 'absent',
                reason: `${node.name} was saved without its storage (IO_FLAG_SKIP_STORAGE): the file holds the graph but not the vectors`,
              } as const);
        return { chain: [node.name], ids: 'implied', data };
      }
      const inner = resolve(node.storage, path);
      return { ...inner, chain: [node.name, ...inner.chain] };
    }
    case 'ivf': {
      const chain = [node.name];
      if (!node.lists) {
        if (node.header.ntotal > 0) {
          return {
            chain,
            ids: 'inverted lists',
            data: {
              kind: 'absent',
              reason: `${node.name} holds ${node.header.ntotal} vectors but its inverted lists were not saved in this file ("il00": written without its lists)`,
            },
          };
        }
      }
      const table: ListTable = node.lists ?? {
        encoding: 'sprs',
        nlist: node.nlist,
        codeSize: node.codec.codeSize,
        listNo: new Float64Array(0),
        sizes: new Float64Array(0),
        codeOffsets: new Float64Array(0),
        idOffsets: new Float64Array(0),
        total: 0,
      };
      const residual = node.byResidual && isLossy(node.codec) && table.total > 0;
      const data: ListsData = residual
        ? { kind: 'lists', table, codec: node.codec, centroids: centroidsOf(node.quantizer, node.nlist, node, path) }
        : { kind: 'lists', table, codec: node.codec };
      return { chain, ids: 'inverted lists', data };
    }
  }
}

function lossyText(plan: Pick<ReadPlan, 'data'>, root: IndexNode): string | undefined {
  const data = plan.data;
  if (data.kind === 'absent' || !isLossy(data.codec)) return undefined;
  const codes =
    data.codec.kind === 'sq'
      ? `scalar-quantizer codes (${data.codec.sq.name})`
      : data.codec.kind === 'pq'
        ? `product-quantizer codes (M=${data.codec.pq.M}, ${data.codec.pq.nbits} bits)`
        : codecText(data.codec);
  return `${root.name} stores ${codes}, not the vectors: what milvusdm can migrate is Faiss's reconstruction, not the original vectors`;
}

export function planRead(root: IndexNode, path: string): ReadPlan {
  const resolved = resolve(root, path);
  const data = resolved.data;
  const lossy = lossyText(resolved, root);
  const rows = data.kind === 'rows' ? data.count : data.kind === 'lists' ? data.table.total : root.header.ntotal;
  return {
    ...resolved,
    root,
    family: root.family,
    d: root.header.d,
    rows,
    metric: root.header.metric,
    ...(root.header.metricArg !== undefined ? { metricArg: root.header.metricArg } : {}),
    ...(lossy ? { lossy } : {}),
  };
}

/** One line per index in the file, outermost first, with what matters about each. */
export function describeTree(node: IndexNode | undefined, depth = 0, role = ''): string[] {
  if (!node) return [`${'  '.repeat(depth)}${role}none ("null")`];
  const pad = '  '.repeat(depth);
  const n = node.header.ntotal;
  switch (node.kind) {
    case 'codes':
      return [`${pad}${role}${node.name} "${node.fourcc}": ${n} × ${codecText(node.codec)}`];
    case 'idmap':
      return [`${pad}${role}${node.name} "${node.fourcc}": ${n} int64 ids`, ...describeTree(node.inner, depth + 1)];
    case 'hnsw':
      return [
        `${pad}${role}${node.name} "${node.fourcc}": graph of ${n} nodes (skipped)`,
        ...describeTree(node.storage, depth + 1, 'storage: '),
      ];
    case 'ivf': {
      const lists = node.lists
        ? `${node.lists.encoding === 'ondisk' ? `on-disk lists in ${JSON.stringify(node.lists.dataFile?.stored)}` : `lists "${node.lists.encoding}"`}, ${node.lists.listNo.length} of ${node.nlist} non-empty`
        : 'no lists saved ("il00")';
      const residual = isLossy(node.codec) ? (node.byResidual ? ', residuals from the centroids' : ', no residuals') : '';
      return [
        `${pad}${role}${node.name} "${node.fourcc}": ${n} × ${codecText(node.codec)}${residual}, nlist ${node.nlist}, ${lists}, direct map ${DIRECT_MAP_NAMES[node.directMap.type]}`,
        ...describeTree(node.quantizer, depth + 1, 'quantizer: '),
      ];
    }
  }
}
