/**
 * The numeric codes a Milvus 0.10/1.x server writes into its meta tables, stated here from
 * Milvus's own sources rather than imported from the reader: fixtures built with them check
 * the reader's reading of the format instead of repeating it.
 */
export const TableState = { NORMAL: 0, TO_DELETE: 1 } as const;

/** `TableFiles.file_type`. */
export const FileType = { NEW: 0, RAW: 1, TO_INDEX: 2, INDEX: 3, TO_DELETE: 4, NEW_MERGE: 5, NEW_INDEX: 6, BACKUP: 7 } as const;

export type Metric1x = 'L2' | 'IP' | 'HAMMING' | 'JACCARD' | 'TANIMOTO' | 'SUBSTRUCTURE' | 'SUPERSTRUCTURE';

/** `Tables.metric_type`: Milvus's numbering (L2 is 1, not faiss's 0). */
const METRIC_CODES: Readonly<Record<Metric1x, number>> = {
  L2: 1,
  IP: 2,
  HAMMING: 3,
  JACCARD: 4,
  TANIMOTO: 5,
  SUBSTRUCTURE: 6,
  SUPERSTRUCTURE: 7,
};

export function metricCode(name: Metric1x): number {
  return METRIC_CODES[name];
}

/** 1.x has no vector-type flag: a collection is binary exactly when its metric is a binary one. */
export function isBinaryMetric(name: Metric1x): boolean {
  return metricCode(name) >= 3;
}
