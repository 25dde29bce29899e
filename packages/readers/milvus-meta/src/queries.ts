/**
 * The SQL both backends run. Table and column names are the same in SQLite and MySQL; the
 * backticks work in both (MySQL needs them for names that are keywords, SQLite accepts them).
 * Every value is a `?` placeholder: names come from job files and must never become SQL.
 */
import { FileType, TableState } from './enums.js';

const TABLE_COLUMNS =
  '`table_id`, `state`, `dimension`, `metric_type`, `engine_type`, `index_params`, `index_file_size`, ' +
  '`flag`, `owner_table`, `partition_tag`, `version`, `created_on`';

const FILE_COLUMNS =
  '`id`, `table_id`, `segment_id`, `file_id`, `file_type`, `file_size`, `row_count`, `engine_type`, `created_on`, `updated_time`';

export interface Query {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

export const queries = {
  /** Top-level collections (no owner), not dropped. */
  collections: (): Query => ({
    sql: `SELECT ${TABLE_COLUMNS} FROM \`Tables\` WHERE (\`owner_table\` = '' OR \`owner_table\` IS NULL) AND \`state\` <> ? ORDER BY \`table_id\``,
    params: [TableState.TO_DELETE],
  }),
  partitions: (collection: string): Query => ({
    sql: `SELECT ${TABLE_COLUMNS} FROM \`Tables\` WHERE \`owner_table\` = ? AND \`state\` <> ? ORDER BY \`id\``,
    params: [collection, TableState.TO_DELETE],
  }),
  table: (tableId: string): Query => ({
    sql: `SELECT ${TABLE_COLUMNS} FROM \`Tables\` WHERE \`table_id\` = ?`,
    params: [tableId],
  }),
  droppedTables: (): Query => ({
    sql: `SELECT ${TABLE_COLUMNS} FROM \`Tables\` WHERE \`state\` = ? ORDER BY \`id\``,
    params: [TableState.TO_DELETE],
  }),
  liveSegments: (tableId: string): Query => ({
    sql: `SELECT ${FILE_COLUMNS} FROM \`TableFiles\` WHERE \`table_id\` = ? AND \`file_type\` IN (?, ?, ?) ORDER BY \`id\``,
    params: [tableId, FileType.RAW, FileType.TO_INDEX, FileType.BACKUP],
  }),
  fileTypeCounts: (tableId: string): Query => ({
    sql: 'SELECT `file_type`, COUNT(*) AS `n` FROM `TableFiles` WHERE `table_id` = ? GROUP BY `file_type`',
    params: [tableId],
  }),
} as const;

/** The tables a Milvus 1.x meta database must have for milvusdm to read it. */
export const REQUIRED_TABLES = ['Tables', 'TableFiles'] as const;
