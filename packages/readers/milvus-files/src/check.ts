/**
 * Checks every live segment of a planned dataset against its files. Collects findings rather
 * than stopping at the first, so `open` can report how many segments are broken and `inspect`
 * can list them.
 */
import { fileTypeName, type MetaSegment } from '@milvusdm/reader-milvus-meta';
import { segmentDir, type DataDir } from './layout.js';
import { vectorShape, type PlannedDataset, type VectorShape } from './plan.js';
import { checkSegment, type CheckedSegment } from './files/segment.js';
import { isFileProblem } from './files/problem.js';

export interface CheckedDataset {
  readonly planned: PlannedDataset;
  readonly shape: VectorShape;
  /** The segments whose files passed every check, in meta order. */
  readonly segments: readonly CheckedSegment[];
  /** Live rows, from the files: rows written minus distinct deleted rows. */
  readonly rows: number;
  /** Sum of the meta's row_count over the live segments. */
  readonly metaRows: number;
  /** Defects that make the dataset unreadable: one line each, naming the segment and file. */
  readonly problems: readonly string[];
  /** Disagreements that do not stop reading (or do, under row_count_check: fail). */
  readonly rowCountMismatches: readonly string[];
  readonly warnings: readonly string[];
}

export function segmentLabel(label: string, s: MetaSegment): string {
  return `${label}: segment ${s.segmentId} (${fileTypeName(s.fileType)})`;
}

export async function checkDataset(dir: DataDir, planned: PlannedDataset): Promise<CheckedDataset> {
  const shape = vectorShape(planned.collection);
  const segments: CheckedSegment[] = [];
  const problems: string[] = [];
  const rowCountMismatches: string[] = [];
  const warnings: string[] = [];
  let rows = 0;
  let metaRows = 0;
  for (const meta of planned.segments) {
    metaRows += meta.rowCount;
    const where = segmentLabel(planned.label, meta);
    let checked: CheckedSegment;
    try {
      checked = await checkSegment(segmentDir(dir, planned.tableId, meta.segmentId), meta, shape.bytes);
    } catch (e) {
      if (!isFileProblem(e)) throw e;
      problems.push(`${where}: ${e.message}`);
      continue;
    }
    segments.push(checked);
    rows += checked.liveRows;
    if (checked.outOfRangeDeletes > 0) {
      warnings.push(
        `${where}: ${checked.outOfRangeDeletes} offset(s) in deleted_docs lie outside its ${checked.rows} rows and are ignored`,
      );
    }
    if (!checked.deletedDocs && checked.rows > 0) {
      warnings.push(`${where}: no deleted_docs file; read as having no deletes`);
    }
    if (checked.liveRows !== meta.rowCount) {
      rowCountMismatches.push(
        `${where}: the files hold ${checked.liveRows} live rows (${checked.rows} written, ${checked.deletedRows} deleted) but the meta's row_count is ${meta.rowCount}`,
      );
    }
  }
  return { planned, shape, segments, rows, metaRows, problems, rowCountMismatches, warnings };
}
